#!/usr/bin/python
# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: evidence_record
short_description: Append typed records to the evidence ledger (证据台账)
version_added: 1.0.0
description:
  - Appends one record to the append-only, hash-chained evidence ledger of an application system and signs the
    new head (checkpoint) with the anchor key.
  - With O(records), appends a batch of records in one transaction (all or nothing) and signs the head once,
    e.g. one record per control check of a host.
  - Used directly for approvals (审批), security assessment (安全测评) and MLPS assessment (等保测评) results,
    filing numbers (备案编号), trial completion (试运行) and data handover confirmations (数据移交确认); every
    other change is recorded by the C(govcloud.lifecycle.evidence) callback.
  - Each O(kind) has a schema of required O(details) (see O(kind)); a record that does not fit is refused and
    nothing is written.
  - Secrets never enter the ledger. Values under secret-looking keys (password, token, secret, private key,
    credential, api key, ...), values of secret-named variables of the task, PEM private keys, tokens and
    passwords inside URLs or command lines are replaced by C(<redacted>) before the record is hashed.
  - Runs on the controller (action plugin) whatever host the task targets.
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
      - Validates the record and returns it as it would be written, with the sequence number it would get.
  diff_mode:
    support: full
  idempotent:
    support: partial
    details:
      - Every run appends a record (evidence of each run) unless O(once=true), which appends only when no
        identical record (same application, stage, kind and content) exists; with O(records) this applies to
        each item.
options:
  application:
    description:
      - Application system id (a slug, e.g. V(tax-portal)), the system the record belongs to.
      - With O(records), applies to every item (one ledger, one transaction).
    type: str
    required: true
  records:
    description:
      - Several records to append in one transaction instead of a single one.
      - Each item is a mapping with the single-record fields O(kind) (required), O(stage), O(clauses), O(party),
        O(actor), O(targets), O(result), O(summary), O(details) and O(artifacts), with the same meaning,
        defaults and checks.
      - Every item is validated before anything is written; the first invalid item fails the task with its
        index and field named (e.g. C(records[3]) and C(details.level)) and nothing is appended.
      - Mutually exclusive with the single-record fields.
    type: list
    elements: dict
  kind:
    description:
      - Record type. One of O(kind) and O(records) is required. Required O(details) per kind
        (types in brackets; C(date) is V(YYYY-MM-DD)).
      - V(application) (上线申请) C(applicant_org), C(system_name), C(mlps_level) [int], C(date).
      - V(approval) (审批) C(approver), C(decision) [V(approved), V(rejected), V(conditional)], C(date);
        optional C(subject) (V(application) default, or V(decommission)), C(reference), C(conditions).
      - V(security_assessment) (安全测评) C(assessor_org), C(report_number), C(date), C(conclusion) [V(passed), V(failed)].
      - V(mlps_assessment) (等保测评) C(assessor_org), C(report_number), C(date),
        C(conclusion) [V(compliant), V(basically_compliant), V(non_compliant)], C(level) [int].
      - V(filing) (备案) C(filing_number), C(filing_authority), C(date).
      - V(trial_completion) (试运行结束) C(start_date), C(end_date), C(conclusion) [V(completed), V(aborted)].
      - V(data_handover) (数据移交) C(items) [list of names or of mappings with C(name), C(description), C(format)],
        C(confirmed_by), C(confirmation_date).
      - V(wipe) (数据清除) C(method), C(verification).
      - V(gate) (阶段门禁) C(target_stage); written by M(govcloud.lifecycle.lifecycle_gate).
      - V(attestation) (人工核查, result of a manual check) C(control), C(result) [V(met), V(not_met), V(not_applicable)],
        C(attested_by), C(role), C(date), C(reference), C(valid_until); C(reason) when not applicable; record it
        through C(playbooks/record_attestations.yml), which validates the whole file first.
      - V(risk_acceptance) (风险接受) C(control), C(accepted_by), C(reason), C(date), C(expires).
      - V(stage_result), V(control_check), V(task), V(evidence_gap), V(note) have free-form details.
    type: str
    choices: [application, approval, security_assessment, mlps_assessment, filing, trial_completion, data_handover,
              wipe, stage_result, gate, control_check, task, evidence_gap, note, attestation, risk_acceptance]
  stage:
    description:
      - Lifecycle stage (阶段) the record belongs to. Defaults to the kind's own stage (e.g. V(filing) for
        O(kind=filing)); required for kinds without one.
    type: str
    choices: [application, approval, resource_allocation, network, deployment, hardening, trial,
              security_assessment, mlps_assessment, filing, formal_operation, data_handover, sanitization,
              decommission]
  clauses:
    description:
      - Clause references the record is evidence for, e.g. V(5.3) of the standard or the GB/T 22239-2019
        control id V(8.1.4.1.a).
    type: list
    elements: str
    default: []
  party:
    description:
      - Responsible party (职责分工) - V(cloud_service_provider) (云服务方), V(customer) (云服务客户) or
        V(management_unit) (管理单位). Defaults per kind (e.g. V(management_unit) for approvals).
    type: str
    choices: [cloud_service_provider, customer, management_unit]
  actor:
    description:
      - Who did it (person or system account). Defaults to C(user@controller).
    type: str
  targets:
    description:
      - Cloud resource ids or host names the record is about. Defaults to the task's C(inventory_hostname).
    type: list
    elements: str
  result:
    description:
      - Outcome. Defaults from the details for typed kinds (e.g. a V(rejected) approval is V(fail)), else V(info).
    type: str
    choices: [pass, fail, gap, changed, info, manual]
  summary:
    description:
      - One line for humans (reports show it).
    type: str
    default: ""
  details:
    description:
      - Kind-specific data, checked against the kind's schema (see O(kind)); any JSON-compatible mapping.
    type: dict
    default: {}
  artifacts:
    description:
      - Files attached by hash (SHA-256), e.g. a scanned approval or the assessment report PDF.
      - Each item is a controller file path (relative paths as for M(ansible.builtin.copy) C(src)), a mapping
        with C(path) and optional C(name), or a mapping with C(name) and C(sha256).
    type: list
    elements: raw
    default: []
  once:
    description:
      - Append only if no record with the same application, stage, kind and content exists yet, so rerunning a
        playbook does not record the same approval twice.
    type: bool
    default: false
  checkpoint:
    description:
      - Sign the new head into the anchor file right away. Leave on unless many records follow in a loop
        (better, give them as O(records)); an unsigned tail is only protected by the hash chain (see
        docs/evidence.md).
    type: bool
    default: true
seealso:
  - module: govcloud.lifecycle.evidence_verify
  - module: govcloud.lifecycle.evidence_info
  - module: govcloud.lifecycle.lifecycle_gate
"""

EXAMPLES = r"""
- name: Record the approval of the go-online application (上线审批)
  govcloud.lifecycle.evidence_record:
    application: tax-portal
    kind: approval
    clauses: ["5.1"]
    summary: Go-online application approved by the cloud management unit
    details:
      approver: Li Wei
      decision: approved
      date: "2026-03-02"
      reference: JXGOV-2026-0113
    artifacts:
      - files/approval-2026-0113.pdf
    once: true

- name: Record the MLPS assessment result (等保测评结论)
  govcloud.lifecycle.evidence_record:
    application: tax-portal
    kind: mlps_assessment
    details:
      assessor_org: Jiangxi Cybersecurity Assessment Center
      report_number: "DJCP-36-2026-0042"
      date: "2026-05-20"
      conclusion: basically_compliant
      level: 3

- name: Record the filing number (备案)
  govcloud.lifecycle.evidence_record:
    application: tax-portal
    kind: filing
    details:
      filing_number: "36010099001-26001"
      filing_authority: Nanchang Public Security Bureau
      date: "2026-06-01"

- name: Record the result of every control check of a host in one transaction (控制项检查)
  govcloud.lifecycle.evidence_record:
    application: tax-portal
    once: true
    records:
      - kind: control_check
        stage: hardening
        clauses: ["8.1.4.1.a"]
        result: pass
        summary: "8.1.4.1.a-01 | User names and UIDs are unique: pass"
        details: {control: 8.1.4.1.a-01, expected: no duplicates, actual: "duplicates: none"}
      - kind: control_check
        stage: hardening
        clauses: ["8.1.4.1.b"]
        result: gap
        summary: "8.1.4.1.b-03 | Log out idle shells: gap"
        details: {control: 8.1.4.1.b-03, expected: "TMOUT <= 600", actual: "TMOUT=unset"}

- name: Record the customer's confirmation of the data handover (数据移交确认)
  govcloud.lifecycle.evidence_record:
    application: tax-portal
    kind: data_handover
    details:
      items:
        - name: db-dump-2026-12-01.sql.gz
          description: Full database export
          format: PostgreSQL custom dump
        - name: run logs 2026
      confirmed_by: Wang Fang (customer)
      confirmation_date: "2026-12-03"
"""

RETURN = r"""
record:
  description: The record as stored (or, in check mode, as it would be stored; then without C(ts) and C(hash)).
  returned: success, without O(records)
  type: dict
  contains:
    seq:
      description: Sequence number, 1-based.
      type: int
      sample: 42
    ts:
      description: UTC time of the append, ISO-8601 with microseconds.
      type: str
      sample: "2026-05-20T08:15:02.123456Z"
    hash:
      description: SHA-256 of the canonical JSON of every other field.
      type: str
      sample: 5f1c4e9ab0c3d1f28e8e1f3c7b1b9b0a6f0b1e2d3c4b5a69788796a5b4c3d2e1
    prev_hash:
      description: Hash of the previous record (64 zeros for the first).
      type: str
      sample: 0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9
records:
  description:
    - With O(records), the records appended, in order (in check mode, as they would be stored; then without
      C(ts), C(hash) and, but for the first, C(prev_hash)). Items skipped by O(once) are not in it.
  returned: success, with O(records)
  type: list
  elements: dict
  sample: [{"seq": 43, "kind": "control_check", "result": "pass", "clauses": ["8.1.4.1.a"]}]
existing:
  description: With O(records) and O(once=true), the sequence numbers of the existing records that made items skipped.
  returned: success, with O(records)
  type: list
  elements: int
  sample: [12, 13]
ledger:
  description: Path of the ledger database.
  returned: always
  type: str
  sample: /srv/evidence/tax-portal/ledger.sqlite
anchor:
  description: The signed checkpoint written after the append (seq, hash, count, ts, key_id, prev, sig).
  returned: when a record was appended and O(checkpoint=true)
  type: dict
  sample: {"seq": 42, "count": 42, "key_id": "4cdd6337696be8aff9643d5ec4e73e49"}
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.govcloud.lifecycle.plugins.module_utils._argspec import RECORD_SPEC


def main():
    module = AnsibleModule(supports_check_mode=True, **RECORD_SPEC)
    module.fail_json(msg="evidence_record runs on the controller as an action plugin; it cannot run as a module")


if __name__ == "__main__":
    main()
