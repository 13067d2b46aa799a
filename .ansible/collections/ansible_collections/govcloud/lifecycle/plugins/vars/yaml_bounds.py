# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: yaml_bounds
short_description: Refuse oversized or alias-bomb group_vars/host_vars files before Ansible parses them
version_added: 1.0.0
description:
  - A guard, not a source of variables (it returns none). Listed B(before) C(ansible.builtin.host_group_vars) in
    C(vars_plugins_enabled), it checks every file that C(host_group_vars) is about to read for a host or group
    (C(group_vars/<group>.yml), C(group_vars/<group>/*), C(host_vars/<host>...) next to the inventory and the
    playbook) with the collection's bounded YAML reader, and stops the run, naming the file and the limit, when
    one is larger than O(max_bytes), has more aliases than O(max_aliases), more nodes (aliases expanded) than
    O(max_nodes) or deeper nesting than O(max_depth).
  - "Why: Ansible's own loader reads these files before any task can run. A 50 MB C(application.yml) costs
    about 10 s and 800 MB there before the first task, and a billion-laughs manifest loads (its aliases are
    shared) but hangs the first task that templates it. See docs/manifest.md, section \"Bounded parsing\"."
  - Each file is checked once per run (same path, size and modification time).
  - Vault-encrypted files are decrypted with the run's vault secrets, as C(host_group_vars) does, and the
    plaintext is checked.
author:
  - govcloud.lifecycle contributors (@govcloud)
options:
  stage:
    ini:
      - key: stage
        section: vars_govcloud_yaml_bounds
    env:
      - name: GOVCLOUD_YAML_BOUNDS_STAGE
  max_bytes:
    description: Largest file in bytes.
    type: int
    default: 4194304
    ini:
      - key: max_bytes
        section: vars_govcloud_yaml_bounds
    env:
      - name: GOVCLOUD_YAML_MAX_BYTES
  max_aliases:
    description: Most alias references (C(*name)) in one file.
    type: int
    default: 100
    ini:
      - key: max_aliases
        section: vars_govcloud_yaml_bounds
    env:
      - name: GOVCLOUD_YAML_MAX_ALIASES
  max_nodes:
    description: Most nodes with every alias expanded.
    type: int
    default: 100000
    ini:
      - key: max_nodes
        section: vars_govcloud_yaml_bounds
    env:
      - name: GOVCLOUD_YAML_MAX_NODES
  max_depth:
    description: Deepest nesting of lists and mappings.
    type: int
    default: 64
    ini:
      - key: max_depth
        section: vars_govcloud_yaml_bounds
    env:
      - name: GOVCLOUD_YAML_MAX_DEPTH
extends_documentation_fragment:
  - ansible.builtin.vars_plugin_staging
notes:
  - "Enable it in C(ansible.cfg), before the built-in plugin: C(vars_plugins_enabled = govcloud.lifecycle.yaml_bounds,
    host_group_vars). The collection's C(ansible.cfg) and Molecule base config do."
  - Files given with C(-e @file), C(vars_files) and C(include_vars) are read by Ansible's loader without this
    guard; the first play of every stage playbook checks the C(application) variable itself
    (M(govcloud.lifecycle.manifest_preflight)), whatever its source.
"""

from ansible.errors import AnsibleParserError
from ansible.inventory.group import InventoryObjectType
from ansible.plugins.vars import BaseVarsPlugin
from ansible.utils.path import basedir

from ansible_collections.govcloud.lifecycle.plugins.module_utils._yaml_bounds import YamlBoundsError
from ansible_collections.govcloud.lifecycle.plugins.plugin_utils._vars_bounds import LIMITS, check_file, vars_files

SUBDIRS = {InventoryObjectType.HOST: "host_vars", InventoryObjectType.GROUP: "group_vars"}


class VarsModule(BaseVarsPlugin):

    is_stateless = True

    def get_vars(self, loader, path, entities, cache=True):
        super(VarsModule, self).get_vars(loader, path, entities)
        limits = dict((name, self.get_option(name)) for name in LIMITS)
        for entity in entities if isinstance(entities, list) else [entities]:
            subdir = SUBDIRS.get(getattr(entity, "base_type", None))
            if subdir is None:
                continue  # host_group_vars reports an entity it cannot handle
            for found in vars_files(loader, basedir(path), subdir, getattr(entity, "name", None)):
                try:
                    check_file(loader, found, limits)
                except YamlBoundsError as exc:
                    raise AnsibleParserError("%s; refused before Ansible parses it (govcloud.lifecycle.yaml_bounds, "
                                             "docs/manifest.md)" % exc)
        return {}
