# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this plugin_util is **PRIVATE** to the collection: it can change at any time.

"""Ledger verification: the chain, every seal, the signed checkpoints, the pinned key and the witness."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import sqlite3

from ansible_collections.govcloud.lifecycle.plugins.module_utils._evidence_kinds import _JSON_FIELDS, EvidenceError
from ansible_collections.govcloud.lifecycle.plugins.plugin_utils._evidence_keys import (
    InvalidSignature,
    _seal_ok,
    _unsigned_reason,
    key_id,
    load_verify_key,
    resolve_key_path,
)
from ansible_collections.govcloud.lifecycle.plugins.plugin_utils._evidence_record import (
    _COLUMNS,
    _SELECT,
    GENESIS_HASH,
    canonical,
)


class LedgerVerification:
    """Ledger.verify() and the checks it runs, a base of plugin_utils/_evidence_ledger.Ledger (its connection, keys and
    witness)."""

    # -- verification -----------------------------------------------------------------------------
    def verify(self, key_file=None, anchor_file=None, require_witness=False):
        """Check the chain, every record's seal, the signed checkpoints, the pinned key and the witness.

        Never raises for tampering: the result says ``ok``, the first bad sequence and why.  Records count only
        when a seal or a signed checkpoint made with the verifying key covers them.
        """
        out = {"ok": True, "count": 0, "head_seq": 0, "head_hash": GENESIS_HASH, "first_bad_seq": None,
               "reason": None, "ledger": self.path, "ledger_id": self.ledger_id, "key_id": None,
               "pinned_key_id": None, "sealed_seq": 0, "unsigned_records": None,
               "anchor": {"checked": False, "ok": None, "signed_seq": None, "reason": None, "file": None,
                          "unsigned_records": None},
               "witness": {"checked": False, "ok": None, "reason": None, "file": None, "witnessed_seq": None}}
        if self._conn is None:
            hashes = {}
        else:
            try:
                hashes = self._verify_chain(out)
            except sqlite3.DatabaseError as exc:
                out.update(ok=False, reason="database unreadable: %s" % exc)
                return out
        key_path = resolve_key_path(key_file or self.key_file)
        public = None
        if os.path.exists(key_path):
            try:
                public = load_verify_key(key_path)
            except EvidenceError as exc:
                out["anchor"].update(checked=True, ok=False, reason=str(exc))
                self._fail(out, None, str(exc))
                return out
            out["key_id"] = key_id(public)
        sealed = 0
        if public is not None and self._conn is not None:
            try:
                sealed = self._verify_seals(out, hashes, public, out["key_id"])
            except sqlite3.DatabaseError as exc:
                self._fail(out, None, "seals unreadable: %s" % exc)
        out["sealed_seq"] = sealed
        self._verify_anchor(out, hashes, public, key_path,
                            os.path.abspath(anchor_file) if anchor_file else self.anchor_file)
        if public is not None:
            covered = max(sealed, out["anchor"]["signed_seq"] or 0)
            out["unsigned_records"] = max(0, out["head_seq"] - covered)
            if out["head_seq"] > covered:
                self._fail(out, covered + 1, _unsigned_reason(covered, out["head_seq"]))
        self._verify_pin(out)
        self._verify_witness(out, hashes, require_witness)
        return out

    def _verify_chain(self, out):
        hashes = {}  # seq -> stored hash
        expected = 1
        prev = GENESIS_HASH
        sha256 = hashlib.sha256
        loads = json.loads
        for row in self._conn.execute(_SELECT + " ORDER BY seq"):
            seq = row[0]
            if out["first_bad_seq"] is None and out["ok"]:
                if seq != expected:
                    self._bad(out, expected, "record %d is missing (the next stored record is %d)" % (expected, seq)
                              if seq > expected else "unexpected sequence number %r" % (seq,))
                else:
                    try:
                        record = dict(zip(_COLUMNS, row))
                        for name in _JSON_FIELDS:
                            record[name] = loads(record[name])
                        stored = record.pop("hash")
                        actual = sha256(canonical(record)).hexdigest()
                    except (ValueError, TypeError) as exc:
                        self._bad(out, seq, "record %d cannot be decoded: %s" % (seq, exc))
                    else:
                        if actual != stored:
                            self._bad(out, seq, "record %d was altered: its content no longer matches its hash" % seq)
                        elif record["prev_hash"] != prev:
                            self._bad(out, seq, "record %d does not link to record %d (prev_hash differs)"
                                      % (seq, seq - 1))
                prev = row[14]
            expected = seq + 1 if isinstance(seq, int) else expected + 1
            hashes[seq] = row[14]
            out["count"] += 1
            out["head_seq"], out["head_hash"] = seq, row[14]
        return hashes

    def _verify_seals(self, out, hashes, public, kid):
        """Highest seq covered by valid seals in an unbroken run from the start; marks the first bad one."""
        if not self._has_seals and "seals" not in self._tables():
            return 0
        sealed = 0
        for seq, seal_kid, sig in self._conn.execute("SELECT seq, key_id, sig FROM seals ORDER BY seq"):
            if seq not in hashes:
                if isinstance(seq, int) and seq > out["head_seq"]:
                    self._bad(out, out["head_seq"] + 1, "record %d was sealed but the ledger ends at seq %d: the "
                              "newest records were deleted" % (seq, out["head_seq"]))
                else:
                    self._bad(out, seq, "a seal names record %s, which the ledger does not hold" % (seq,))
                break
            if seal_kid != kid:
                self._bad_range(out, sealed + 1, seq, "record(s) %d to %d were signed by key %s, not by the verifying "
                                "key %s" % (sealed + 1, seq, seal_kid, kid))
                break
            if not _seal_ok(public, kid, (seal_kid, sig), self.ledger_id, seq, hashes[seq]):
                self._bad_range(out, sealed + 1, seq, "record(s) %d to %d do not match their signature (seal of "
                                "record %d): altered or added without the ledger key" % (sealed + 1, seq, seq))
                break
            sealed = seq
        return sealed

    @staticmethod
    def _bad_range(out, start, end, reason):
        """A bad seal over records start..end: the chain's own finding wins if it lies in the range (it is exact);
        a chain break just after the range (a forged record chained correctly, the next link broken) is the range's."""
        chain_bad = out["first_bad_seq"] if not out["ok"] else None
        if chain_bad is None or chain_bad > end:
            out.update(ok=False, first_bad_seq=start, reason=reason)

    @staticmethod
    def _bad(out, seq, reason):
        if out["ok"]:
            out.update(ok=False, first_bad_seq=seq, reason=reason)

    def _verify_anchor(self, out, hashes, public, key_path, anchor_path):
        anchor = out["anchor"]
        anchor["file"] = anchor_path
        if public is None:
            anchor["reason"] = "no anchor key at %s: signed checkpoints not checked" % key_path
            return
        anchor["checked"] = True
        expected_id = out["key_id"]
        count = out["count"]
        try:
            with open(anchor_path, "rb") as handle:
                data = handle.read()
        except FileNotFoundError:
            data = b""
        except OSError as exc:
            anchor.update(ok=False, reason="anchor file %s: cannot read: %s" % (anchor_path, exc.strerror or exc))
            self._fail(out, None, anchor["reason"])
            return
        lines = data.split(b"\n")
        if lines and lines[-1] == b"":
            lines.pop()
        elif lines:
            lines.pop()  # a line without newline was cut short by a crash: it was never a complete checkpoint
        entries = []
        prev = GENESIS_HASH
        problem = None
        for number, line in enumerate(lines, 1):
            try:
                entry = json.loads(line)
                body = dict(entry)
                sig = base64.b64decode(body.pop("sig"))
            except (ValueError, KeyError, TypeError, AttributeError):
                problem = "anchor line %d is unreadable (anchor file edited)" % number
                break
            if entry.get("prev") != prev:
                problem = "anchor line %d does not follow line %d (anchor file edited)" % (number, number - 1)
                break
            if entry.get("ledger") != self.ledger_id:
                problem = "anchor line %d belongs to another ledger (%s, this is %s)" % (
                    number, entry.get("ledger"), self.ledger_id)
                break
            if entry.get("key_id") != expected_id:
                problem = "anchor line %d was signed by key %s, not by the verifying key %s" % (
                    number, entry.get("key_id"), expected_id)
                break
            prev = hashlib.sha256(line).hexdigest()
            entries.append((number, entry, body, sig))
        if problem is None and entries:
            # The lines are hash-linked, so the newest signature vouches for every earlier line.
            number, entry, body, sig = entries[-1]
            try:
                public.verify(sig, canonical(body))
            except InvalidSignature:
                problem = "anchor line %d has an invalid signature (anchor file edited or wrong key)" % number
        if problem:
            anchor.update(ok=False, reason=problem)
            self._fail(out, None, problem)
            return
        if not entries:
            if count:
                anchor.update(ok=False, reason="no signed checkpoint in %s although the ledger holds %d record(s)"
                              % (anchor_path, count))
                self._fail(out, 1, anchor["reason"])
            else:
                anchor.update(ok=True, signed_seq=0, unsigned_records=0)
            return
        number, entry = entries[-1][0], entries[-1][1]
        if entry["seq"] > out["head_seq"] or entry["count"] > count:
            reason = ("signed checkpoint (anchor line %d, %s) covers %d record(s) up to seq %d but the ledger "
                      "holds %d up to seq %d: the newest records were deleted" % (
                          number, entry["ts"], entry["count"], entry["seq"], count, out["head_seq"]))
            anchor.update(ok=False, reason=reason, signed_seq=entry["seq"])
            self._fail(out, out["head_seq"] + 1, reason)
            return
        for number, entry, _body, _sig in entries:
            seq = entry["seq"]
            if seq and hashes.get(seq) != entry["hash"]:
                reason = ("record %d differs from the head signed at anchor line %d (%s): the chain up to it was "
                          "rewritten" % (seq, number, entry["ts"]))
                anchor.update(ok=False, reason=reason, signed_seq=seq)
                self._fail(out, seq, reason)
                return
        signed = entries[-1][1]["seq"]
        anchor.update(ok=True, signed_seq=signed, unsigned_records=count - signed)

    def _verify_pin(self, out):
        pinned = self.expected_key_id
        source = "pinned (GOVCLOUD_EVIDENCE_KEY_ID / govcloud_evidence_key_id)"
        if not pinned:
            witness = self.witness()
            first = witness.first(self.ledger_id) if witness is not None and self.ledger_id else None
            if first:
                pinned, source = first["key_id"], "pinned by the witness at seq %s (%s)" % (first["seq"], first["ts"])
        out["pinned_key_id"] = pinned
        if pinned and out["key_id"] and pinned != out["key_id"]:
            self._fail(out, None, "the ledger is verified with key %s, but the key %s is %s: the key was replaced and "
                       "the ledger may have been rewritten and re-signed" % (out["key_id"], source, pinned))

    def _verify_witness(self, out, hashes, require_witness):
        report = out["witness"]
        witness = self.witness()
        if witness is None:
            report["reason"] = "no witness configured"
            if require_witness:
                self._fail(out, None, "no witness configured, but the verification requires one")
            return
        report["file"] = witness.path
        try:
            entries = witness.entries(ledger_id=self.ledger_id) if self.ledger_id else []
            replaced = [e for e in witness.entries(directory=self.directory) if e["ledger_id"] != self.ledger_id]
        except EvidenceError as exc:
            report.update(checked=True, ok=False, reason=str(exc))
            self._fail(out, None, "witness: %s" % exc)
            return
        report["checked"] = True
        if not entries or replaced:
            if replaced:
                last = replaced[-1]
                reason = ("the witness knows another ledger in %s (%s, %d checkpoint(s), last seq %s, key %s): this "
                          "ledger (%s) replaced it" % (
                              self.directory, last["ledger_id"], len(replaced), last["seq"], last["key_id"],
                              self.ledger_id))
                report.update(ok=False, reason=reason)
                self._fail(out, 1, reason)
            else:
                report.update(ok=None, reason="the witness holds no checkpoint of this ledger")
                if require_witness:
                    self._fail(out, None, "the witness %s holds no checkpoint of ledger %s" % (
                        witness.path, self.ledger_id))
            return
        last = entries[-1]
        report["witnessed_seq"] = last["seq"]
        if last["seq"] > out["head_seq"]:
            reason = ("the witness holds a checkpoint at seq %d (%s) but the ledger ends at seq %d: record(s) %d to "
                      "%d were cut off" % (last["seq"], last["ts"], out["head_seq"], out["head_seq"] + 1, last["seq"]))
            report.update(ok=False, reason=reason)
            self._fail(out, out["head_seq"] + 1, reason)
            return
        for entry in entries:
            if entry["seq"] and hashes.get(entry["seq"]) != entry["hash"]:
                reason = ("record %d differs from the head the witness holds for it (%s): the ledger was rewritten"
                          % (entry["seq"], entry["ts"]))
                report.update(ok=False, reason=reason)
                self._fail(out, entry["seq"], reason)
                return
        report.update(ok=True)

    @staticmethod
    def _fail(out, seq, reason):
        if out["ok"]:
            out.update(ok=False, first_bad_seq=seq, reason=reason)

    def require_intact(self, require_witness=True):
        """verify(), raising EvidenceError naming the first bad record unless the ledger is intact.

        Gates call it before they count a single record: a forged record must not pass a gate.
        """
        report = self.verify(require_witness=require_witness)
        if not report["anchor"]["checked"]:
            report.update(ok=False, reason=report["anchor"]["reason"])
        if not report["ok"]:
            where = " at record %s" % report["first_bad_seq"] if report["first_bad_seq"] else ""
            raise EvidenceError("ledger %s does not verify%s: %s; no record of it is trusted until the management "
                                "unit has examined it" % (self.path, where, report["reason"]))
        return report
