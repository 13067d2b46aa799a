#!/usr/bin/python
# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: evidence_verify
short_description: Verify the evidence ledger's chain, signatures, pinned key and witness
version_added: 1.0.0
description:
  - Recomputes the SHA-256 of every record in sequence order and checks that each links to the previous one,
    then checks the signed checkpoints (anchor) against the key.
  - Detects a changed field of any record, a deleted or reordered record, a chain rewritten with recomputed
    hashes (differs from a signed head) and deleted newest records (fewer records than a signed head).
  - On failure names the first bad sequence number and why.
  - Checks every seal (the signature each committed batch carries) with the key; a record that neither a valid
    seal nor a signed checkpoint covers was added without the key and fails the verification, wherever it sits.
  - Checks that the key is the pinned one (C(govcloud_evidence_key_id), else the key the management unit's
    witness first saw) and that the ledger holds every head the witness holds, in operator and auditor mode.
  - A missing ledger that the witness knows is reported as missing, with the last witnessed head.
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
      - Application id, used to find the default O(evidence_dir) (C(evidence/<application>)).
      - One of O(application) or O(evidence_dir) is required.
    type: str
  require_anchor:
    description:
      - Fail if the signatures (seals and signed checkpoints) cannot be checked (no key). Set to V(false) to check
        the hash chain alone.
    type: bool
    default: true
  require_witness:
    description:
      - Fail if the management unit's witness ledger (E(GOVCLOUD_WITNESS_DIR)) holds no checkpoint of this ledger.
        Whatever this says, a witness that disagrees with the ledger (records cut off, another key, another ledger
        in this directory) always fails the verification.
      - Set to V(false) to verify a copy without access to the witness; truncation of records together with the
        anchor file is then not detected (docs/evidence.md, trust model).
    type: bool
    default: true
  fail_on_error:
    description:
      - Fail the task when verification fails. With V(false) the result is returned in RV(ok) for a later
        M(ansible.builtin.assert).
    type: bool
    default: true
seealso:
  - module: govcloud.lifecycle.evidence_record
"""

EXAMPLES = r"""
- name: Verify the ledger before the report is built
  govcloud.lifecycle.evidence_verify:
    application: tax-portal

- name: An auditor verifies a copy with the public key only
  govcloud.lifecycle.evidence_verify:
    evidence_dir: /audit/tax-portal
    evidence_key: /audit/evidence-signing.pem.pub
  register: evidence_verify_result
"""

RETURN = r"""
ok:
  description: Whether chain and anchor verified.
  returned: success
  type: bool
  sample: true
count:
  description: Number of records.
  returned: success
  type: int
  sample: 1000
first_bad_seq:
  description: Sequence number of the first bad (or missing) record, null when all is well.
  returned: success
  type: int
  sample: 57
reason:
  description: Why verification failed, null when all is well.
  returned: success
  type: str
  sample: "record 57 was altered: its content no longer matches its hash"
verify:
  description: Full verification report.
  returned: success
  type: dict
  contains:
    head_seq:
      description: Sequence number of the newest record.
      type: int
      sample: 1000
    head_hash:
      description: Hash of the newest record.
      type: str
      sample: c6f379c3ee8681cba421673cd013d9e894f85c0afd19b70cdd707788c322440b
    anchor:
      description: Result of the signed checkpoint check (checked, ok, signed_seq, unsigned_records, reason, file).
      type: dict
      returned: always
      sample: {"checked": true, "ok": true, "signed_seq": 1000, "unsigned_records": 0}
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.govcloud.lifecycle.plugins.module_utils._argspec import VERIFY_SPEC


def main():
    module = AnsibleModule(supports_check_mode=True, **VERIFY_SPEC)
    module.fail_json(msg="evidence_verify runs on the controller as an action plugin; it cannot run as a module")


if __name__ == "__main__":
    main()
