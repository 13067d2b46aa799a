# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Forgery without the key: a record written straight into the SQLite file, wherever it sits, is found; no later
honest write signs it; truncation together with the anchor file, a replaced key and a deleted ledger are found
against the management unit's witness (issue 12, docs/evidence.md)."""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import sqlite3
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from forgery import forge  # noqa: E402  pylint: disable=wrong-import-position

from ansible_collections.govcloud.lifecycle.plugins.plugin_utils.evidence import (  # noqa: E402
    FIELDS,
    EvidenceError,
    Ledger,
    Witness,
)

N = 30


def _approval(i):
    return dict(application="jx-app", kind="approval", summary="approval %d" % i,
                details={"approver": "王建国", "decision": "approved", "date": "2026-11-02", "subject": "application"})


@pytest.fixture()
def ledger_dir(tmp_path):
    with Ledger(tmp_path / "ev", key_file=str(tmp_path / "key.pem")) as ledger:
        for i in range(N):
            ledger.append(**_approval(i))  # one commit, one seal each (as the callback writes)
        ledger.checkpoint()
    return tmp_path


def _forge(path, at=None, garbage_hash=False):
    return forge(path / "ev" / "ledger.sqlite", _approval(999), at=at, garbage_hash=garbage_hash)


@pytest.mark.parametrize("garbage", [False, True], ids=["chained", "garbage-hash"])
@pytest.mark.parametrize("where", ["tail", "middle"])
@pytest.mark.parametrize("mode", ["operator", "auditor"])
def test_forged_record_is_found_and_named(ledger_dir, where, garbage, mode):
    seq = _forge(ledger_dir, at=None if where == "tail" else N // 2, garbage_hash=garbage)
    key = str(ledger_dir / "key.pem") + (".pub" if mode == "auditor" else "")
    with Ledger(ledger_dir / "ev", key_file=key, create=False) as ledger:
        report = ledger.verify()
    assert not report["ok"], report
    assert report["first_bad_seq"] == seq, report["reason"]


def test_no_later_write_signs_a_forged_tail(ledger_dir):
    seq = _forge(ledger_dir)
    with Ledger(ledger_dir / "ev", key_file=str(ledger_dir / "key.pem")) as ledger:
        with pytest.raises(EvidenceError, match=r"record\(s\) %d to %d .*nothing was written" % (seq, seq)):
            ledger.append(**_approval(1000))
        with pytest.raises(EvidenceError, match="nothing was written"):
            ledger.checkpoint()
        assert ledger.count() == N + 1  # nothing of ours was added
        report = ledger.verify()
    assert not report["ok"] and report["first_bad_seq"] == seq


def test_writer_that_saw_the_head_refuses_a_forgery_in_between(ledger_dir):
    """A long-running writer (the callback) checks again whenever the head is not the one it wrote."""
    with Ledger(ledger_dir / "ev", key_file=str(ledger_dir / "key.pem")) as ledger:
        ledger.append(**_approval(100))
        seq = _forge(ledger_dir)
        with pytest.raises(EvidenceError, match=r"record\(s\) %d to %d carry no valid signature" % (seq, seq)):
            ledger.append(**_approval(101))


def test_require_intact_refuses_forged_ledger(ledger_dir):
    with Ledger(ledger_dir / "ev", key_file=str(ledger_dir / "key.pem"), create=False) as ledger:
        assert ledger.require_intact()["ok"]
    seq = _forge(ledger_dir, at=3, garbage_hash=True)
    with Ledger(ledger_dir / "ev", key_file=str(ledger_dir / "key.pem"), create=False) as ledger:
        with pytest.raises(EvidenceError, match="does not verify at record %d" % seq):
            ledger.require_intact()


def _cut(path, records, lines):
    """Remove the newest ``records`` records with their seals and the last ``lines`` anchor lines."""
    conn = sqlite3.connect(str(path / "ev" / "ledger.sqlite"), isolation_level=None)
    conn.execute("DROP TRIGGER IF EXISTS records_no_delete")
    conn.execute("DROP TRIGGER IF EXISTS seals_no_delete")
    head = conn.execute("SELECT max(seq) FROM records").fetchone()[0]
    conn.execute("DELETE FROM records WHERE seq > ?", (head - records,))
    conn.execute("DELETE FROM seals WHERE seq > ?", (head - records,))
    conn.close()
    anchors = path / "ev" / "ledger.anchors"
    kept = anchors.read_bytes().splitlines(keepends=True)[:-lines]
    anchors.write_bytes(b"".join(kept))
    return head - records


@pytest.fixture()
def checkpointed(tmp_path):
    """A ledger with a checkpoint after each of N records (the anchor has N+1 lines)."""
    with Ledger(tmp_path / "ev", key_file=str(tmp_path / "key.pem")) as ledger:
        for i in range(N):
            ledger.append(**_approval(i))
            ledger.checkpoint()
    return tmp_path


@pytest.mark.parametrize("n", [1, 3])
@pytest.mark.parametrize("mode", ["operator", "auditor"])
def test_truncated_tail_with_anchor_is_found_by_the_witness(checkpointed, n, mode):
    head = _cut(checkpointed, n, n)
    key = str(checkpointed / "key.pem") + (".pub" if mode == "auditor" else "")
    with Ledger(checkpointed / "ev", key_file=key, create=False) as ledger:
        alone = ledger.verify()
        assert alone["anchor"]["ok"] and alone["sealed_seq"] == head  # records, seals and anchor agree...
        assert not alone["ok"] and alone["first_bad_seq"] == head + 1  # ...the witness does not
        assert "cut off" in alone["reason"] and alone["witness"]["witnessed_seq"] == N


def test_replaced_key_and_resigned_chain_is_found(checkpointed):
    """The operator's key replaced at the same path, the whole chain rewritten and re-signed with it."""
    path = checkpointed
    conn = sqlite3.connect(str(path / "ev" / "ledger.sqlite"), isolation_level=None)
    rows = conn.execute("SELECT %s FROM records ORDER BY seq" % ",".join(FIELDS)).fetchall()
    ledger_id = conn.execute("SELECT value FROM meta WHERE key = 'ledger_id'").fetchone()[0]
    conn.close()
    shutil.rmtree(path / "ev")
    os.remove(path / "key.pem")
    os.remove(str(path / "key.pem") + ".pub")
    # rebuild with a new key, keeping the ledger id so the rewrite looks like the same ledger
    with Ledger(path / "ev", key_file=str(path / "key.pem"), witness=False) as fresh:
        fresh._conn.execute("UPDATE meta SET value = ? WHERE key = 'ledger_id'", (ledger_id,))
        fresh._ledger_id = ledger_id
        for row in rows[:-1]:
            record = dict(zip(FIELDS, row))
            record["details"] = json.loads(record["details"])
            fresh.append(**dict((k, record[k]) for k in ("application", "kind", "summary", "details", "stage")))
    os.remove(path / "ev" / "ledger.anchors")
    with Ledger(path / "ev", key_file=str(path / "key.pem"), witness=False) as fresh:
        fresh.checkpoint()
    for key in (str(path / "key.pem"), str(path / "key.pem") + ".pub"):
        with Ledger(path / "ev", key_file=key, create=False) as ledger:
            report = ledger.verify()
        assert not report["ok"]
        assert report["key_id"] in report["reason"] and report["pinned_key_id"] in report["reason"]
        assert report["key_id"] != report["pinned_key_id"]
    # and the writer refuses to go on with the new key
    with Ledger(path / "ev", key_file=str(path / "key.pem")) as ledger:
        with pytest.raises(EvidenceError, match="not the key pinned"):
            ledger.append(**_approval(1))


def test_deleted_ledger_is_found_by_the_witness(checkpointed):
    directory = checkpointed / "ev"
    with Ledger(directory, key_file=str(checkpointed / "key.pem"), create=False) as ledger:
        ledger_id = ledger.ledger_id
    shutil.rmtree(directory)
    entries = Witness().entries(directory=str(directory))
    assert entries and entries[-1]["ledger_id"] == ledger_id and entries[-1]["seq"] == N
    # a new ledger made where the old one was is a replacement, named as such
    with Ledger(directory, key_file=str(checkpointed / "key.pem")) as ledger:
        ledger.append(**_approval(1))
        report = ledger.verify()
    assert not report["ok"] and "replaced" in report["reason"] and ledger_id in report["reason"]


def test_pinned_key_id_from_the_environment(ledger_dir, monkeypatch):
    monkeypatch.setenv("GOVCLOUD_EVIDENCE_KEY_ID", "0" * 32)
    with Ledger(ledger_dir / "ev", key_file=str(ledger_dir / "key.pem"), create=False) as ledger:
        report = ledger.verify()
    assert not report["ok"] and "0" * 32 in report["reason"]


def test_witness_verifies_on_its_own_and_finds_its_own_forgery(checkpointed):
    witness = Witness()
    assert witness.verify()["ok"]
    conn = sqlite3.connect(witness.path, isolation_level=None)
    conn.execute("DROP TRIGGER IF EXISTS records_no_update")
    conn.execute("UPDATE records SET details = replace(details, '\"seq\":3', '\"seq\":300') WHERE seq = 4")
    conn.close()
    report = witness.verify()
    assert not report["ok"] and report["first_bad_seq"] == 4


def test_a_ledger_from_before_seals_stays_writable_and_still_refuses_a_forgery(tmp_path):
    """A ledger written before seals existed: its head is vouched for by the newest signed checkpoint."""
    with Ledger(tmp_path / "ev", key_file=str(tmp_path / "key.pem")) as ledger:
        for i in range(5):
            ledger.append(**_approval(i))
        ledger.checkpoint()
    conn = sqlite3.connect(str(tmp_path / "ev" / "ledger.sqlite"), isolation_level=None)
    conn.execute("DROP TABLE seals")  # the schema of the first release had no seals
    conn.close()
    with Ledger(tmp_path / "ev", key_file=str(tmp_path / "key.pem")) as ledger:
        ledger.append(**_approval(5))
        assert ledger.verify()["ok"]
    seq = _forge(tmp_path)
    with Ledger(tmp_path / "ev", key_file=str(tmp_path / "key.pem")) as ledger:
        with pytest.raises(EvidenceError, match="carry no valid signature"):
            ledger.append(**_approval(6))
        assert ledger.verify()["first_bad_seq"] == seq


def test_a_witness_being_created_by_another_run_has_witnessed_nothing(tmp_path):
    """Two hosts recording at once: one run creates the witness ledger (file there, tables not yet) while the
    other reads it; the reader sees an empty witness, not an error."""
    witness = Witness()
    os.makedirs(os.path.dirname(witness.path), exist_ok=True)
    sqlite3.connect(witness.path).close()  # the file as sqlite3.connect leaves it before the schema is written
    assert witness.entries(directory=str(tmp_path / "ev")) == []
    assert witness.first("some-ledger-id") is None
    assert witness.verify()["ok"] is True
    with Ledger(tmp_path / "ev", key_file=str(tmp_path / "key.pem")) as ledger:
        ledger.append(**_approval(0))
        ledger.checkpoint()
        assert ledger.verify()["ok"]
