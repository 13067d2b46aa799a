# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this plugin_util is **PRIVATE** to the collection: it can change at any time.

"""Stage-transition requirements (阶段门禁) evaluated against the evidence ledger.

GATE_REQUIREMENTS maps a target stage to what must already be in the ledger; docs/evidence.md renders
the same table for operators and auditors.
"""

from __future__ import annotations

import datetime

from ansible_collections.govcloud.lifecycle.plugins.plugin_utils import _findings
from ansible_collections.govcloud.lifecycle.plugins.plugin_utils.evidence import (
    STAGES,
    STAGE_TERMS,
    EvidenceError,
    parse_ts,
    utc_now,
)

# Source of the default: 信息安全等级保护管理办法 Art. 15 (filing within 30 days of going into operation).
FILING_WINDOW_DAYS = 30
_MLPS_OK = ("compliant", "basically_compliant")
_AUTHORITY_ZH = {"supervisor": "主管部门", "management_unit": "管理单位", "cyberspace_admin": "网信部门"}


def _req(rid, zh, en, check, **params):
    return dict(id=rid, zh=zh, en=en, check=check, **params)


def _stage_done(stage):
    zh, en = STAGE_TERMS[stage]
    return _req("%s_completed" % stage, "%s阶段已完成" % zh, "%s stage completed" % en, "stage_result", stage=stage)


GATE_REQUIREMENTS = {
    "application": [],
    "approval": [
        _req("application_submitted", "已提交上线申请", "application submitted", "record", kind="application"),
    ],
    "resource_allocation": [
        _req("online_approved", "上线申请已审批通过", "go-online application approved", "record", kind="approval",
             subject="application"),
    ],
    "network": [_stage_done("resource_allocation")],
    "deployment": [_stage_done("network")],
    "hardening": [_stage_done("deployment")],
    "trial": [_stage_done("hardening")],
    "security_assessment": [_stage_done("hardening")],
    "mlps_assessment": [
        _req("security_assessment_passed", "安全测评通过", "security assessment passed", "record",
             kind="security_assessment"),
    ],
    "filing": [
        _req("mlps_assessment_passed", "等保测评结论为符合或基本符合", "MLPS assessment compliant or basically compliant",
             "mlps"),
    ],
    "formal_operation": [
        _req("trial_completed", "试运行已完成", "trial run completed", "record", kind="trial_completion"),
        # the collection's own technical assessment (playbooks/assess.yml): its latest overall result
        _req("security_scan_passed", "自动化安全检测通过", "automated security assessment (assess.yml) passed",
             "stage_result", stage="security_assessment"),
        # the assessor's report (kind security_assessment): a person's conclusion, not a scan
        _req("security_assessment_passed", "安全测评通过", "security assessment passed", "record",
             kind="security_assessment"),
        _req("mlps_assessment_passed", "等保测评结论为符合或基本符合（二级及以上）",
             "MLPS assessment compliant or basically compliant (level 2 and above)", "mlps", min_level=2),
        # expanded into one item per approval the manifest names (evaluate(approvals=...))
        _req("named_approvals", "清单所列审批均已记录", "every approval the manifest names is recorded", "approvals"),
        _req("filing_number", "已取得备案编号（或在投入运行后30日备案期限内）",
             "filing number recorded (or within the 30-day filing window after going into operation)", "filing"),
        # derived from the ledger by plugin_utils/_findings.py (the report shows the same items)
        _req("rectification_closed", "无未关闭的阻断级整改项", "no open rectification item of a blocking severity",
             "rectification"),
    ],
    "data_handover": [
        _req("decommission_approved", "下线申请已审批通过", "decommission approved", "record", kind="approval",
             subject="decommission"),
    ],
    "sanitization": [
        _req("data_handover_confirmed", "数据移交已由客户确认（或经批准免于移交）",
             "data handover confirmed by the customer (or waived by an approver)", "handover"),
        _req("log_retention", "日志留存不少于6个月（导出或保留）", "logs retained for at least 6 months (exported or kept)",
             "log_retention", min_days=180),
    ],
    "decommission": [
        _req("data_handover_confirmed", "数据移交已由客户确认（或经批准免于移交）",
             "data handover confirmed by the customer (or waived by an approver)", "handover"),
        _req("wipes_passed", "数据清除全部成功并经验证", "every data wipe done and verified", "wipes"),
    ],
}


def _latest(ledger, application, kind, stage=None, subject=None):
    for record in ledger.records(application=application, kind=kind, stage=stage, newest_first=True):
        if subject is None or record["details"].get("subject", "application") == subject:
            return record
    return None


def _item(req, status, reason, record=None):
    return {"id": req["id"], "description": req["en"], "description_zh": req["zh"], "status": status,
            "reason": reason, "seq": record["seq"] if record else None}


def _check_record(ledger, application, req):
    record = _latest(ledger, application, req["kind"], subject=req.get("subject"))
    if record is None:
        return _item(req, "missing", "no '%s' record%s in the ledger" % (
            req["kind"], " with subject '%s'" % req["subject"] if req.get("subject") else ""))
    if record["result"] != "pass":
        return _item(req, "failed", "latest '%s' record (seq %d) has result '%s'" % (
            req["kind"], record["seq"], record["result"]), record)
    return _item(req, "ok", "seq %d" % record["seq"], record)


def _check_stage(ledger, application, req):
    record = _latest(ledger, application, "stage_result", stage=req["stage"])
    if record is None:
        return _item(req, "missing", "no stage_result record for stage '%s'" % req["stage"])
    if record["result"] != "pass":
        return _item(req, "failed", "latest stage_result for '%s' (seq %d) has result '%s'" % (
            req["stage"], record["seq"], record["result"]), record)
    return _item(req, "ok", "seq %d" % record["seq"], record)


def _graded_level(ledger, application):
    record = _latest(ledger, application, "application")
    return record["details"].get("mlps_level") if record else None


def _check_mlps(ledger, application, req):
    record = _latest(ledger, application, "mlps_assessment")
    if record is None:
        graded = _graded_level(ledger, application)
        if req.get("min_level") and graded is not None and graded < req["min_level"]:
            return _item(req, "ok", "level %s system: no MLPS assessment required" % graded)
        return _item(req, "missing", "no 'mlps_assessment' record in the ledger")
    conclusion = record["details"].get("conclusion")
    if conclusion not in _MLPS_OK or record["result"] != "pass":
        return _item(req, "failed", "latest mlps_assessment (seq %d) concluded '%s'" % (record["seq"], conclusion),
                     record)
    graded = _graded_level(ledger, application)
    if graded is not None and record["details"].get("level") != graded:
        return _item(req, "failed", "assessed at level %s (seq %d) but the system is graded level %s" % (
            record["details"].get("level"), record["seq"], graded), record)
    return _item(req, "ok", "seq %d: %s, level %s" % (record["seq"], conclusion, record["details"].get("level")),
                 record)


def _check_filing(ledger, application, req, now, window_days):
    record = _latest(ledger, application, "filing")
    if record is not None and record["result"] == "pass":
        return _item(req, "ok", "seq %d: filing number %s" % (record["seq"], record["details"].get("filing_number")),
                     record)
    graded = _graded_level(ledger, application)
    if graded is not None and graded < 2:
        return _item(req, "ok", "level %s system: no filing required" % graded)
    # Going into operation = the first passed gate into formal_operation; the filing window runs from there.
    started = None
    for gate in ledger.records(application=application, kind="gate", stage="formal_operation", result="pass",
                               limit=1):
        started = gate
    if started is None:
        deadline = (now + datetime.timedelta(days=window_days)).date().isoformat()
        return _item(req, "pending", "no filing yet; due within %d days of going into operation (by %s)"
                     % (window_days, deadline))
    begin = parse_ts(started["ts"])
    deadline = begin + datetime.timedelta(days=window_days)
    if now <= deadline:
        return _item(req, "pending", "no filing yet; operation began %s (seq %d), due by %s" % (
            begin.date().isoformat(), started["seq"], deadline.date().isoformat()), started)
    return _item(req, "failed", "no filing number %d days after going into operation on %s (seq %d): overdue since %s"
                 % (window_days, begin.date().isoformat(), started["seq"], deadline.date().isoformat()), started)


def _check_approvals(ledger, application, req, approvals):
    """One item per approval the manifest names: a passed approval record must carry its reference (文号)."""
    if not approvals:
        return [_item(req, "ok", "the manifest names no approvals")]
    held = {}
    for record in ledger.records(application=application, kind="approval"):
        ref = record["details"].get("reference")
        if ref:
            held[ref] = record  # oldest first: the latest decision on a reference wins
    items = []
    for approval in approvals:
        ref, authority = approval["ref"], approval["authority"]
        sub = dict(req, id="approval_%s" % authority,
                   zh="%s审批 %s 已记录" % (_AUTHORITY_ZH.get(authority, authority), ref),
                   en="%s approval %s recorded" % (authority, ref))
        record = held.get(ref)
        if record is None:
            items.append(_item(sub, "missing", "no approval record with reference '%s' (%s) in the ledger"
                               % (ref, authority)))
        elif record["result"] != "pass":
            items.append(_item(sub, "failed", "approval '%s' (seq %d) has result '%s'"
                               % (ref, record["seq"], record["result"]), record))
        else:
            items.append(_item(sub, "ok", "seq %d" % record["seq"], record))
    return items


def normalise_approvals(approvals):
    """Check the ``approvals`` gate option: a list of mappings with non-empty ``authority`` and ``ref``."""
    if approvals is None:
        return []
    if not isinstance(approvals, (list, tuple)):
        raise EvidenceError("approvals: must be a list of mappings with authority and ref")
    out = []
    for i, approval in enumerate(approvals):
        if not isinstance(approval, dict):
            raise EvidenceError("approvals[%d]: must be a mapping with authority and ref" % i)
        for key in ("authority", "ref"):
            if not isinstance(approval.get(key), str) or not approval[key].strip():
                raise EvidenceError("approvals[%d].%s: missing or empty" % (i, key))
        out.append({"authority": approval["authority"].strip(), "ref": approval["ref"].strip()})
    return out


def _check_wipes(ledger, application, req):
    wipes = list(ledger.records(application=application, kind="wipe"))
    if not wipes:
        return _item(req, "missing", "no 'wipe' record in the ledger")
    bad = [w for w in wipes if w["result"] not in ("pass", "gap", "info")]
    if bad:
        return _item(req, "failed", "%d of %d wipe record(s) not passed (seq %s)" % (
            len(bad), len(wipes), ", ".join(str(w["seq"]) for w in bad)), bad[0])
    # gap/info: a provider-side clear or a crypto erase recorded as the provider's duty; it does not hold up
    # the tenant's deletion but stays open on the certificate of sanitization.
    open_duties = [w for w in wipes if w["result"] != "pass"]
    if open_duties:
        return _item(req, "pending", "%d wipe record(s) passed, %d left to the cloud service provider (seq %s)" % (
            len(wipes) - len(open_duties), len(open_duties), ", ".join(str(w["seq"]) for w in open_duties)),
            wipes[-1])
    return _item(req, "ok", "%d wipe record(s), all passed" % len(wipes), wipes[-1])


def _check_handover(ledger, application, req):
    """A passed data_handover record, or an approved waiver (approval with subject data_handover_waiver and a
    reason); the newer of the two decides."""
    handover = _latest(ledger, application, "data_handover")
    waiver = _latest(ledger, application, "approval", subject="data_handover_waiver")
    if handover is None and waiver is None:
        return _item(req, "missing", "no 'data_handover' record and no approved waiver (approval with subject "
                                     "'data_handover_waiver', reason and approver) in the ledger")
    record = max((r for r in (handover, waiver) if r is not None), key=lambda r: r["seq"])
    if record is waiver:
        if waiver["result"] != "pass" or not waiver["details"].get("reason"):
            return _item(req, "failed", "waiver (seq %d) not approved or without a reason" % waiver["seq"], waiver)
        return _item(req, "ok", "seq %d: handover waived by %s (%s)" % (
            waiver["seq"], waiver["details"].get("approver"), waiver["details"]["reason"]), waiver)
    if handover["result"] != "pass":
        return _item(req, "failed", "latest 'data_handover' record (seq %d) has result '%s'" % (
            handover["seq"], handover["result"]), handover)
    return _item(req, "ok", "seq %d: confirmed by %s" % (handover["seq"], handover["details"].get("confirmed_by")),
                 handover)


def _check_log_retention(ledger, application, req):
    for record in ledger.records(application=application, kind="control_check", newest_first=True):
        if record["details"].get("subject") != "log_retention":
            continue
        days = record["details"].get("retention_days")
        if record["result"] != "pass" or not isinstance(days, int) or days < req["min_days"]:
            return _item(req, "failed", "latest log retention record (seq %d): %s days, result '%s'" % (
                record["seq"], days, record["result"]), record)
        return _item(req, "ok", "seq %d: %s for %d days at %s" % (
            record["seq"], record["details"].get("mode"), days, record["details"].get("location")), record)
    return _item(req, "missing", "no log retention record (control_check with subject 'log_retention')")


def _check_rectification(ledger, application, req, now, options):
    """Open rectification items (整改项) of a blocking severity hold the gate; each is listed by id."""
    try:
        catalog = _findings.load_mlps_catalog()
        duties = _findings.load_data("catalog", "lifecycle_clauses.yml").get("duties")
    except _findings.FindingsError as exc:
        raise EvidenceError(str(exc))
    book = _findings.ControlBook(catalog, duties)
    level = None
    for record in ledger.records(application=application):
        book.add(record)
        if record["kind"] == "application" and isinstance(record["details"].get("mlps_level"), int):
            level = record["details"]["mlps_level"]
    items = book.items(now.date(), options["due_days"], options["blocking"], level)
    blocking = _findings.open_blocking(items)
    still_open = [i for i in items if i["status"] == "open"]
    if blocking:
        return _item(req, "failed", "%d open item(s) of severity %s: %s" % (
            len(blocking), "/".join(options["blocking"]), ", ".join(
                "%s (%s severity, opened %s #%d, due %s%s)" % (i["id"], i["severity"], i["opened"], i["opened_seq"],
                                                               i["due"], ", OVERDUE" if i["overdue"] else "")
                for i in blocking)))
    return _item(req, "ok", "%d item(s), %d open, none of severity %s" % (
        len(items), len(still_open), "/".join(options["blocking"]) or "-"))


def evaluate(ledger, application, stage, as_of=None, filing_window_days=FILING_WINDOW_DAYS, approvals=None,
             rectification=None):
    """Evaluate the gate into ``stage``: dict with passed, items (every requirement) and message.

    ``approvals``: the approvals the manifest names (``[{authority, ref}]``), for requirements of check
    ``approvals``.  ``rectification``: the manifest's ``rectification`` block (``due_days``, ``blocking``
    severities; defaults in plugin_utils/_findings.py), for the check ``rectification``.
    """
    approvals = normalise_approvals(approvals)
    try:
        rect_options = _findings.rectification_options(rectification)
    except _findings.FindingsError as exc:
        raise EvidenceError(str(exc))
    if stage not in GATE_REQUIREMENTS:
        raise EvidenceError("stage: %r is not a lifecycle stage; use one of: %s" % (stage, ", ".join(STAGES)))
    if isinstance(filing_window_days, bool) or not isinstance(filing_window_days, int) or filing_window_days < 0:
        raise EvidenceError("filing_window_days: must be a non-negative integer")
    now = parse_ts(as_of, "as_of") if as_of else utc_now()
    items = []
    for req in GATE_REQUIREMENTS[stage]:
        check = req["check"]
        if check == "record":
            items.append(_check_record(ledger, application, req))
        elif check == "stage_result":
            items.append(_check_stage(ledger, application, req))
        elif check == "mlps":
            items.append(_check_mlps(ledger, application, req))
        elif check == "filing":
            items.append(_check_filing(ledger, application, req, now, filing_window_days))
        elif check == "wipes":
            items.append(_check_wipes(ledger, application, req))
        elif check == "handover":
            items.append(_check_handover(ledger, application, req))
        elif check == "log_retention":
            items.append(_check_log_retention(ledger, application, req))
        elif check == "approvals":
            items.extend(_check_approvals(ledger, application, req, approvals))
        elif check == "rectification":
            items.append(_check_rectification(ledger, application, req, now, rect_options))
    blocking = [i for i in items if i["status"] in ("missing", "failed")]
    zh, en = STAGE_TERMS[stage]
    if blocking:
        message = "gate to %s (%s) for %s blocked: %s" % (stage, zh, application, "; ".join(
            "%s %s (%s)" % (i["id"], i["status"], i["reason"]) for i in blocking))
    else:
        pending = [i for i in items if i["status"] == "pending"]
        message = "gate to %s (%s) for %s passed (%d requirement(s))%s" % (
            stage, zh, application, len(items),
            "; pending: " + "; ".join("%s (%s)" % (i["id"], i["reason"]) for i in pending) if pending else "")
    return {"passed": not blocking, "stage": stage, "items": items, "message": message,
            "missing": [i["id"] for i in items if i["status"] == "missing"],
            "failed": [i["id"] for i in items if i["status"] == "failed"]}
