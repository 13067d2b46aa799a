# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Gate to formal operation (approvals, level 1) and the report's trial-to-formal section and filing deadline,
over real SQLite ledgers and the real report module."""

from __future__ import annotations

import datetime
import re

import pytest

import report_cases as C
from ansible_collections.govcloud.lifecycle.plugins.plugin_utils._evidence_gates import evaluate, normalise_approvals
from ansible_collections.govcloud.lifecycle.plugins.plugin_utils.evidence import EvidenceError, Ledger

APP = C.APP
APPROVALS = [{"authority": "supervisor", "ref": "赣函〔2026〕58号"}, {"authority": "cyberspace_admin", "ref": "赣网信〔2026〕9号"}]


@pytest.fixture(autouse=True)
def _no_env(tmp_path, monkeypatch):
    monkeypatch.setenv("GOVCLOUD_EVIDENCE_KEY", str(tmp_path / "absent-key.pem"))
    monkeypatch.delenv("GOVCLOUD_EVIDENCE_DIR", raising=False)


def _ready(led, level=3, mlps=True):
    def rec(kind, stage=None, result=None, **details):
        led.append(application=APP, kind=kind, stage=stage, result=result, details=details)
    rec("application", applicant_org="厅", system_name="门户", mlps_level=level, date="2026-01-01")
    rec("trial_completion", start_date="2026-02-01", end_date="2026-03-01", conclusion="completed")
    rec("stage_result", stage="security_assessment", result="pass")
    rec("security_assessment", assessor_org="Lab", report_number="SA-1", date="2026-03-02", conclusion="passed")
    if mlps:
        rec("mlps_assessment", assessor_org="C", report_number="D-1", date="2026-03-03", conclusion="compliant",
            level=level)
    return rec


def test_each_named_approval_is_an_item(tmp_path):
    with Ledger(str(tmp_path / "ev")) as led:
        rec = _ready(led)
        gate = evaluate(led, APP, "formal_operation", approvals=APPROVALS)
        assert not gate["passed"] and gate["missing"] == ["approval_supervisor", "approval_cyberspace_admin"]
        assert "赣函〔2026〕58号" in gate["message"] and "赣网信〔2026〕9号" in gate["message"]
        rec("approval", approver="王", decision="approved", date="2026-01-05", reference="赣函〔2026〕58号")
        rec("approval", approver="李", decision="rejected", date="2026-01-06", reference="赣网信〔2026〕9号")
        gate = evaluate(led, APP, "formal_operation", approvals=APPROVALS)
        assert gate["missing"] == [] and gate["failed"] == ["approval_cyberspace_admin"]
        rec("approval", approver="李", decision="approved", date="2026-01-07", reference="赣网信〔2026〕9号")
        gate = evaluate(led, APP, "formal_operation", approvals=APPROVALS)
        assert gate["passed"], gate["message"]
        # no approvals named: one item, met
        assert [i["status"] for i in evaluate(led, APP, "formal_operation")["items"] if i["id"] == "named_approvals"] == ["ok"]


def test_level_1_needs_no_mlps_assessment_but_level_2_does(tmp_path):
    with Ledger(str(tmp_path / "l1")) as led:
        _ready(led, level=1, mlps=False)
        assert evaluate(led, APP, "formal_operation")["passed"]
    with Ledger(str(tmp_path / "l2")) as led:
        _ready(led, level=2, mlps=False)
        assert evaluate(led, APP, "formal_operation")["missing"] == ["mlps_assessment_passed"]


def test_a_failed_automated_assessment_blocks(tmp_path):
    with Ledger(str(tmp_path / "ev")) as led:
        rec = _ready(led)
        rec("stage_result", stage="security_assessment", result="fail")
        assert evaluate(led, APP, "formal_operation")["failed"] == ["security_scan_passed"]


@pytest.mark.parametrize("bad, message", [
    ("x", "approvals: must be a list"),
    ([1], r"approvals\[0\]: must be a mapping"),
    ([{"authority": "supervisor"}], r"approvals\[0\].ref: missing or empty"),
    ([{"authority": " ", "ref": "r"}], r"approvals\[0\].authority: missing or empty"),
])
def test_bad_approvals_option(bad, message):
    with pytest.raises(EvidenceError, match=message):
        normalise_approvals(bad)


# ----------------------------------------------------------------------------------- the report

def _promotion_ledger(directory, filing_days):
    """A life up to formal operation on 2026-05-10 (the promotion record's `date`, as promote.yml writes it),
    the filing `filing_days` later (the filing record's `date`, as record_filing.yml writes it)."""
    recs = C.lifecycle(filing_date=None)
    recs.insert(-1, dict(application=APP, kind="note", stage="trial", result="info", actor="ops",
                         summary="试运行 trial run from 2026-03-20 to 2026-04-10",
                         details={"event": "trial_start", "start_date": "2026-03-20", "end_date": "2026-04-10",
                                  "exposure_group": APP + "-trial-exposure"}))
    for run, port in (("2026-04-11T01:00:00Z", 18081), ("2026-04-12T01:00:00Z", None)):
        if port:
            recs.insert(-1, dict(application=APP, kind="control_check", stage="security_assessment", result="fail",
                                 actor="ops", clauses=["8.1.4.4.b-02"], targets=["web-1"],
                                 summary="web-1: listening tcp/%d on 0.0.0.0 (python3), not declared" % port,
                                 details={"category": "undeclared_listener", "assessment_id": run}))
        recs.insert(-1, dict(application=APP, kind="control_check", stage="security_assessment", result="pass",
                             actor="ops", clauses=["8.1.4.4.e-01"], targets=["web-1"],
                             summary="web-1: no pending security updates run %s" % run,
                             details={"category": "security_updates", "assessment_id": run}))
        recs.insert(-1, dict(application=APP, kind="stage_result", stage="security_assessment", actor="ops",
                             result="fail" if port else "pass", summary="automated assessment %s" % run,
                             details={"assessment_id": run,
                                      "blocking": ["web-1: listening tcp/%d, not declared" % port] if port else []}))
    recs[-1]["details"] = {"date": "2026-05-10", "servers": ["web-1"], "volumes": [],
                           "exposure_group_removed": APP + "-trial-exposure", "quotas": {"instances": 4}}
    recs[-1]["summary"] = "正式运行 formal operation since 2026-05-10: govcloud_phase=formal"
    filed = datetime.date(2026, 5, 10) + datetime.timedelta(days=filing_days)
    recs.append(dict(application=APP, kind="filing", actor="ops", summary="备案",
                     details={"filing_number": "36010099999-26001", "filing_authority": "南昌市公安局网安支队",
                              "date": filed.isoformat(), "level": 3}))
    C.build_ledger(directory, recs)


def _filing_row(html):
    row = re.search(r'<tr id="check-filing_deadline">(.*?)</tr>', html, re.S).group(1)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row))


@pytest.mark.parametrize("days, status, mark", [(31, "late", "✖ done late"), (29, "met", "✔ on time"),
                                                (30, "met", "✔ on time")])
def test_filing_deadline_in_the_report(tmp_path, days, status, mark):
    _promotion_ledger(tmp_path / "ev", days)
    result = C.render(tmp_path / "ev", tmp_path / "out", language="en", as_of="2026-08-01")
    check = next(c for c in result["service_checks"] if c["id"] == "filing_deadline")
    assert (check["status"], check["start"], check["deadline"]) == (status, "2026-05-10", "2026-06-09")
    html = (tmp_path / "out" / C.R.FILE_NAMES["html"]).read_text(encoding="utf-8")
    row = _filing_row(html)
    assert mark in row and check["done"] in row
    assert ("✖" in row) == (days > 30)


def test_phases_section_shows_trial_findings_records_and_promotion(tmp_path):
    _promotion_ledger(tmp_path / "ev", 12)
    C.render(tmp_path / "ev", tmp_path / "out", language="zh-CN", as_of="2026-08-01")
    html = (tmp_path / "out" / C.R.FILE_NAMES["html"]).read_text(encoding="utf-8")
    section = html[html.index('<section id="phases">'):html.index('<section id="recent">')]
    for text in ("试运行开始", "2026-03-20", "2026-04-10", "试运行结束", "DJCP-2026-01", "基本符合", "36010099999-26001",
                 "南昌市公安局网安支队", "govcloud_phase=formal", "web-1", "SA-2026-001"):
        assert text in section, text
    # findings of the latest run only: the listener of the first run is in its run row, not in the findings table
    findings = section[section.index("最近一次测评的发现"):]
    assert "tcp/18081" not in findings and "run 2026-04-12T01:00:00Z" in findings
    # ...and the failed run lists what blocked it
    assert "web-1: listening tcp/18081, not declared" in section[:section.index("最近一次测评的发现")]
    assert section.count("automated assessment 2026-04-1") == 2
