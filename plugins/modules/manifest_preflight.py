#!/usr/bin/python
# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: manifest_preflight
short_description: Refuse an oversized or alias-bomb manifest before anything templates it
version_added: 1.0.0
description:
  - The first task of every stage playbook (C(playbooks/manifest.yml)). It reads the files Ansible's
    C(host_group_vars) reads for this host (C(group_vars/all/application.yml) is one of them) next to each
    inventory source and the playbook, and any O(files) given, with the collection's bounded YAML reader, and
    measures the manifest variable O(variable) as it was loaded, B(without templating it).
  - It fails, naming the file or the variable and the limit exceeded, when a file is larger than O(max_bytes),
    has more than O(max_aliases) aliases, more than O(max_nodes) nodes with aliases expanded or deeper nesting
    than O(max_depth); or when the variable, with its shared (aliased) parts expanded, has more than O(max_nodes)
    nodes, more than O(max_bytes) bytes of text or deeper nesting than O(max_depth).
  - "Why a separate task before M(govcloud.lifecycle.manifest_validate): templating C({{ application }}) expands
    every alias, so a billion-laughs manifest of 600 bytes that Ansible loads in milliseconds hangs that task (it
    was still running after 240 s, memory growing); measuring the loaded data by identity takes microseconds."
  - The vars plugin C(govcloud.lifecycle.yaml_bounds) makes the same file checks before Ansible parses the files
    (where a 50 MB file alone costs ~10 s and ~800 MB); this task also covers runs without it and manifests given
    with C(-e @file) or C(vars_files). See docs/manifest.md, section "Bounded parsing".
  - Runs on the controller (action plugin); reads, never writes.
extends_documentation_fragment:
  - govcloud.lifecycle._attributes
  - govcloud.lifecycle._attributes.INFO_MODULE
options:
  variable:
    description: Name of the variable that holds the manifest.
    type: str
    default: application
  files:
    description: More manifest files to check, besides the inventory's and the playbook's C(group_vars)/C(host_vars).
    type: list
    elements: path
    default: []
  max_bytes:
    description: Largest file, and most text in the variable (UTF-8 bytes, aliases expanded).
    type: int
    default: 4194304
  max_aliases:
    description: Most alias references (C(*name)) in one file.
    type: int
    default: 100
  max_nodes:
    description: Most nodes (scalars, lists, mappings) with aliases expanded, in a file and in the variable.
    type: int
    default: 100000
  max_depth:
    description: Deepest nesting of lists and mappings.
    type: int
    default: 64
seealso:
  - module: govcloud.lifecycle.manifest_validate
  - name: Manifest guide
    description: The bounds, what Ansible does before our code runs, and what is in the collection's hands.
    link: https://example.invalid/govcloud/lifecycle/docs/manifest.md
"""

EXAMPLES = r"""
- name: Refuse an oversized or alias-bomb manifest before it is templated
  govcloud.lifecycle.manifest_preflight:

- name: Check a manifest kept outside the inventory as well
  govcloud.lifecycle.manifest_preflight:
    files: [/srv/applications/jx-bdcdj/application.yml]
"""

RETURN = r"""
files:
  description: Each file checked, with its size in bytes.
  returned: always
  type: list
  elements: dict
  sample: [{"path": "/srv/inventories/jx-bdcdj/group_vars/all/application.yml", "bytes": 4482}]
nodes:
  description: Nodes of the manifest variable with its shared parts expanded (0 when the variable is not set).
  returned: success
  type: int
  sample: 326
text_bytes:
  description: UTF-8 bytes of text (keys and values) in the manifest variable, shared parts expanded.
  returned: success
  type: int
  sample: 3120
limit:
  description: The option of the limit exceeded (C(max_bytes), C(max_aliases), C(max_nodes), C(max_depth)).
  returned: failure
  type: str
  sample: max_nodes
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.govcloud.lifecycle.plugins.module_utils._argspec import MANIFEST_PREFLIGHT_SPEC


def main():
    module = AnsibleModule(supports_check_mode=True, **MANIFEST_PREFLIGHT_SPEC)
    module.fail_json(msg="manifest_preflight reads the controller's inventory and variables as an action plugin; "
                         "it cannot run as a module")


if __name__ == "__main__":
    main()
