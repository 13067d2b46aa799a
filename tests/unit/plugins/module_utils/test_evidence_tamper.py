# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Tamper evidence: every change to any record is found and named, against the chain and the anchor.

Coverage: the field ``details`` is changed in every one of the 1,000 records; every other field in a
sample of records (first, last, and every 37th); deletion and reordering in every 10th record.
"""

from __future__ import annotations

import json
import shutil
import sqlite3

import pytest

from ansible_collections.govcloud.lifecycle.plugins.plugin_utils.evidence import (
    FIELDS,
    Ledger,
    canonical,
    record_hash,
)

N = 1000
SAMPLE = sorted({1, 2, N - 1, N} | set(range(1, N + 1, 37)))


def _fields(i):
    return dict(application="app-%d" % (i % 3), stage="hardening", kind="control_check",
                clauses=["8.1.4.%d.a" % (i % 5 + 1)], party="cloud_service_provider", actor="ops%d" % (i % 4),
                targets=["vm-%d" % i], result=("pass", "fail", "gap")[i % 3], summary="check %d" % i,
                details={"i": i, "nested": {"v": [i, str(i)]}},
                artifacts=[{"name": "a%d.txt" % i, "sha256": "%064x" % i}])


@pytest.fixture(scope="module")
def base_ledger(tmp_path_factory):
    directory = tmp_path_factory.mktemp("base")
    key = directory / "key.pem"
    with Ledger(directory / "ev", key_file=str(key)) as ledger:
        for start in range(0, N, 100):
            ledger.append_many([_fields(i) for i in range(start + 1, start + 101)])
            ledger.checkpoint()
    return directory


@pytest.fixture(scope="module")
def tampered(base_ledger, tmp_path_factory):
    """One writable copy of the ledger (triggers dropped, as an attacker would) shared by the field tests."""
    directory = tmp_path_factory.mktemp("tamper")
    shutil.copytree(base_ledger / "ev", directory / "ev")
    shutil.copy(base_ledger / "key.pem", directory / "key.pem")
    conn = sqlite3.connect(str(directory / "ev" / "ledger.sqlite"), isolation_level=None)
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("DROP TRIGGER records_no_update")
    conn.execute("DROP TRIGGER records_no_delete")
    ledger = Ledger(directory / "ev", key_file=str(directory / "key.pem"))
    yield conn, ledger
    ledger.close()
    conn.close()


def _mutate(field, value):
    """A different value of the same shape as the stored column value."""
    if field == "seq":
        return value + 10 * N
    if field in ("prev_hash", "hash"):
        return ("1" if value[0] != "1" else "2") + value[1:]
    if field == "ts":
        return value[:-2] + ("1" if value[-2] != "1" else "2") + "Z"
    if field in ("clauses", "targets"):
        return json.dumps(json.loads(value) + ["x"])
    if field == "details":
        data = json.loads(value)
        data["i"] += 1
        return canonical(data).decode()
    if field == "artifacts":
        data = json.loads(value)
        data[0]["sha256"] = "f" * 64
        return canonical(data).decode()
    if field in ("stage", "kind", "party", "result"):
        return {"stage": "trial", "kind": "note", "party": "customer", "result": "info"}[field]
    return value + "x"


def _tamper_and_verify(conn, ledger, field, seq):
    old = conn.execute("SELECT %s FROM records WHERE seq = ?" % field, (seq,)).fetchone()[0]
    new = _mutate(field, old)
    conn.execute("UPDATE records SET %s = ? WHERE seq = ?" % field, (new, seq))
    try:
        return ledger.verify()
    finally:
        where = seq + 10 * N if field == "seq" else seq
        conn.execute("UPDATE records SET %s = ? WHERE seq = ?" % field, (old, where))


def test_untouched_ledger_verifies(tampered):
    report = tampered[1].verify()
    assert report["ok"], report
    assert report["count"] == N and report["anchor"]["ok"] and report["anchor"]["signed_seq"] == N


@pytest.mark.parametrize("field", [f for f in FIELDS if f != "details"])
@pytest.mark.parametrize("seq", SAMPLE)
def test_changed_field_is_named(tampered, field, seq):
    report = _tamper_and_verify(tampered[0], tampered[1], field, seq)
    assert not report["ok"]
    assert report["first_bad_seq"] == seq, report["reason"]
    assert "record %d" % seq in report["reason"]


def test_changed_details_named_in_every_record(tampered):
    conn, ledger = tampered
    wrong = []
    for seq in range(1, N + 1):
        report = _tamper_and_verify(conn, ledger, "details", seq)
        if report["ok"] or report["first_bad_seq"] != seq:
            wrong.append((seq, report["first_bad_seq"], report["reason"]))
    assert wrong == []
    assert ledger.verify()["ok"]


@pytest.mark.parametrize("seq", range(1, N + 1, 10))
def test_deleted_record_is_named(tampered, seq):
    conn, ledger = tampered
    row = conn.execute("SELECT * FROM records WHERE seq = ?", (seq,)).fetchone()
    conn.execute("DELETE FROM records WHERE seq = ?", (seq,))
    try:
        report = ledger.verify()
    finally:
        conn.execute("INSERT INTO records VALUES (%s)" % ",".join("?" * len(row)), row)
    assert not report["ok"]
    if seq < N:
        assert report["first_bad_seq"] == seq and "record %d is missing" % seq in report["reason"]
    else:  # the newest record gone: only the signed head can tell
        assert report["first_bad_seq"] == N and "deleted" in report["reason"]


@pytest.mark.parametrize("seq", range(1, N, 10))
def test_reordered_records_are_named(tampered, seq):
    conn, ledger = tampered
    conn.execute("UPDATE records SET seq = -1 WHERE seq = ?", (seq,))
    conn.execute("UPDATE records SET seq = ? WHERE seq = ?", (seq, seq + 1))
    conn.execute("UPDATE records SET seq = ? WHERE seq = -1", (seq + 1,))
    try:
        report = ledger.verify()
    finally:
        conn.execute("UPDATE records SET seq = -1 WHERE seq = ?", (seq,))
        conn.execute("UPDATE records SET seq = ? WHERE seq = ?", (seq, seq + 1))
        conn.execute("UPDATE records SET seq = ? WHERE seq = -1", (seq + 1,))
    assert not report["ok"] and report["first_bad_seq"] == seq, report["reason"]


# ---------------------------------------------------------------------------------------- anchor


@pytest.fixture()
def copy(base_ledger, tmp_path):
    shutil.copytree(base_ledger / "ev", tmp_path / "ev")
    shutil.copy(base_ledger / "key.pem", tmp_path / "key.pem")
    conn = sqlite3.connect(str(tmp_path / "ev" / "ledger.sqlite"), isolation_level=None)
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("DROP TRIGGER records_no_update")
    conn.execute("DROP TRIGGER records_no_delete")
    yield tmp_path, conn
    conn.close()


def _rewrite_from(conn, first, change):
    """Change record ``first`` and recompute every hash from there: a chain that is valid on its own."""
    rows = conn.execute("SELECT %s FROM records WHERE seq >= ? ORDER BY seq" % ",".join(FIELDS), (first,)).fetchall()
    prev = conn.execute("SELECT hash FROM records WHERE seq = ?", (first - 1,)).fetchone()
    prev = prev[0] if prev else "0" * 64
    conn.execute("BEGIN")
    for row in rows:
        record = dict(zip(FIELDS, row))
        for name in ("clauses", "targets", "details", "artifacts"):
            record[name] = json.loads(record[name])
        if record["seq"] == first:
            change(record)
        record["prev_hash"] = prev
        record["hash"] = prev = record_hash(record)
        conn.execute("UPDATE records SET summary = ?, details = ?, prev_hash = ?, hash = ? WHERE seq = ?",
                     (record["summary"], canonical(record["details"]).decode(), record["prev_hash"], record["hash"],
                      record["seq"]))
    conn.execute("COMMIT")


@pytest.mark.parametrize("first", [1, 450, 1000])
def test_rewritten_chain_detected_by_anchor(copy, first):
    path, conn = copy

    def change(record):
        record["details"]["i"] = -1
    _rewrite_from(conn, first, change)
    ledger = Ledger(path / "ev", key_file=str(path / "key.pem"))
    chain_only = ledger.verify(key_file=str(path / "no-such-key.pem"))
    assert chain_only["ok"] and not chain_only["anchor"]["checked"]  # the chain alone cannot tell
    report = ledger.verify()
    assert not report["ok"] and report["anchor"]["checked"] and not report["anchor"]["ok"]
    # every batch of 100 was sealed when written: the first record of the batch holding the change is named
    assert report["first_bad_seq"] == ((first - 1) // 100) * 100 + 1
    assert "do not match their signature" in report["reason"]


@pytest.mark.parametrize("n", [1, 7, 100, N])
def test_deleted_newest_records_detected_by_anchor(copy, n):
    path, conn = copy
    conn.execute("DELETE FROM records WHERE seq > ?", (N - n,))
    ledger = Ledger(path / "ev", key_file=str(path / "key.pem"))
    report = ledger.verify()
    assert not report["ok"]
    assert report["first_bad_seq"] == N - n + 1
    assert "deleted" in report["reason"] and report["anchor"]["signed_seq"] == N


def test_anchor_file_tampering_detected(copy):
    path, _conn = copy
    anchors = path / "ev" / "ledger.anchors"
    lines = anchors.read_bytes().splitlines(keepends=True)
    entry = json.loads(lines[4])
    entry["seq"] = 499
    edited = lines[:4] + [canonical(entry) + b"\n"] + lines[5:]
    anchors.write_bytes(b"".join(edited))
    report = Ledger(path / "ev", key_file=str(path / "key.pem")).verify()
    assert not report["ok"] and "anchor line" in report["reason"]
    anchors.write_bytes(b"".join(lines[:-1]) + lines[-1][:-10])  # torn last line: a crash, not tampering
    report = Ledger(path / "ev", key_file=str(path / "key.pem")).verify()
    assert report["ok"] and report["anchor"]["signed_seq"] == 900 and report["anchor"]["unsigned_records"] == 100
    anchors.unlink()
    report = Ledger(path / "ev", key_file=str(path / "key.pem")).verify()
    assert not report["ok"] and "no signed checkpoint" in report["reason"]


def test_other_key_and_public_key(copy, tmp_path):
    path, _conn = copy
    ledger = Ledger(path / "ev", key_file=str(path / "key.pem"))
    assert ledger.verify(key_file=str(path / "key.pem.pub"))["ok"]
    other = Ledger(tmp_path / "other", key_file=str(tmp_path / "other.pem"))
    other.append(**_fields(1))
    other.checkpoint()
    report = ledger.verify(key_file=str(tmp_path / "other.pem"))
    assert not report["ok"] and "signed by key" in report["reason"]


def test_unsigned_tail_is_reported(copy):
    path, _conn = copy
    ledger = Ledger(path / "ev", key_file=str(path / "key.pem"))
    ledger.append(**_fields(N + 1))
    report = ledger.verify()
    assert report["ok"] and report["anchor"]["unsigned_records"] == 1 and report["anchor"]["signed_seq"] == N
