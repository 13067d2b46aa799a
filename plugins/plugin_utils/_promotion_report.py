# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this plugin_util is **PRIVATE** to the collection: it can change at any time.

"""The report's section from trial to formal operation (试运行 → 安全测评 → 等保测评 / 备案 → 正式运行).

PhaseCollector sees every record once (the report streams the ledger) and keeps only what the section shows:
the trial window, the automated assessment runs with the findings of the latest run, the assessor's reports,
the 等保测评 and 备案 records, the gates into formal operation and the promotion.
"""

from __future__ import annotations

# Lists are capped so that a ledger with years of reruns still renders a readable page; the JSON export holds all.
MAX_ROWS = 20
MAX_FINDINGS = 200


def _tail(rows, limit=MAX_ROWS):
    if len(rows) > limit:
        del rows[: len(rows) - limit]


def _base(rec):
    return {"seq": rec.get("seq"), "ts": rec.get("ts") or "", "result": rec.get("result"),
            "summary": rec.get("summary") or "", "actor": rec.get("actor") or ""}


class PhaseCollector:
    def __init__(self):
        self.trial = []
        self.trial_completion = []
        self.runs = []
        self.findings = []
        self.findings_run = None
        self.findings_total = 0
        self.assessor = []
        self.mlps = []
        self.filing = []
        self.gates = []
        self.promotion = []

    def add(self, rec):
        stage, kind = rec.get("stage"), rec.get("kind")
        details = rec.get("details") if isinstance(rec.get("details"), dict) else {}
        if kind == "note" and stage == "trial" and details.get("event") == "trial_start":
            self.trial.append(dict(_base(rec), start=details.get("start_date"), end=details.get("end_date"),
                                   exposure_group=details.get("exposure_group")))
            _tail(self.trial)
        elif kind == "trial_completion":
            self.trial_completion.append(dict(_base(rec), start=details.get("start_date"), end=details.get("end_date"),
                                              conclusion=details.get("conclusion"), incidents=details.get("incidents")))
            _tail(self.trial_completion)
        elif stage == "security_assessment" and kind == "control_check":
            run = details.get("assessment_id")
            if run != self.findings_run:
                self.findings, self.findings_run, self.findings_total = [], run, 0
            self.findings_total += 1
            if len(self.findings) < MAX_FINDINGS:
                self.findings.append(dict(_base(rec), hosts=list(rec.get("targets") or ()),
                                          category=details.get("category"), clauses=list(rec.get("clauses") or ())))
        elif stage == "security_assessment" and kind == "stage_result":
            blocking = details.get("blocking") if isinstance(details.get("blocking"), list) else []
            self.runs.append(dict(_base(rec), assessment_id=details.get("assessment_id"),
                                  hosts=details.get("hosts") or {}, blocking=[str(b) for b in blocking[:MAX_ROWS]],
                                  blocking_total=len(blocking)))
            _tail(self.runs)
        elif kind == "security_assessment":
            self.assessor.append(dict(_base(rec), **_pick(details, "assessor_org", "report_number", "date",
                                                          "conclusion", "open_findings")))
            _tail(self.assessor)
        elif kind == "mlps_assessment":
            self.mlps.append(dict(_base(rec), **_pick(details, "assessor_org", "report_number", "date", "conclusion",
                                                      "level")))
            _tail(self.mlps)
        elif kind == "filing":
            self.filing.append(dict(_base(rec), **_pick(details, "filing_number", "filing_authority", "date", "level")))
            _tail(self.filing)
        elif stage == "formal_operation" and kind == "gate":
            self.gates.append(_base(rec))
            _tail(self.gates)
        elif stage == "formal_operation" and kind == "stage_result":
            self.promotion.append(dict(_base(rec), date=details.get("date"), servers=details.get("servers") or [],
                                       volumes=details.get("volumes") or [],
                                       exposure_group_removed=details.get("exposure_group_removed"),
                                       quotas=details.get("quotas") or {}))
            _tail(self.promotion)

    def model(self):
        latest = self.runs[-1] if self.runs else None
        findings = self.findings if latest is None or latest.get("assessment_id") == self.findings_run else []
        return {
            "trial": list(reversed(self.trial)), "trial_completion": list(reversed(self.trial_completion)),
            "runs": list(reversed(self.runs)),
            "findings": sorted(findings, key=lambda f: (_RANK.get(f["result"], 9), f["hosts"], f["seq"])),
            "findings_total": self.findings_total if findings else 0,
            "assessor": list(reversed(self.assessor)), "mlps": list(reversed(self.mlps)),
            "filing": list(reversed(self.filing)), "gates": list(reversed(self.gates)),
            "promotion": list(reversed(self.promotion)),
            "empty": not (self.trial or self.trial_completion or self.runs or self.assessor or self.mlps
                          or self.filing or self.gates or self.promotion),
        }


# Failures first, then gaps: what an auditor has to look at comes first.
_RANK = {"fail": 0, "gap": 1, "manual": 2, "info": 3, "pass": 4}


def _pick(details, *keys):
    return dict((k, details.get(k)) for k in keys)
