#!/usr/bin/python
# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: report
short_description: Render the auditor report (HTML, JSON export, OSCAL assessment results) from the evidence ledger
version_added: 1.0.0
description:
  - Reads the evidence ledger (证据台账) through the collection's Ledger API, verifies its hash chain and signed
    checkpoints, and writes into O(dest) up to three files.
  - C(evidence-report.html) - one self-contained HTML page (no network resource), in Chinese (V(zh-CN), default) or
    English (V(en)) - application summary, chain verification with the head hash and anchor status, lifecycle
    timeline, a status table per lifecycle clause (C(JX-*)) and per GB/T 22239-2019 control (met / gap /
    missing, with the records behind each), division of duties (职责分工) and service-time checks (审批时限,
    备案 within O(filing_window_days) days of formal operation, periodic 等保测评).
  - C(evidence-records.json) - every record as stored (canonical JSON, one per line) with the head and the
    verification result.
  - C(oscal-assessment-results.json) - a NIST OSCAL 1.1.2 assessment-results document; one finding per clause
    and per control per host (hosts are inventory items), every record an observation citing its hash, with
    its method (TEST for automated checks, EXAMINE/INTERVIEW for attestations). Beside it
    C(oscal-catalog.json) (our 77 control ids and the lifecycle clauses, our paraphrase) and the level-2/3
    profiles C(oscal-profile-level2.json), C(oscal-profile-level3.json) the results reference. UUIDs derive
    from the ledger head, so rendering the same ledger twice gives byte-identical files (and the second run
    reports no change).
  - A record is evidence for a control when C(details.control) or C(clauses) name that control (never for its
    siblings in the sub-clause). Per control and host the newest decisive record decides (met, met by
    attestation (人工核查), manual check due, gap, or no record = never met). Rectification items (整改项) are
    derived from the same records. See C(docs/report.md) for every rule.
  - O(pdf) prints the HTML to C(evidence-report.pdf) with headless Chromium (the print stylesheet).
  - Runs on the controller (action plugin); a missing ledger, a damaged database or an unwritable O(dest) fail
    with a message naming the option. Never creates a ledger.
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
      - Reads the ledger and renders in memory; reports which files would change, writes nothing.
  diff_mode:
    support: full
    details:
      - Returns the SHA-256 of each file before and after.
  idempotent:
    support: full
options:
  application:
    description:
      - Application id. Selects its records and, without O(evidence_dir), the ledger C(evidence/<application>).
      - One of O(application) or O(evidence_dir) is required.
    type: str
  dest:
    description:
      - Directory the files are written to; created if missing.
    type: path
    required: true
  language:
    description:
      - Language of the HTML report.
    type: str
    default: zh-CN
    choices: [zh-CN, en]
  formats:
    description:
      - Which files to write.
    type: list
    elements: str
    default: [html, json, oscal]
    choices: [html, json, oscal]
  as_of:
    description:
      - Reference time of the service-time checks (due soon / overdue), as V(now), a date (C(YYYY-MM-DD)) or an
        ISO-8601 timestamp.
      - Defaults to the time of the newest record, which keeps the files reproducible; V(now) makes them change
        with the clock.
    type: str
  mlps_level:
    description:
      - 等保 level of the system. Defaults to the newest record that states it (C(details.mlps_level) of the
        application, C(details.level) of an assessment or filing).
      - Controls required only at a higher level are shown as not applicable.
    type: int
    choices: [1, 2, 3, 4, 5]
  approval_working_days:
    description:
      - Working days allowed between the application (上线申请) and the approval decision.
    type: int
    default: 5
  filing_window_days:
    description:
      - Calendar days allowed between formal operation and 备案 for level 2 and above (信息安全等级保护管理办法
        Art. 15).
    type: int
    default: 30
  assessment_interval_months:
    description:
      - Maximum months between two 等保测评, per level (keys are levels). Levels not listed have no periodic check.
    type: dict
    default: {"3": 12, "4": 6}
  holidays:
    description:
      - Public holidays (C(YYYY-MM-DD)) that are not working days.
    type: list
    elements: str
    default: []
  extra_workdays:
    description:
      - Weekend days that are working days (调休), C(YYYY-MM-DD).
    type: list
    elements: str
    default: []
  utc_offset:
    description:
      - Time zone in which record times become calendar dates for the checks.
    type: str
    default: "+08:00"
  recent_records:
    description:
      - How many of the newest records the HTML lists; all records are in the JSON export.
    type: int
    default: 20
  rectification:
    description:
      - The manifest's C(application.rectification) block, C(due_days) (default 30) and C(blocking) severities
        (default V([high])), for the rectification items (整改项) section.
    type: dict
    default: {}
  pdf:
    description:
      - Also print the HTML report to C(evidence-report.pdf) with headless Chromium. Printed again only when
        the HTML changed. Fails with a message naming O(chromium) where no Chromium is found (the other files
        are written all the same).
    type: bool
    default: false
  chromium:
    description:
      - The Chromium executable that prints the PDF.
    type: path
    default: /usr/bin/chromium
seealso:
  - module: govcloud.lifecycle.evidence_verify
  - module: govcloud.lifecycle.evidence_record
"""

EXAMPLES = r"""
- name: Render the auditor report of one application (Chinese)
  govcloud.lifecycle.report:
    application: tax-portal
    dest: reports/tax-portal

- name: English HTML only, level given, with the 2026 Spring Festival holidays
  govcloud.lifecycle.report:
    evidence_dir: /audit/tax-portal
    evidence_key: /audit/evidence-signing.pem.pub
    dest: /audit/out
    language: en
    formats: [html]
    mlps_level: 3
    as_of: now
    holidays: ["2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19", "2026-02-20"]
    extra_workdays: ["2026-02-14", "2026-02-28"]
"""

RETURN = r"""
files:
  description: Per format, the file written (or that would be written) with its SHA-256 and whether it changed.
  returned: success
  type: dict
  sample: {"html": {"path": "reports/tax-portal/evidence-report.html", "sha256": "9f2c...", "changed": true}}
dest:
  description: Output directory.
  returned: success
  type: str
evidence_dir:
  description: Ledger directory that was read.
  returned: success
  type: str
record_count:
  description: Number of records in the report.
  returned: success
  type: int
  sample: 1342
head:
  description: Sequence number and hash of the newest record the report covers.
  returned: success
  type: dict
  sample: {"seq": 1342, "hash": "5d1e..."}
verification:
  description: Result of the chain and anchor verification (as returned by M(govcloud.lifecycle.evidence_verify)).
  returned: success
  type: dict
status_counts:
  description: Number of clauses and controls per status.
  returned: success
  type: dict
  sample: {"met": 40, "gap": 3, "missing": 45, "not_applicable": 0}
service_checks:
  description: The service-time checks with start, deadline, completion, status and the records used.
  returned: success
  type: list
  elements: dict
  sample: [{"id": "filing_deadline", "status": "met", "start": "2026-05-10", "deadline": "2026-06-09",
            "done": "2026-05-20", "records": [12, 13], "limit": 30, "reason": null}]
mlps_level:
  description: Level used for the checks, null when unknown.
  returned: success
  type: int
language:
  description: Language of the HTML report.
  returned: success
  type: str
msg:
  description: What was (or in check mode would be) written.
  returned: always
  type: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.govcloud.lifecycle.plugins.module_utils._argspec import REPORT_SPEC


def main():
    module = AnsibleModule(supports_check_mode=True, **REPORT_SPEC)
    module.fail_json(msg="report runs on the controller as an action plugin; it cannot run as a module")


if __name__ == "__main__":
    main()
