# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Action plugin of govcloud.lifecycle.manifest_preflight: bounds checked on the controller, nothing templated."""

from __future__ import annotations

import os

from ansible_collections.govcloud.lifecycle.plugins.module_utils._argspec import MANIFEST_PREFLIGHT_SPEC
from ansible_collections.govcloud.lifecycle.plugins.module_utils._yaml_bounds import YamlBoundsError, check_value
from ansible_collections.govcloud.lifecycle.plugins.plugin_utils._action import ControllerAction
from ansible_collections.govcloud.lifecycle.plugins.plugin_utils._vars_bounds import (
    LIMITS,
    check_file,
    vars_files,
)

HINT = ("; nothing was templated or changed. Shrink the manifest to what the application declares (no padding, "
        "no alias chains): docs/manifest.md, \"Bounded parsing\"")


class ActionModule(ControllerAction):
    SPEC = MANIFEST_PREFLIGHT_SPEC

    def run_action(self, args, task_vars):
        result = {}
        limits = dict((name, args[name]) for name in LIMITS)
        checked = []
        try:
            for path in self._files(task_vars) + list(args["files"]):
                size = check_file(self._loader, path, limits)
                if size is None and path in args["files"]:
                    raise YamlBoundsError("files: %s cannot be read" % path)
                checked.append({"path": path, "bytes": size})
            nodes, text_bytes = 0, 0
            if args["variable"] in task_vars:
                # the value as loaded: aliases are still shared objects here, templating would expand them
                nodes, text_bytes = check_value(
                    task_vars[args["variable"]], "the %r variable" % args["variable"],
                    max_nodes=limits["max_nodes"], max_depth=limits["max_depth"], max_bytes=limits["max_bytes"])
        except YamlBoundsError as exc:
            result.update(failed=True, changed=False, files=checked, limit=exc.limit, msg=str(exc) + HINT)
            return result
        result.update(changed=False, files=checked, nodes=nodes, text_bytes=text_bytes,
                      msg="manifest within the bounds: %d file(s) checked, %r has %d nodes" % (
                          len(checked), args["variable"], nodes))
        return result

    def _files(self, task_vars):
        """What host_group_vars reads for this host: next to each inventory source, then the playbook."""
        bases = []
        for source in task_vars.get("ansible_inventory_sources") or ():
            if not isinstance(source, str) or ("," in source and not os.path.exists(source)):
                continue  # a host list, not a path
            base = source if os.path.isdir(source) else os.path.dirname(source)
            if base not in bases:
                bases.append(base)
        playbook_dir = task_vars.get("playbook_dir")
        if isinstance(playbook_dir, str) and playbook_dir not in bases:
            bases.append(playbook_dir)
        entities = [("group_vars", name) for name in ["all"] + list(task_vars.get("group_names") or ())]
        entities.append(("host_vars", task_vars.get("inventory_hostname")))
        found = []
        for base in bases:
            for subdir, name in entities:
                for path in vars_files(self._loader, base, subdir, name):
                    if path not in found:
                        found.append(path)
        return found
