# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Record schema, per-kind validation, redaction, queries and storage errors of the ledger."""

from __future__ import annotations

import os
import sqlite3
import stat

import pytest

from ansible_collections.govcloud.lifecycle.plugins.plugin_utils.evidence import (
    KIND_SCHEMAS,
    KINDS,
    PARTIES,
    PARTY_TERMS,
    REDACTED,
    RESULTS,
    STAGE_TERMS,
    STAGES,
    EvidenceError,
    Ledger,
    build_record,
    canonical,
    record_hash,
    redact,
)

VALID_DETAILS = {
    "application": {"applicant_org": "Tax Bureau", "system_name": "Tax portal", "mlps_level": 3, "date": "2026-01-05"},
    "approval": {"approver": "Li Wei", "decision": "approved", "date": "2026-01-09"},
    "security_assessment": {"assessor_org": "Lab", "report_number": "SA-1", "date": "2026-04-01",
                            "conclusion": "passed"},
    "mlps_assessment": {"assessor_org": "Center", "report_number": "DJCP-1", "date": "2026-04-20",
                        "conclusion": "basically_compliant", "level": 3},
    "filing": {"filing_number": "36010099001-26001", "filing_authority": "Nanchang PSB", "date": "2026-05-02"},
    "trial_completion": {"start_date": "2026-02-01", "end_date": "2026-04-30", "conclusion": "completed"},
    "data_handover": {"items": [{"name": "db.dump", "format": "pg_dump"}], "confirmed_by": "Wang Fang",
                      "confirmation_date": "2026-12-01"},
    "wipe": {"method": "overwrite (Clear)", "verification": "read-back of 1% random sectors"},
    "gate": {"target_stage": "trial"},
    "attestation": {"control": "8.1.4.9.a-01", "result": "met", "attested_by": "chen-jing", "role": "系统管理员",
                    "date": "2026-11-20", "reference": "赣自然资信〔2026〕12号", "valid_until": "2027-11-20"},
    "risk_acceptance": {"control": "8.1.4.9.c-01", "accepted_by": "wang-jianguo", "reason": "phase 2",
                        "date": "2026-11-25", "expires": "2027-06-30"},
}


def test_constants_follow_the_contract():
    assert len(STAGES) == 14 and set(STAGE_TERMS) == set(STAGES)
    assert STAGE_TERMS["filing"] == ("备案", "Filing")
    assert set(PARTY_TERMS) == set(PARTIES) and PARTY_TERMS["customer"][0] == "云服务客户"
    assert {"pass", "fail", "gap", "changed", "info"} <= set(RESULTS)


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_accepts_its_schema(tmp_path, kind):
    with Ledger(tmp_path / "ev") as ledger:
        record = ledger.append(application="tax-portal", kind=kind, stage="trial",
                               details=VALID_DETAILS.get(kind, {"free": "form"}))
        assert record["seq"] == 1 and record["prev_hash"] == "0" * 64
        assert record["hash"] == record_hash(record)
        assert list(ledger.records()) == [record]


@pytest.mark.parametrize("kind", [k for k in KINDS if KIND_SCHEMAS[k]["required"]])
def test_every_required_detail_is_checked(tmp_path, kind):
    with Ledger(tmp_path / "ev") as ledger:
        for name in KIND_SCHEMAS[kind]["required"]:
            details = dict(VALID_DETAILS[kind])
            del details[name]
            with pytest.raises(EvidenceError, match="missing: %s" % name):
                ledger.append(application="tax-portal", kind=kind, stage="trial", details=details)
        assert ledger.count() == 0


@pytest.mark.parametrize("fields, message", [
    (dict(kind="bogus"), "kind: 'bogus' is not a known evidence kind"),
    (dict(kind="note"), "stage: None is not a lifecycle stage"),
    (dict(kind="note", stage="nope"), "stage: 'nope'"),
    (dict(kind="note", stage="trial", application="Tax Portal"), "application: 'Tax Portal' must be a slug"),
    (dict(kind="note", stage="trial", party="vendor"), "party: 'vendor'"),
    (dict(kind="note", stage="trial", result="ok"), "result: 'ok'"),
    (dict(kind="note", stage="trial", clauses=["8.1.4.1.a", "see below!"]), "clauses: 'see below!'"),
    (dict(kind="note", stage="trial", details=["x"]), "details: must be a mapping"),
    (dict(kind="note", stage="trial", details={"x": float("nan")}), "details.x: NaN"),
    (dict(kind="note", stage="trial", details={"x": object()}), "details.x: values of type object"),
    (dict(kind="note", stage="trial", artifacts=[{"name": "a", "sha256": "xyz"}]), "artifacts\\[0\\]: sha256"),
    (dict(kind="note", stage="trial", seq=5), "seq: set by the ledger"),
    (dict(kind="note", stage="trial", colour="red"), "unknown record field"),
    (dict(kind="mlps_assessment", details=dict(VALID_DETAILS["mlps_assessment"], level="three")),
     "details.level: 'three' is not an integer"),
    (dict(kind="mlps_assessment", details=dict(VALID_DETAILS["mlps_assessment"], conclusion="ok")),
     "details.conclusion: 'ok' is not one of"),
    (dict(kind="filing", details=dict(VALID_DETAILS["filing"], date="2026-02-30")), "not a valid calendar date"),
    (dict(kind="filing", details=dict(VALID_DETAILS["filing"], date="May 1st")), "YYYY-MM-DD"),
    (dict(kind="data_handover", details=dict(VALID_DETAILS["data_handover"], items=[{"format": "x"}])),
     "details.items\\[0\\]"),
    (dict(kind="trial_completion", details=dict(VALID_DETAILS["trial_completion"], end_date="2026-01-01")),
     "before start_date"),
])
def test_bad_fields_are_named(fields, message):
    fields = dict(dict(application="tax-portal"), **fields)
    with pytest.raises(EvidenceError, match=message):
        build_record(fields)


def test_results_follow_details():
    def result(kind, **changes):
        return build_record(dict(application="a", kind=kind, details=dict(VALID_DETAILS[kind], **changes)))["result"]
    assert result("approval") == "pass" and result("approval", decision="rejected") == "fail"
    assert result("mlps_assessment") == "pass" and result("mlps_assessment", conclusion="non_compliant") == "fail"
    assert result("security_assessment", conclusion="failed") == "fail"
    assert result("trial_completion", conclusion="aborted") == "fail"


PEM = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY-----"


@pytest.mark.parametrize("value, secret", [
    ({"password": "hunter2x"}, "hunter2x"),
    ({"db_password": 12345}, "12345"),
    ({"nested": [{"X-Auth-Token": "tok-abc-123"}]}, "tok-abc-123"),
    ({"client_secret": "cs-999"}, "cs-999"),
    ({"private_key": "k-material"}, "k-material"),
    ({"credentials": {"user": "u", "pw": "p4ss"}}, "p4ss"),
    ({"api_key": "AK-1"}, "AK-1"),
    ({"passphrase": "open sesame"}, "open sesame"),
    ({"note": "key follows " + PEM}, "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ"),
    ({"note": "cut " + PEM[:60]}, "b3BlbnNzaC1"),
    ({"url": "https://admin:Pa55word@db.example:5432/x"}, "Pa55word"),
    ({"cmd": "mysql --password=Sup3r -h db"}, "Sup3r"),
    ({"cmd": "openstack --os-password Sup3r server list"}, "Sup3r"),
    ({"cmd": "sshpass -p Sup3r ssh host"}, "Sup3r"),
    ({"cmd": "curl -H 'Authorization: Bearer abcdefgh12345678'"}, "abcdefgh12345678"),
    ({"out": "token=abcdef123456 rest"}, "abcdef123456"),
    ({"out": '{"password": "in-json"}'}, "in-json"),
    ({"out": "jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NSJ9.c2lnbmF0dXJl"}, "eyJzdWIiOiIxMjM0NSJ9"),
    ({"out": "id AKIAIOSFODNN7EXAMPLE"}, "AKIAIOSFODNN7EXAMPLE"),
])
def test_secrets_are_redacted(value, secret):
    cleaned = canonical(redact(value)).decode()
    assert secret not in cleaned and REDACTED in cleaned


def test_known_secret_values_are_scrubbed_everywhere(tmp_path):
    with Ledger(tmp_path / "ev") as ledger:
        record = ledger.append(secrets={"S3cr3t!"}, application="a", kind="note", stage="trial",
                               summary="ran useradd -p S3cr3t! bob", actor="ops S3cr3t!",
                               details={"db_pw_value": "x", "k": {"cmd": "echo S3cr3t!", "password": "S3cr3t!"},
                                        "other": "token in detail: tk-77"}, targets=["S3cr3t!"])
    text = canonical(record).decode()
    assert "S3cr3t!" not in text
    # a secret named by key in details is also scrubbed where it reappears in plain text
    with Ledger(tmp_path / "ev2") as ledger:
        record = ledger.append(application="a", kind="note", stage="trial", summary="uses hunter22 for login",
                               details={"admin_password": "hunter22"})
    assert "hunter22" not in canonical(record).decode()


def test_non_secrets_are_kept():
    value = {"password_min_length": 12, "ssh_public_key": "ssh-ed25519 AAAA", "vault_password_file": "/etc/vpf",
             "update_password": True, "token_id": "t-1", "kind": "passive", "compass": "north"}
    assert redact(value) == value


def test_queries(tmp_path):
    with Ledger(tmp_path / "ev") as ledger:
        ledger.append(application="a", kind="control_check", stage="hardening", clauses=["8.1.4.1.a"], result="pass")
        ledger.append(application="a", kind="control_check", stage="hardening", clauses=["8.1.4.10"], result="fail")
        ledger.append(application="b", kind="note", stage="trial", clauses=["5.3"], result="info")
        ledger.append(application="a", kind="control_check", stage="hardening", clauses=["8.1.4.1.a-03"],
                      result="pass")

        def seqs(**filters):
            return [r["seq"] for r in ledger.records(**filters)]
        assert seqs(application="a") == [1, 2, 4]
        assert seqs(clause="8.1.4.1") == [1, 4] and seqs(clause="8.1.4") == [1, 2, 4]
        assert seqs(clause="8.1.4.1.a") == [1, 4] and seqs(clause="8.1.4.1.a-03") == [4]
        assert seqs(clause="8.1.4.1.b") == [] and seqs(clause=["5.3", "8.1.4.10"]) == [2, 3]
        assert seqs(clause="8.1.4.1.a-0") == [] and seqs(clause="8.1.4.1.a-030") == []
        assert seqs(stage=["trial"]) == [3] and seqs(kind="control_check", result="fail") == [2]
        assert seqs(since="2000-01-01", until="2999-12-31") == [1, 2, 3, 4] and seqs(until="2000-01-01") == []
        assert seqs(newest_first=True, limit=2) == [4, 3]
        assert ledger.head()["seq"] == 4 and ledger.count() == 4
        with pytest.raises(EvidenceError, match="since: 'yesterday'"):
            list(ledger.records(since="yesterday"))


def test_ledger_is_append_only_and_wal(tmp_path):
    with Ledger(tmp_path / "ev") as ledger:
        ledger.append(application="a", kind="note", stage="trial")
    conn = sqlite3.connect(str(tmp_path / "ev" / "ledger.sqlite"))
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    for sql in ("UPDATE records SET summary = 'x'", "DELETE FROM records"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute(sql)
    conn.close()


def test_storage_problems_are_clear(tmp_path):
    (tmp_path / "afile").write_text("x")
    with pytest.raises(EvidenceError, match="cannot create"):
        Ledger(tmp_path / "afile" / "ev")
    bad = tmp_path / "corrupt"
    bad.mkdir()
    (bad / "ledger.sqlite").write_bytes(os.urandom(8192))
    with pytest.raises(EvidenceError, match="cannot be opened"):
        Ledger(bad)
    other = tmp_path / "other"
    other.mkdir()
    conn = sqlite3.connect(str(other / "ledger.sqlite"))
    conn.execute("CREATE TABLE t (x)")
    conn.close()
    with pytest.raises(EvidenceError, match="not a govcloud.lifecycle evidence ledger"):
        Ledger(other)
    absent = Ledger(tmp_path / "absent", create=False)
    assert not os.path.exists(tmp_path / "absent") and absent.count() == 0 and list(absent.records()) == []


def test_key_is_generated_private_and_checked(tmp_path):
    key = tmp_path / "k" / "sign.pem"
    with Ledger(tmp_path / "ev", key_file=str(key)) as ledger:
        ledger.append(application="a", kind="note", stage="trial")
        ledger.checkpoint()
        assert stat.S_IMODE(os.stat(key).st_mode) == 0o600 and os.path.exists(str(key) + ".pub")
        os.chmod(key, 0o644)
        with pytest.raises(EvidenceError, match="chmod 600"):
            ledger.checkpoint()
        os.chmod(key, 0o600)
        assert ledger.verify()["ok"]


def test_attestation_and_acceptance_cross_field_checks(tmp_path):
    with Ledger(tmp_path / "ev") as ledger:
        na = dict(VALID_DETAILS["attestation"], result="not_applicable")
        with pytest.raises(EvidenceError, match=r"^details.reason: .*needs the reason"):
            ledger.append(application="tax-portal", kind="attestation", details=na)
        early = dict(VALID_DETAILS["attestation"], valid_until="2026-01-01")
        with pytest.raises(EvidenceError, match=r"^details.valid_until: 2026-01-01 is before"):
            ledger.append(application="tax-portal", kind="attestation", details=early)
        late = dict(VALID_DETAILS["risk_acceptance"], expires="2026-01-01")
        with pytest.raises(EvidenceError, match=r"^details.expires: 2026-01-01 is before"):
            ledger.append(application="tax-portal", kind="risk_acceptance", details=late)
        assert ledger.count() == 0
        rec = ledger.append(application="tax-portal", kind="attestation", details=dict(na, reason="decommission"))
        assert rec["result"] == "info" and rec["stage"] == "security_assessment"
