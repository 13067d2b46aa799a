# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this module_util is **PRIVATE** to the collection: it can change at any time.

"""The evidence vocabulary: stages, results, parties, record fields and the per-kind schemas.

Kept in module_utils because the modules' argument specs (module_utils/_argspec.py) take their choices from
it; the ledger itself is controller code (plugin_utils/evidence.py).  See docs/evidence.md.
"""

from __future__ import annotations


class EvidenceError(Exception):
    """A problem with evidence input or storage, with a message meant for an operator."""


STAGES = (
    "application", "approval", "resource_allocation", "network", "deployment", "hardening", "trial",
    "security_assessment", "mlps_assessment", "filing", "formal_operation", "data_handover", "sanitization",
    "decommission",
)
STAGE_TERMS = {
    "application": ("上线申请", "Application"),
    "approval": ("审批", "Approval"),
    "resource_allocation": ("资源分配", "Resource allocation"),
    "network": ("网络配置", "Network"),
    "deployment": ("系统部署", "Deployment"),
    "hardening": ("安全加固", "Hardening"),
    "trial": ("系统试运行", "Trial run"),
    "security_assessment": ("安全测评", "Security assessment"),
    "mlps_assessment": ("等保测评", "MLPS assessment"),
    "filing": ("备案", "Filing"),
    "formal_operation": ("系统正式运行", "Formal operation"),
    "data_handover": ("数据移交", "Data handover"),
    "sanitization": ("数据清除", "Sanitization"),
    "decommission": ("系统下线", "Decommission"),
}
RESULTS = ("pass", "fail", "gap", "changed", "info", "manual")
RESULT_TERMS = {
    "pass": ("通过", "Pass"),
    "fail": ("不通过", "Fail"),
    "gap": ("差距", "Gap"),
    "changed": ("已变更", "Changed"),
    "info": ("信息", "Info"),
    "manual": ("需人工核查", "Manual check"),
}
PARTIES = ("cloud_service_provider", "customer", "management_unit")
PARTY_TERMS = {
    "cloud_service_provider": ("云服务方", "Cloud service provider"),
    "customer": ("云服务客户", "Cloud service customer"),
    "management_unit": ("管理单位", "Cloud management unit"),
}
# The witness ledger's own records sit outside the lifecycle (never in an application's ledger).
WITNESS_STAGE = "evidence"
WITNESS_APPLICATION = "witness"
FIELDS = (
    "seq", "ts", "application", "stage", "kind", "clauses", "party", "actor", "targets", "result", "summary",
    "details", "artifacts", "prev_hash", "hash",
)
_JSON_FIELDS = ("clauses", "targets", "details", "artifacts")

# Per-kind schema: required/optional detail fields with their type, default stage and party, and how the
# record's result follows from its details when the caller gives none.  Documented in docs/evidence.md.
# Types: "str", "date" (YYYY-MM-DD), "int", "bool", "list", "dict", or a tuple of allowed strings.
MLPS_CONCLUSIONS = ("compliant", "basically_compliant", "non_compliant")
KIND_SCHEMAS = {
    "application": {
        "zh": "上线申请", "stage": "application", "party": "customer",
        "required": {"applicant_org": "str", "system_name": "str", "mlps_level": "int", "date": "date"},
        "optional": {"responsible_persons": "list", "resources": "dict", "description": "str"},
    },
    "approval": {
        "zh": "审批", "stage": "approval", "party": "management_unit",
        "required": {"approver": "str", "decision": ("approved", "rejected", "conditional"), "date": "date"},
        "optional": {"subject": "str", "reference": "str", "conditions": "str"},
        "result": lambda d: "fail" if d["decision"] == "rejected" else "pass",
    },
    "security_assessment": {
        "zh": "安全测评", "stage": "security_assessment", "party": "management_unit",
        "required": {"assessor_org": "str", "report_number": "str", "date": "date",
                     "conclusion": ("passed", "failed")},
        "optional": {"open_findings": "int", "scope": "str"},
        "result": lambda d: "pass" if d["conclusion"] == "passed" else "fail",
    },
    "mlps_assessment": {
        "zh": "等保测评", "stage": "mlps_assessment", "party": "customer",
        "required": {"assessor_org": "str", "report_number": "str", "date": "date",
                     "conclusion": MLPS_CONCLUSIONS, "level": "int"},
        "optional": {"score": "float", "valid_until": "date"},
        "result": lambda d: "fail" if d["conclusion"] == "non_compliant" else "pass",
    },
    "filing": {
        "zh": "备案", "stage": "filing", "party": "customer",
        "required": {"filing_number": "str", "filing_authority": "str", "date": "date"},
        "optional": {"level": "int", "certificate": "str"},
        "result": lambda d: "pass",
    },
    "trial_completion": {
        "zh": "试运行结束", "stage": "trial", "party": "customer",
        "required": {"start_date": "date", "end_date": "date", "conclusion": ("completed", "aborted")},
        "optional": {"incidents": "int", "notes": "str"},
        "result": lambda d: "pass" if d["conclusion"] == "completed" else "fail",
    },
    "data_handover": {
        "zh": "数据移交", "stage": "data_handover", "party": "customer",
        "required": {"items": "list", "confirmed_by": "str", "confirmation_date": "date"},
        "optional": {"method": "str", "notes": "str"},
        "result": lambda d: "pass",
    },
    "wipe": {
        "zh": "数据清除", "stage": "sanitization", "party": "cloud_service_provider",
        "required": {"method": "str", "verification": "str"},
        "optional": {"media": "str", "tool": "str", "validator": "str", "date": "date"},
    },
    "stage_result": {"zh": "阶段结果", "required": {}, "optional": {}},
    "gate": {"zh": "阶段门禁", "required": {"target_stage": STAGES}, "optional": {"items": "list"}},
    "control_check": {"zh": "控制项检查", "required": {}, "optional": {}},
    "task": {"zh": "任务变更", "required": {}, "optional": {}},
    "evidence_gap": {"zh": "证据缺失", "required": {}, "optional": {}},
    "note": {"zh": "说明", "required": {}, "optional": {}},
    # a signed checkpoint of an application's ledger, copied into the management unit's witness ledger
    "witness": {
        "zh": "见证检查点", "stage": WITNESS_STAGE, "party": "management_unit",
        "required": {"ledger_id": "str", "directory": "str", "seq": "int", "hash": "str", "count": "int",
                     "key_id": "str", "sig": "str"},
        "optional": {"checkpoint_ts": "str", "witnessed_application": "str"},
        "result": lambda d: "info",
    },
}
# Manual checks (人工核查) and risk acceptance (风险接受): docs/evidence.md; the report and the promotion gate read
# them through plugin_utils/_findings.py, playbooks/record_attestations.yml records them from a validated file.
ATTESTATION_RESULTS = {"met": "pass", "not_met": "fail", "not_applicable": "info"}
ATTESTATION_METHODS = ("examine", "interview", "test")


def _attestation_check(d):
    if d["result"] == "not_applicable" and not str(d.get("reason") or "").strip():
        raise EvidenceError("details.reason: a manual check found not applicable needs the reason")
    if d["valid_until"] < d["date"]:
        raise EvidenceError("details.valid_until: %s is before the check's date %s" % (d["valid_until"], d["date"]))


def _acceptance_check(d):
    if d["expires"] < d["date"]:
        raise EvidenceError("details.expires: %s is before the acceptance's date %s" % (d["expires"], d["date"]))


KIND_SCHEMAS.update({
    "attestation": {
        "zh": "人工核查", "stage": "security_assessment", "party": "customer",
        "required": {"control": "str", "result": tuple(ATTESTATION_RESULTS), "attested_by": "str", "role": "str",
                     "date": "date", "reference": "str", "valid_until": "date"},
        "optional": {"reason": "str", "hosts": "list", "method": ATTESTATION_METHODS, "name": "str", "notes": "str"},
        "result": lambda d: ATTESTATION_RESULTS[d["result"]],
        "check": _attestation_check,
    },
    "risk_acceptance": {
        "zh": "风险接受", "stage": "security_assessment", "party": "customer",
        "required": {"control": "str", "accepted_by": "str", "reason": "str", "date": "date", "expires": "date"},
        "optional": {"hosts": "list", "role": "str", "reference": "str", "name": "str"},
        "result": lambda d: "pass",
        "check": _acceptance_check,
    },
})
# Kinds callers may record; "witness" is written by the ledger itself, into the witness ledger only.
KINDS = tuple(k for k in KIND_SCHEMAS if k != "witness")
