#!/usr/bin/python
# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: lifecycle_gate
short_description: Check that the ledger holds what a lifecycle stage transition requires (阶段门禁)
version_added: 1.0.0
description:
  - Looks up, in the evidence ledger, every record the transition into O(stage) requires and fails with one
    message listing every missing or failed item.
  - The requirements per target stage are a table in the collection (documented in docs/evidence.md), e.g.
    V(formal_operation) needs a completed trial run, a passed security assessment (安全测评), an MLPS
    assessment (等保测评) concluding compliant or basically compliant at the graded level, and a filing number
    (备案编号) - or, until O(filing_window_days) after going into operation, a pending filing.
  - The latest record of a kind counts; a later failed assessment overrides an earlier passed one.
  - The gate's own result is appended to the ledger as a C(gate) record (also when it fails).
  - Runs on the controller (action plugin).
extends_documentation_fragment:
  - govcloud.lifecycle.evidence
  - govcloud.lifecycle._attributes
  - govcloud.lifecycle._attributes.CONTROLLER
  - ansible.builtin.action_common_attributes.conn
  - ansible.builtin.action_common_attributes.flow
attributes:
  check_mode:
    support: full
    details:
      - Evaluates the gate and fails as it would, but records nothing.
  diff_mode:
    support: none
  idempotent:
    support: full
    details:
      - Reports C(changed=false) because the gate record it appends each run is an audit log entry, not a state change.
options:
  application:
    description: Application system id (slug).
    type: str
    required: true
  stage:
    description: The stage about to be entered.
    type: str
    required: true
    choices: [application, approval, resource_allocation, network, deployment, hardening, trial,
              security_assessment, mlps_assessment, filing, formal_operation, data_handover, sanitization,
              decommission]
  filing_window_days:
    description:
      - Days after going into operation (the first passed gate into V(formal_operation)) within which the
        filing (备案) must be recorded. Default from 信息安全等级保护管理办法 Art. 15.
    type: int
    default: 30
  approvals:
    description:
      - The approvals the application manifest names (C(application.approvals)), each a mapping with
        C(authority) and C(ref) (文号). Requirements of the kind "every named approval" (target stage
        V(formal_operation)) become one item per approval, met by a passed C(approval) record whose
        C(details.reference) is that C(ref).
    type: list
    elements: dict
    default: []
  rectification:
    description:
      - The manifest's C(application.rectification) block for the requirement "no open blocking rectification
        item" (target stage V(formal_operation)). C(due_days) (default 30) sets when an item becomes overdue,
        C(blocking) (default V([high])) the severities that hold the gate. Items are derived from the ledger;
        a failed control on a host opens one, a later passing check of it on that host or a valid risk
        acceptance (kind V(risk_acceptance)) closes it (docs/evidence.md).
    type: dict
    default: {}
  as_of:
    description:
      - Evaluate time windows as of this UTC date or time instead of now (rehearsals, audits after the fact).
    type: str
  record:
    description: Append the gate's result to the ledger.
    type: bool
    default: true
  actor:
    description: Who asks for the transition. Defaults to C(user@controller).
    type: str
seealso:
  - module: govcloud.lifecycle.evidence_record
"""

EXAMPLES = r"""
- name: Gate | formal operation (正式运行) needs assessment, 等保测评 and 备案
  govcloud.lifecycle.lifecycle_gate:
    application: tax-portal
    stage: formal_operation

- name: Gate | rehearse the decommission gate without recording
  govcloud.lifecycle.lifecycle_gate:
    application: tax-portal
    stage: decommission
    record: false
  check_mode: true
"""

RETURN = r"""
passed:
  description: Whether every requirement is met (pending filings count as met).
  returned: success or gate failure
  type: bool
  sample: false
requirements:
  description: Every requirement with its status (V(ok), V(pending), V(missing), V(failed)), reason and the seq of the deciding record.
  returned: success or gate failure
  type: list
  elements: dict
  sample: [{"id": "filing_number", "status": "pending", "reason": "no filing yet; due within 30 days", "seq": null}]
missing:
  description: Ids of the requirements without any record.
  returned: success or gate failure
  type: list
  elements: str
  sample: ["trial_completed"]
failed_items:
  description: Ids of the requirements whose latest record did not pass.
  returned: success or gate failure
  type: list
  elements: str
  sample: ["mlps_assessment_passed"]
record:
  description: The gate record appended to the ledger.
  returned: when O(record=true) and not in check mode
  type: dict
  sample: {"seq": 57, "kind": "gate", "stage": "formal_operation", "result": "fail"}
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.govcloud.lifecycle.plugins.module_utils._argspec import GATE_SPEC


def main():
    module = AnsibleModule(supports_check_mode=True, **GATE_SPEC)
    module.fail_json(msg="lifecycle_gate runs on the controller as an action plugin; it cannot run as a module")


if __name__ == "__main__":
    main()
