# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this plugin_util is **PRIVATE** to the collection: it can change at any time.

"""The files Ansible's host_group_vars reads for a host or group, checked with the bounded YAML reader.

One place for the vars plugin govcloud.lifecycle.yaml_bounds (before Ansible parses them) and the action
govcloud.lifecycle.manifest_preflight (before the manifest is templated, whatever plugins are enabled).
"""

from __future__ import annotations

import os

from ansible.module_utils.common.text.converters import to_text

from ansible_collections.govcloud.lifecycle.plugins.module_utils import _yaml_bounds

LIMITS = ("max_bytes", "max_aliases", "max_nodes", "max_depth")
VAULT_HEADER = b"$ANSIBLE_VAULT"

# (realpath, size, mtime_ns, limits) of the files found within the bounds in this process
_CHECKED = set()


def vars_files(loader, base, subdir, name):
    """The files host_group_vars reads for entity ``name`` under ``base``/``subdir`` (same lookup, same order)."""
    directory = os.path.join(os.path.realpath(base), subdir)
    if not isinstance(name, str) or not name or name.startswith(os.path.sep) or not os.path.isdir(directory):
        return []
    return loader.find_vars_files(directory, name)


def check_file(loader, path, limits):
    """Raise YamlBoundsError (naming ``path`` and the limit) if the file exceeds ``limits``; return its size.

    Parse errors are left to Ansible's loader, which reports them in its own words; only a limit is raised here.
    A vault-encrypted file is decrypted with the run's vault secrets, as host_group_vars does.
    """
    try:
        stat = os.stat(path)
    except OSError:
        return None  # Ansible reports a file it cannot read
    key = (os.path.realpath(path), stat.st_size, stat.st_mtime_ns, tuple(sorted(limits.items())))
    if key in _CHECKED:
        return stat.st_size
    try:
        if stat.st_size > limits["max_bytes"]:
            _yaml_bounds.load_file(path, **limits)  # refused on stat() alone, never read
        with open(path, "rb") as handle:
            vaulted = handle.read(len(VAULT_HEADER)) == VAULT_HEADER
        if vaulted:
            _yaml_bounds.load_text(to_text(loader.get_text_file_contents(path)), path, **limits)
        else:
            _yaml_bounds.load_file(path, **limits)
    except _yaml_bounds.YamlBoundsError as exc:
        if exc.limit is not None:
            raise
    _CHECKED.add(key)
    return stat.st_size


def limits_of(values):
    """The four limits from a mapping of options, defaults where a value is None."""
    defaults = dict(max_bytes=_yaml_bounds.MAX_BYTES, max_aliases=_yaml_bounds.MAX_ALIASES,
                    max_nodes=_yaml_bounds.MAX_NODES, max_depth=_yaml_bounds.MAX_DEPTH)
    return dict((name, defaults[name] if values.get(name) is None else values[name]) for name in LIMITS)
