# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Real evidence ledgers for the report tests (unit and browser), written through the Ledger API."""

from __future__ import annotations

import pathlib
import sys

REPO = pathlib.Path(__file__).resolve().parents[4]
try:
    from ansible_collections.govcloud.lifecycle.plugins.module_utils._argspec import REPORT_ARGUMENT_SPEC
    from ansible_collections.govcloud.lifecycle.plugins.plugin_utils import _report as R
    from ansible_collections.govcloud.lifecycle.plugins.plugin_utils import evidence as E
except ImportError:  # plain pytest from the checkout: the collection is linked by `make collection`
    sys.path.insert(0, str(REPO / ".work" / "collections"))
    from ansible_collections.govcloud.lifecycle.plugins.module_utils._argspec import REPORT_ARGUMENT_SPEC
    from ansible_collections.govcloud.lifecycle.plugins.plugin_utils import _report as R
    from ansible_collections.govcloud.lifecycle.plugins.plugin_utils import evidence as E

APP = "zwfw-portal"
OSCAL_SCHEMA = REPO / "tests" / "data" / "oscal" / "1.1.2" / "oscal_assessment-results_schema.json"

# Secrets the secret test plants in details; none may appear in any report output.
SECRET_PASSWORD = "Pw-d0ntLeak-7731"
SECRET_TOKEN = "gAAAAABtokenvalue-do-not-leak-0123456789abcdefghijklmnopqrstuvwxyzABCDEFG"
SECRET_KEY = ("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n"
              "QyNTUxOQAAACDleakleakleakleakleakleakleakleakleakleakleakAAAA\n-----END OPENSSH PRIVATE KEY-----")
SECRET_KEY_BODY = "QyNTUxOQAAACDleakleakleakleak"


def params(ledger_dir, dest, **over):
    """Module parameters with the argument-spec defaults, as the action plugin hands them over."""
    out = {name: spec.get("default") for name, spec in REPORT_ARGUMENT_SPEC.items()}
    out.update(evidence_dir=str(ledger_dir), dest=str(dest))
    out.update(over)
    return out


def lifecycle(app=APP, level=3, approval_date="2026-03-06", filing_date="2026-05-20", gap_control=True):
    """The life of one application up to formal operation, as the playbooks would record it."""
    ctl = "control_check"
    recs = [
        dict(kind="application", clauses=["JX-1"], summary="上线申请 submitted",
             details={"applicant_org": "江西省某厅", "system_name": "政务服务门户", "mlps_level": level,
                      "date": "2026-03-02", "responsible_persons": ["张三", "李四"]}),
        dict(kind="approval", summary="Application approved",
             details={"approver": "省信息中心", "decision": "approved", "date": approval_date}),
        dict(kind="task", stage="resource_allocation", party="cloud_service_provider", result="changed",
             summary="Tenant project and quotas created", targets=["project:zwfw-portal"]),
        dict(kind="task", stage="network", party="cloud_service_provider", result="changed",
             summary="Isolated tenant network and security groups", targets=["net:zwfw-portal-app"]),
        dict(kind="task", stage="deployment", party="customer", result="changed", summary="Servers and volumes created",
             targets=["server:web-1", "server:db-1"]),
        # shaped like baseline_hardening's records: the sub-clause in clauses, the control in details
        dict(kind=ctl, stage="hardening", party="customer", result="pass", clauses=["8.1.4.1.a"],
             summary="8.1.4.1.a-01 | User names and UIDs are unique: pass", targets=["web-1"],
             details={"control": "8.1.4.1.a-01", "level": level, "mode": "enforce"}),
        dict(kind=ctl, stage="hardening", party="customer", result="fail" if gap_control else "pass",
             clauses=["8.1.4.1.b"], summary="8.1.4.1.b-01 | Lock account after failed logins: fail",
             targets=["web-1"], details={"control": "8.1.4.1.b-01", "level": level, "mode": "enforce"}),
        dict(kind=ctl, stage="hardening", party="customer", result="pass", clauses=["8.1.4.3.a"],
             summary="8.1.4.3.a-01 | Run the audit daemon from boot: pass", targets=["web-1"],
             details={"control": "8.1.4.3.a-01", "level": level, "mode": "enforce"},
             artifacts=[{"name": "auditctl-l.txt", "sha256": "ab" * 32}]),
        dict(kind="trial_completion", summary="Trial run completed",
             details={"start_date": "2026-03-20", "end_date": "2026-04-10", "conclusion": "completed"}),
        dict(kind="security_assessment", summary="Security assessment passed",
             details={"assessor_org": "测评中心", "report_number": "SA-2026-001", "date": "2026-04-15",
                      "conclusion": "passed"}),
        dict(kind="mlps_assessment", clauses=["JX-2.5"], summary="等保测评 basically compliant",
             details={"assessor_org": "测评中心", "report_number": "DJCP-2026-01", "date": "2026-04-20",
                      "conclusion": "basically_compliant", "level": level}),
        dict(kind="stage_result", stage="formal_operation", party="management_unit", result="pass",
             summary="System in formal operation", details={"date": "2026-05-10"}),
    ]
    if filing_date:
        recs.append(dict(kind="filing", summary="备案 completed",
                         details={"filing_number": "36010099999-26001", "filing_authority": "南昌市公安局",
                                  "date": filing_date, "level": level}))
    for r in recs:
        r.setdefault("application", app)
        r.setdefault("actor", "ops@example")
    return recs


def build_ledger(directory, records=None, extra=0):
    """Write `records` (default: lifecycle()) plus `extra` filler control checks; returns the head."""
    with E.Ledger(str(directory)) as led:
        led.append_many(records if records is not None else lifecycle())
        batch = []
        for i in range(extra):
            batch.append(dict(application=APP, kind="control_check", stage="hardening", party="customer",
                              result=("pass", "fail", "changed", "info")[i % 4], actor="ops@example",
                              clauses=["8.1.4.%d.a" % (1 + i % 4)], summary="check %d" % i, targets=["web-%d" % (i % 7)]))
            if len(batch) == 5000:
                led.append_many(batch)
                batch = []
        if batch:
            led.append_many(batch)
        return led.head()


def render(ledger_dir, dest, check_mode=False, **over):
    return R.run(params(ledger_dir, dest, **over), check_mode=check_mode)


# Controls baseline_hardening's checks leave to a person on the example's hosts (exit 2 = manual).
MANUAL_ON_HOST = ("8.1.4.1.d-01", "8.1.4.2.e-01", "8.1.4.2.g-01", "8.1.4.3.d-02", "8.1.4.4.d-01", "8.1.4.4.f-01",
                  "8.1.4.5-01", "8.1.4.5-02", "8.1.4.6-02", "8.1.4.7.b-01", "8.1.4.8.b-01", "8.1.4.9.a-01",
                  "8.1.4.9.b-01", "8.1.4.9.c-01", "8.1.4.10.b-01")


def hardened(hosts, failing=(), app=APP, level=3):
    """lifecycle() plus one record per control per host exactly as baseline_hardening's tasks/evidence.yml
    writes them (sub-clause in clauses, the control in details.control, the host as the only target)."""
    recs = lifecycle(app=app, level=level)
    recs = [r for r in recs if r["kind"] != "control_check"]
    for host in hosts:
        for c in R.load_catalog()["mlps"]["controls"]:
            if level not in c["levels"]:
                continue
            result = "gap" if (c["id"], host) in failing else ("manual" if c["id"] in MANUAL_ON_HOST else "pass")
            recs.append(dict(application=app, kind="control_check", stage="hardening", party="customer",
                             actor="ops@example", clauses=["%s.%s" % (c["clause"], c["item"]) if c["item"] else c["clause"]],
                             targets=[host], result=result, summary="%s | %s: %s" % (c["id"], c["title"], result),
                             details={"control": c["id"], "level": level, "mode": "enforce",
                                      "expected": "as the catalogue says", "actual": "value on %s" % host}))
    return recs
