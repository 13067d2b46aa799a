# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Stage gates: every missing or failed requirement is listed; the latest record decides."""

from __future__ import annotations

import pytest

from ansible_collections.govcloud.lifecycle.plugins.plugin_utils._evidence_gates import GATE_REQUIREMENTS, evaluate
from ansible_collections.govcloud.lifecycle.plugins.plugin_utils.evidence import STAGES, EvidenceError, Ledger

APP = "tax-portal"


@pytest.fixture()
def ledger(tmp_path):
    with Ledger(tmp_path / "ev") as led:
        yield led


def rec(ledger, kind, result=None, stage=None, **details):
    return ledger.append(application=APP, kind=kind, stage=stage, result=result, details=details)


def ready_for_operation(ledger, filing=True, level=3):
    rec(ledger, "application", applicant_org="Tax", system_name="Portal", mlps_level=level, date="2026-01-01")
    rec(ledger, "trial_completion", start_date="2026-02-01", end_date="2026-04-30", conclusion="completed")
    rec(ledger, "stage_result", result="pass", stage="security_assessment")
    rec(ledger, "security_assessment", assessor_org="Lab", report_number="SA-1", date="2026-04-01",
        conclusion="passed")
    rec(ledger, "mlps_assessment", assessor_org="C", report_number="D-1", date="2026-04-20",
        conclusion="basically_compliant", level=level)
    if filing:
        rec(ledger, "filing", filing_number="F-1", filing_authority="PSB", date="2026-05-01")


def test_every_stage_has_a_gate():
    assert set(GATE_REQUIREMENTS) == set(STAGES)
    with pytest.raises(EvidenceError, match="not a lifecycle stage"):
        evaluate(None, APP, "retirement")


def test_empty_ledger_lists_every_missing_item(ledger):
    gate = evaluate(ledger, APP, "formal_operation")
    assert not gate["passed"]
    assert gate["missing"] == ["trial_completed", "security_scan_passed", "security_assessment_passed",
                               "mlps_assessment_passed"]
    for item in gate["missing"]:
        assert item in gate["message"]
    filing = next(i for i in gate["items"] if i["id"] == "filing_number")
    assert filing["status"] == "pending"  # filing: the 30-day window has not begun


def test_formal_operation_passes_with_everything(ledger):
    ready_for_operation(ledger)
    gate = evaluate(ledger, APP, "formal_operation")
    assert gate["passed"], gate["message"]
    assert {i["status"] for i in gate["items"]} == {"ok"}


def test_latest_record_decides(ledger):
    ready_for_operation(ledger)
    rec(ledger, "security_assessment", assessor_org="Lab", report_number="SA-2", date="2026-06-01",
        conclusion="failed")
    gate = evaluate(ledger, APP, "formal_operation")
    # the failed report also opens a rectification item (整改项), closed by the next passed report
    assert not gate["passed"] and gate["failed"] == ["security_assessment_passed", "rectification_closed"]
    assert "RC-security_assessment-" in gate["message"]
    rec(ledger, "security_assessment", assessor_org="Lab", report_number="SA-3", date="2026-06-20",
        conclusion="passed")
    assert evaluate(ledger, APP, "formal_operation")["passed"]


def test_mlps_level_must_match_grading(ledger):
    ready_for_operation(ledger)
    rec(ledger, "mlps_assessment", assessor_org="C", report_number="D-2", date="2026-06-01",
        conclusion="compliant", level=2)
    gate = evaluate(ledger, APP, "formal_operation")
    assert gate["failed"] == ["mlps_assessment_passed"] and "graded level 3" in gate["message"]


def test_filing_window(ledger):
    ready_for_operation(ledger, filing=False)
    gate = evaluate(ledger, APP, "formal_operation")
    assert gate["passed"] and "pending" in gate["message"]
    ledger.append(application=APP, kind="gate", stage="formal_operation", result="pass",
                  details={"target_stage": "formal_operation"})
    started = list(ledger.records(kind="gate"))[0]["ts"][:10]
    assert evaluate(ledger, APP, "formal_operation", as_of="2999-01-01")["failed"] == ["filing_number"]
    assert evaluate(ledger, APP, "formal_operation", as_of=started, filing_window_days=0)["passed"]
    rec(ledger, "filing", filing_number="F-1", filing_authority="PSB", date="2026-05-01")
    assert evaluate(ledger, APP, "formal_operation", as_of="2999-01-01")["passed"]


def test_level_one_needs_no_filing(ledger):
    ready_for_operation(ledger, filing=False, level=1)
    ledger.append(application=APP, kind="gate", stage="formal_operation", result="pass",
                  details={"target_stage": "formal_operation"})
    assert evaluate(ledger, APP, "formal_operation", as_of="2999-01-01")["passed"]


def test_stage_results_and_approval_subjects(ledger):
    assert evaluate(ledger, APP, "network")["missing"] == ["resource_allocation_completed"]
    ledger.append(application=APP, kind="stage_result", stage="resource_allocation", result="fail")
    assert evaluate(ledger, APP, "network")["failed"] == ["resource_allocation_completed"]
    ledger.append(application=APP, kind="stage_result", stage="resource_allocation", result="pass")
    assert evaluate(ledger, APP, "network")["passed"]
    rec(ledger, "approval", approver="Li", decision="approved", date="2026-01-02")
    assert evaluate(ledger, APP, "resource_allocation")["passed"]
    assert evaluate(ledger, APP, "data_handover")["missing"] == ["decommission_approved"]
    rec(ledger, "approval", approver="Li", decision="rejected", date="2026-11-02", subject="decommission")
    assert evaluate(ledger, APP, "data_handover")["failed"] == ["decommission_approved"]


def test_decommission_needs_every_wipe_passed(ledger):
    rec(ledger, "data_handover", items=["db.dump"], confirmed_by="Wang", confirmation_date="2026-12-01")
    assert evaluate(ledger, APP, "decommission")["missing"] == ["wipes_passed"]
    rec(ledger, "wipe", result="pass", method="Clear", verification="read-back")
    rec(ledger, "wipe", result="fail", method="Clear", verification="read-back mismatch")
    gate = evaluate(ledger, APP, "decommission")
    assert gate["failed"] == ["wipes_passed"] and "1 of 2" in gate["message"]


def test_other_applications_do_not_count(ledger):
    ready_for_operation(ledger)
    assert not evaluate(ledger, "another-app", "formal_operation")["passed"]
