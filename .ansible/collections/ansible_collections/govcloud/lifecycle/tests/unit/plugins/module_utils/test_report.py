# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The auditor report over real SQLite ledgers written through the Ledger API."""

from __future__ import annotations

import datetime
import json
import os
import re
import sqlite3

import jsonschema
import pytest
from jsonschema.exceptions import ValidationError

import report_cases as C

R, E = C.R, C.E


@pytest.fixture(autouse=True)
def _no_default_key(tmp_path, monkeypatch):
    # The developer's own signing key must not decide the anchor status the tests see.
    monkeypatch.setenv("GOVCLOUD_EVIDENCE_KEY", str(tmp_path / "absent-key.pem"))
    monkeypatch.delenv("GOVCLOUD_EVIDENCE_DIR", raising=False)
    monkeypatch.delenv("GOVCLOUD_EVIDENCE_ANCHOR", raising=False)


@pytest.fixture
def ledger(tmp_path):
    C.build_ledger(tmp_path / "ledger")
    return tmp_path / "ledger"


def files(out):
    return {f: (out / R.FILE_NAMES[f]) for f in R.FORMATS}


# ------------------------------------------------------------------------------------------- OSCAL

def _pattern(validator, pattern, instance, schema):
    # The NIST schema's token pattern uses \p{L}/\p{N}, which Python's re lacks: same classes, spelled for re.
    py = pattern.replace("\\p{L}", "[^\\W\\d_]").replace("\\p{N}", "\\d")
    if validator.is_type(instance, "string") and not re.search(py, instance):
        yield ValidationError("%r does not match %r" % (instance, pattern))


def oscal_errors(doc):
    schema = json.loads(C.OSCAL_SCHEMA.read_text(encoding="utf-8"))
    assert schema["$id"] == "http://csrc.nist.gov/ns/oscal/1.1.2/oscal-ar-schema.json"
    validator_cls = jsonschema.validators.extend(jsonschema.Draft7Validator, {"pattern": _pattern})
    validator = validator_cls(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    return ["%s: %s" % (list(e.absolute_path), e.message) for e in validator.iter_errors(doc)]


def test_oscal_validates_against_the_pinned_nist_schema(ledger, tmp_path):
    out = tmp_path / "out"
    C.render(ledger, out)
    doc = json.loads(files(out)["oscal"].read_text(encoding="utf-8"))
    assert oscal_errors(doc) == []
    ar = doc["assessment-results"]
    assert ar["metadata"]["oscal-version"] == "1.1.2"
    result = ar["results"][0]
    # each record -> observation citing its hash; each clause/control -> finding
    assert len(result["observations"]) == 13
    hashes = {p["value"] for o in result["observations"] for ev in o["relevant-evidence"]
              for p in ev.get("props", []) if p["name"] == "record-hash"}
    stored = {r["hash"] for r in E.Ledger(str(ledger), create=False).records()}
    assert hashes == stored
    assert len(result["findings"]) == 11 + 77
    by_target = {f["target"]["target-id"]: f for f in result["findings"]}
    assert by_target["gbt22239-8.1.4.1.b-01"]["target"]["status"]["state"] == "not-satisfied"
    assert by_target["gbt22239-8.1.4.1.a-01"]["target"]["status"]["state"] == "satisfied"
    assert by_target["jx-2.6"]["target"]["status"]["state"] == "satisfied"
    assert result["start"] <= result["end"]


def test_the_oscal_check_can_fail():
    # guard against a validator that accepts anything
    assert oscal_errors({"assessment-results": {"uuid": "not-a-uuid"}})


# ------------------------------------------------------------------------------- JSON export, HTML

def test_json_export_holds_every_record_verifiably(ledger, tmp_path):
    out = tmp_path / "out"
    result = C.render(ledger, out)
    export = json.loads(files(out)["json"].read_text(encoding="utf-8"))
    assert export["record_count"] == 13 == len(export["records"]) == result["record_count"]
    assert export["verification"]["ok"] is True
    assert export["head"] == result["head"]
    prev = E.GENESIS_HASH
    for rec in export["records"]:
        assert rec["prev_hash"] == prev
        assert E.record_hash(rec) == rec["hash"]  # an auditor can recompute every hash from the export
        prev = rec["hash"]


def test_html_is_self_contained(ledger, tmp_path):
    out = tmp_path / "out"
    C.render(ledger, out)
    html = files(out)["html"].read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="zh-CN">' in html
    assert not re.search(r"<(script|link|img|iframe|object|embed)\b", html, re.I)
    assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", html, re.I)
    assert "url(" not in html and "@import" not in html
    for section in ("summary", "verification", "timeline", "clauses", "controls", "duties", "service-times"):
        assert 'id="%s"' % section in html


def test_english_switch(ledger, tmp_path):
    C.render(ledger, tmp_path / "en", language="en")
    html = files(tmp_path / "en")["html"].read_text(encoding="utf-8")
    assert '<html lang="en">' in html and "Service-time checks" in html and "服务时限检查" not in html


def test_two_renders_are_byte_identical_and_idempotent(ledger, tmp_path):
    first = C.render(ledger, tmp_path / "a")
    second = C.render(ledger, tmp_path / "b")
    for fmt in R.FORMATS:
        assert files(tmp_path / "a")[fmt].read_bytes() == files(tmp_path / "b")[fmt].read_bytes()
        assert first["files"][fmt]["sha256"] == second["files"][fmt]["sha256"]
    again = C.render(ledger, tmp_path / "a")
    assert again["changed"] is False
    with E.Ledger(str(ledger)) as led:
        led.append(application=C.APP, kind="note", stage="trial", summary="one more")
    assert C.render(ledger, tmp_path / "a")["changed"] is True


def test_check_mode_writes_nothing_and_predicts(ledger, tmp_path):
    out = tmp_path / "new" / "out"
    predicted = C.render(ledger, out, check_mode=True)
    assert not (tmp_path / "new").exists()
    assert predicted["changed"] is True
    real = C.render(ledger, out)
    assert {k: v["sha256"] for k, v in predicted["files"].items()} == {k: v["sha256"] for k, v in real["files"].items()}
    assert C.render(ledger, out, check_mode=True)["changed"] is False


# ---------------------------------------------------------------------------------------- statuses

def _rows(result_dir):
    """{target id: status} from the OSCAL findings (a control's status, whatever host a finding is about)."""
    doc = json.loads(files(result_dir)["oscal"].read_text(encoding="utf-8"))
    out = {}
    for f in doc["assessment-results"]["results"][0]["findings"]:
        props = {p["name"]: p["value"] for p in f["props"]}
        out[f["target"]["target-id"]] = props.get("control-status", props["status"])
    return out


def test_status_from_newest_decisive_record(ledger, tmp_path):
    C.render(ledger, tmp_path / "before")
    rows = _rows(tmp_path / "before")
    assert rows["gbt22239-8.1.4.1.b-01"] == "gap"
    assert rows["gbt22239-8.1.4.1.a-01"] == "met"
    # a sibling's record in the same sub-clause is no evidence: no record of its own, never met
    assert rows["gbt22239-8.1.4.1.a-03"] == "missing"
    assert rows["gbt22239-8.1.4.5-01"] == "missing"
    assert rows["jx-3"] == "missing"
    assert rows["jx-2.2"] == "met"   # control checks do not roll into the stage clause
    assert rows["jx-4"] == "met"     # every active stage has its responsible party
    with E.Ledger(str(ledger)) as led:
        led.append(application=C.APP, kind="control_check", stage="hardening", party="customer", result="pass",
                   clauses=["8.1.4.1.b"], summary="Lockout fixed", targets=["web-1"],
                   details={"control": "8.1.4.1.b-01"})
        led.append(application=C.APP, kind="control_check", stage="hardening", party="customer", result="info",
                   clauses=["8.1.4.1.b-01"], summary="informational only", targets=["web-1"])
        # cites the sub-clause only (two controls): counted for neither
        led.append(application=C.APP, kind="control_check", stage="hardening", party="customer", result="fail",
                   clauses=["8.1.4.5"], summary="no anti-malware agent", targets=["web-1"])
        led.append(application=C.APP, kind="control_check", stage="hardening", party="customer", result="fail",
                   clauses=["8.1.4.5-02"], summary="signatures 30 days old", targets=["web-1"])
    C.render(ledger, tmp_path / "after")
    rows = _rows(tmp_path / "after")
    assert rows["gbt22239-8.1.4.1.b-01"] == "met"  # info does not override the newest pass
    assert rows["gbt22239-8.1.4.5-01"] == "missing"
    assert rows["gbt22239-8.1.4.5-02"] == "gap"
    export = json.loads(files(tmp_path / "after")["json"].read_text(encoding="utf-8"))
    ctl = {c["id"]: c for c in export["controls"]}
    assert ctl["8.1.4.5-01"]["records"] == [] and len(ctl["8.1.4.5-02"]["records"]) == 1


def test_level_2_marks_level_3_only_controls_not_applicable(tmp_path):
    C.build_ledger(tmp_path / "ledger", C.lifecycle(level=2))
    result = C.render(tmp_path / "ledger", tmp_path / "out")
    assert result["mlps_level"] == 2
    doc = json.loads(files(tmp_path / "out")["oscal"].read_text(encoding="utf-8"))
    sel = doc["assessment-results"]["results"][0]["reviewed-controls"]["control-selections"][0]
    excluded = {c["control-id"] for c in sel["exclude-controls"]}
    l3_only = {"gbt22239-" + c["id"] for c in R.load_catalog()["mlps"]["controls"] if c["levels"] == [3]}
    assert excluded == l3_only and "gbt22239-8.1.4.1.d-01" in excluded
    assert result["status_counts"]["not_applicable"] == len(l3_only)
    assert oscal_errors(doc) == []


def test_catalog_has_the_77_controls_once():
    cat = R.load_catalog()
    ids = [c["id"] for c in cat["mlps"]["controls"]]
    assert len(ids) == 77 == len(set(ids))
    # the same file is the hardening role's catalogue (tests/unit/test_hardening_catalogue.py): ids, titles, levels
    assert all(c["title"] and c["levels"] and c["requirement"] for c in cat["mlps"]["controls"])
    assert {c["id"] for c in cat["lifecycle"]["clauses"]} == {
        "JX-1", "JX-2.1", "JX-2.2", "JX-2.3", "JX-2.4", "JX-2.5", "JX-2.6", "JX-2.7", "JX-3", "JX-4", "JX-5"}
    stages = [s for c in cat["lifecycle"]["clauses"] for s in c["stages"]]
    assert sorted(stages) == sorted(E.STAGES)  # every stage belongs to exactly one clause
    assert set(cat["lifecycle"]["duties"]) == set(E.STAGES)


# ------------------------------------------------------------------------------------ service time

def checks(result):
    return {c["id"]: c for c in result["service_checks"]}


def test_service_checks_on_time(ledger, tmp_path):
    got = checks(C.render(ledger, tmp_path / "o", as_of="2026-06-01"))
    assert got["approval_time"]["status"] == "met" and got["approval_time"]["elapsed"] == 4
    assert got["filing_deadline"]["status"] == "met" and got["filing_deadline"]["deadline"] == "2026-06-09"
    assert got["mlps_assessment_interval"]["status"] == "open"
    assert got["mlps_assessment_interval"]["deadline"] == "2027-04-20"


def test_service_checks_late_overdue_due_soon(tmp_path):
    C.build_ledger(tmp_path / "ledger", C.lifecycle(approval_date="2026-03-13", filing_date=None))
    due = checks(C.render(tmp_path / "ledger", tmp_path / "o1", as_of="2026-06-05"))
    assert due["approval_time"]["status"] == "late" and due["approval_time"]["elapsed"] == 9
    assert due["filing_deadline"]["status"] == "due_soon"          # day 26 of 30
    over = checks(C.render(tmp_path / "ledger", tmp_path / "o2", as_of="2026-06-10"))
    assert over["filing_deadline"]["status"] == "overdue"
    later = checks(C.render(tmp_path / "ledger", tmp_path / "o3", as_of="2027-03-01"))
    assert later["mlps_assessment_interval"]["status"] == "due_soon"
    late = checks(C.render(tmp_path / "ledger", tmp_path / "o4", as_of="2027-04-21"))
    assert late["mlps_assessment_interval"]["status"] == "overdue"
    # level 4: half-yearly
    four = checks(C.render(tmp_path / "ledger", tmp_path / "o5", as_of="2026-10-21", mlps_level=4))
    assert four["mlps_assessment_interval"]["status"] == "overdue"
    html = files(tmp_path / "o4")["html"].read_text(encoding="utf-8")
    assert "✖ 已超期" in html and "✖ 逾期完成" in html


def test_approval_limit_and_holidays_are_variables(tmp_path):
    C.build_ledger(tmp_path / "ledger", C.lifecycle(approval_date="2026-03-10"))  # Mon 2 -> Tue 10: 6 wd
    assert checks(C.render(tmp_path / "ledger", tmp_path / "a"))["approval_time"]["status"] == "late"
    assert checks(C.render(tmp_path / "ledger", tmp_path / "b", approval_working_days=6))["approval_time"][
        "status"] == "met"
    with_holiday = checks(C.render(tmp_path / "ledger", tmp_path / "c", holidays=["2026-03-04"]))
    assert with_holiday["approval_time"]["elapsed"] == 5 and with_holiday["approval_time"]["status"] == "met"


def test_work_calendar():
    cal = R.WorkCalendar(_d(["2026-10-01", "2026-10-02"]), _d(["2026-09-27"]))
    assert cal.add(datetime.date(2026, 9, 25), 1) == datetime.date(2026, 9, 27)   # make-up Sunday
    assert cal.add(datetime.date(2026, 9, 30), 1) == datetime.date(2026, 10, 5)   # holidays + weekend skipped
    assert cal.between(datetime.date(2026, 9, 25), datetime.date(2026, 10, 5)) == 5
    assert R.add_months(datetime.date(2026, 8, 31), 6) == datetime.date(2027, 2, 28)


def _d(values):
    return [datetime.date.fromisoformat(v) for v in values]


# ------------------------------------------------------------------------------ chain and anchor

def test_tampered_ledger_is_reported_not_hidden(ledger, tmp_path):
    con = sqlite3.connect(str(ledger / "ledger.sqlite"))
    # what an attacker with file access does: drop the append-only trigger, then edit
    con.execute("DROP TRIGGER records_no_update")
    con.execute("UPDATE records SET summary = 'rewritten' WHERE seq = 7")
    con.commit()
    con.close()
    result = C.render(ledger, tmp_path / "out")
    assert result["verification"]["ok"] is False and result["verification"]["first_bad_seq"] == 7
    html = files(tmp_path / "out")["html"].read_text(encoding="utf-8")
    assert "证据链损坏" in html and "#7" in html
    doc = json.loads(files(tmp_path / "out")["oscal"].read_text(encoding="utf-8"))
    props = {p["name"]: p["value"] for p in doc["assessment-results"]["results"][0]["props"]}
    assert props["chain-verified"] == "false"


def test_anchor_status_with_a_real_key(ledger, tmp_path):
    # the key the ledger was created (and its genesis checkpoint signed) with
    key = os.environ["GOVCLOUD_EVIDENCE_KEY"]
    with E.Ledger(str(ledger), key_file=str(key)) as led:
        led.checkpoint()
    result = C.render(ledger, tmp_path / "out", evidence_key=str(key))
    assert result["verification"]["anchor"]["checked"] is True
    assert result["verification"]["anchor"]["ok"] is True and result["verification"]["anchor"]["signed_seq"] == 13
    assert "✔ 签名有效" in files(tmp_path / "out")["html"].read_text(encoding="utf-8")


def test_anchor_signed_by_another_key_is_reported(ledger, tmp_path):
    other = tmp_path / "other-signing.pem"
    E.load_signing_key(str(other), create=True)
    result = C.render(ledger, tmp_path / "out", evidence_key=str(other))
    anchor = result["verification"]["anchor"]
    assert anchor["checked"] is True and anchor["ok"] is False and "not by the verifying key" in anchor["reason"]


# ---------------------------------------------------------------------------------------- secrets

def test_no_secret_reaches_any_output(tmp_path):
    recs = C.lifecycle()
    recs.append(dict(application=C.APP, kind="task", stage="deployment", party="customer", result="changed",
                     summary="db user created with password=%s" % C.SECRET_PASSWORD,
                     details={"db_password": C.SECRET_PASSWORD, "os_token": C.SECRET_TOKEN,
                              "ssh_private_key": C.SECRET_KEY, "note": "token %s" % C.SECRET_TOKEN,
                              "cmd": "mysql --password %s" % C.SECRET_PASSWORD}))
    C.build_ledger(tmp_path / "ledger", recs)
    out = tmp_path / "out"
    C.render(tmp_path / "ledger", out, recent_records=50)
    for fmt, path in files(out).items():
        data = path.read_bytes()
        for secret in (C.SECRET_PASSWORD, C.SECRET_TOKEN, C.SECRET_KEY_BODY, "BEGIN OPENSSH PRIVATE KEY"):
            assert secret.encode() not in data, (fmt, secret)
    export = json.loads(files(out)["json"].read_text(encoding="utf-8"))
    assert export["records"][-1]["details"]["db_password"] == E.REDACTED


# ------------------------------------------------------------------------------------- bad input

def test_missing_ledger_dir(tmp_path):
    with pytest.raises(R.ReportError, match=r"^evidence_dir: .*does not exist"):
        C.render(tmp_path / "nope", tmp_path / "out")
    assert not (tmp_path / "out").exists() and not (tmp_path / "nope").exists()


def test_directory_without_a_ledger_is_not_turned_into_one(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(R.ReportError, match="holds no ledger.sqlite"):
        C.render(tmp_path / "empty", tmp_path / "out")
    assert os.listdir(tmp_path / "empty") == []


def test_corrupted_database(tmp_path):
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "ledger.sqlite").write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(R.ReportError, match=r"^evidence_dir: .*ledger.sqlite"):
        C.render(tmp_path / "bad", tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_unknown_language_and_bad_values(ledger, tmp_path):
    with pytest.raises(R.ReportError, match=r"^language: 'fr'"):
        C.render(ledger, tmp_path / "out", language="fr")
    with pytest.raises(R.ReportError, match=r"^as_of: "):
        C.render(ledger, tmp_path / "out", as_of="next tuesday")
    with pytest.raises(R.ReportError, match=r"^holidays: "):
        C.render(ledger, tmp_path / "out", holidays=["2026-13-01"])
    with pytest.raises(R.ReportError, match=r"^utc_offset: "):
        C.render(ledger, tmp_path / "out", utc_offset="Beijing")


def test_unwritable_output(ledger, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(R.ReportError, match=r"^dest: .*not a directory"):
        C.render(ledger, blocker)
    with pytest.raises(R.ReportError, match=r"^dest: cannot create"):
        C.render(ledger, blocker / "sub")
    assert blocker.read_text() == "x"
