#!/usr/bin/python
# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: destructive_confirmation
short_description: Require the operator to type a destructive run's confirmation, as typed (确认)
version_added: 1.0.0
description:
  - "Compares the value of the variable O(variable) B(as the operator typed it) with O(expected), before Ansible
    renders it. A value that is itself a template (for example a C(secure_decommission_confirm) given with
    C(-e) as C({{ application.id }})) is refused even when it would render to the expected value, because a
    template confirms nothing."
  - Fails, naming the variable and what to type, when the variable is missing, a template, or a different value;
    changes nothing. Put it before the first task of a destructive run that changes or records anything, so a
    refused run leaves only the record of its refusal (the evidence callback records the failed task).
  - Runs on the controller (action plugin); it reads the variable from the task's variables, never from the
    module arguments, which Ansible would already have rendered.
extends_documentation_fragment:
  - govcloud.lifecycle._attributes
  - govcloud.lifecycle._attributes.CONTROLLER
  - ansible.builtin.action_common_attributes.conn
  - ansible.builtin.action_common_attributes.flow
attributes:
  check_mode:
    support: full
    details:
      - Checks as in a real run; it never changes anything.
  diff_mode:
    support: none
  idempotent:
    support: full
options:
  variable:
    description: Name of the variable that holds the operator's confirmation (e.g. V(secure_decommission_confirm)).
    type: str
    required: true
  expected:
    description: The value the operator must type (e.g. the application id).
    type: str
    required: true
  what:
    description: What is being confirmed, for the message.
    type: str
    default: this destructive run
  fail_on_mismatch:
    description:
      - V(false) reports a missing or different value in RV(confirmed) and RV(typed) instead of failing, so that one
        verdict can list it beside the other preconditions. A template fails in any case.
    type: bool
    default: true
seealso:
  - module: govcloud.lifecycle.lifecycle_gate
"""

EXAMPLES = r"""
- name: Decommission | The operator typed the application id
  govcloud.lifecycle.destructive_confirmation:
    variable: secure_decommission_confirm
    expected: "{{ secure_decommission_application_id }}"
    what: the decommission of {{ secure_decommission_application_id }}
"""

RETURN = r"""
confirmed:
  description: Whether the confirmation was typed as expected.
  returned: success
  type: bool
  sample: true
typed:
  description: The confirmation as typed (empty when not given); compare this, never the rendered variable.
  returned: success
  type: str
  sample: dc-app
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.govcloud.lifecycle.plugins.module_utils._argspec import CONFIRM_SPEC


def main():
    module = AnsibleModule(supports_check_mode=True, **CONFIRM_SPEC)
    module.fail_json(msg="destructive_confirmation runs on the controller as an action plugin; it cannot run as a module")


if __name__ == "__main__":
    main()
