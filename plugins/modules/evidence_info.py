#!/usr/bin/python
# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: evidence_info
short_description: Query records of the evidence ledger
version_added: 1.0.0
description:
  - Returns the records that match every given filter, in sequence order.
  - A ledger that does not exist yet gives an empty list, not an error.
  - Runs on the controller (action plugin).
extends_documentation_fragment:
  - govcloud.lifecycle.evidence
  - govcloud.lifecycle._attributes
  - govcloud.lifecycle._attributes.INFO_MODULE
  - govcloud.lifecycle._attributes.CONTROLLER
  - ansible.builtin.action_common_attributes.conn
  - ansible.builtin.action_common_attributes.flow
options:
  application:
    description:
      - Only records of this application; also names the default O(evidence_dir) (C(evidence/<application>)).
      - One of O(application) or O(evidence_dir) is required.
    type: str
  stage:
    description: Only records of these lifecycle stages.
    type: list
    elements: str
    choices: [application, approval, resource_allocation, network, deployment, hardening, trial,
              security_assessment, mlps_assessment, filing, formal_operation, data_handover, sanitization,
              decommission]
  kind:
    description: Only records of these kinds.
    type: list
    elements: str
    choices: [application, approval, security_assessment, mlps_assessment, filing, trial_completion, data_handover,
              wipe, stage_result, gate, control_check, task, evidence_gap, note, attestation, risk_acceptance]
  clause:
    description:
      - Only records citing one of these clauses or a sub-clause of them (V(8.1.4) matches V(8.1.4.1.a)).
    type: list
    elements: str
  result:
    description: Only records with one of these results.
    type: list
    elements: str
    choices: [pass, fail, gap, changed, info, manual]
  since:
    description: Only records at or after this UTC date or time (ISO-8601, e.g. V(2026-05-01) or V(2026-05-01T08:00:00Z)).
    type: str
  until:
    description: Only records at or before this UTC date (the whole day) or time.
    type: str
  limit:
    description: At most this many records.
    type: int
  newest_first:
    description: Newest records first (with O(limit), the newest N).
    type: bool
    default: false
  verify:
    description:
      - Verify the whole ledger first (chain, every record's signature, signed checkpoints, pinned key, witness) and
        fail naming the first bad record instead of returning records that a decision could rest on.
      - Set V(false) only to read a ledger known to be damaged, for example to examine it.
    type: bool
    default: true
seealso:
  - module: govcloud.lifecycle.evidence_record
"""

EXAMPLES = r"""
- name: Every failed GB/T 22239 8.1.4 check of this month
  govcloud.lifecycle.evidence_info:
    application: tax-portal
    clause: ["8.1.4"]
    result: [fail, gap]
    since: "2026-05-01"
  register: evidence_info_failed

- name: The latest filing record
  govcloud.lifecycle.evidence_info:
    application: tax-portal
    kind: [filing]
    newest_first: true
    limit: 1
  register: evidence_info_filing
"""

RETURN = r"""
records:
  description: Matching records (fields as documented in docs/evidence.md).
  returned: success
  type: list
  elements: dict
  sample: [{"seq": 3, "kind": "filing", "stage": "filing", "result": "pass", "details": {"filing_number": "36010099001-26001"}}]
matched:
  description: Number of records returned.
  returned: success
  type: int
  sample: 1
total:
  description: Number of records in the ledger.
  returned: success
  type: int
  sample: 1000
head:
  description: Newest record's seq and hash.
  returned: success
  type: dict
  sample: {"seq": 1000, "hash": "c6f379c3ee8681cba421673cd013d9e894f85c0afd19b70cdd707788c322440b"}
ledger:
  description: Path of the ledger database.
  returned: success
  type: str
  sample: /srv/evidence/tax-portal/ledger.sqlite
verified:
  description: Whether the ledger was verified before it was read (O(verify) and a ledger that exists).
  returned: success
  type: bool
  sample: true
key_id:
  description: Id of the key the verified ledger is signed with (first 32 hex digits of its SHA-256).
  returned: when verified
  type: str
  sample: 1e337437121b5a102bb18873e5c7cddc
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.govcloud.lifecycle.plugins.module_utils._argspec import INFO_SPEC


def main():
    module = AnsibleModule(supports_check_mode=True, **INFO_SPEC)
    module.fail_json(msg="evidence_info runs on the controller as an action plugin; it cannot run as a module")


if __name__ == "__main__":
    main()
