# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this plugin_util is **PRIVATE** to the collection: it can change at any time.

"""The evidence ledger: SQLite, append-only, hash-chained, every batch sealed, checkpoints anchored and witnessed."""

from __future__ import annotations

import base64
import datetime
import fcntl
import json
import os
import re
import sqlite3
import uuid

from ansible_collections.govcloud.lifecycle.plugins.module_utils._evidence_kinds import _JSON_FIELDS, EvidenceError
from ansible_collections.govcloud.lifecycle.plugins.plugin_utils._evidence_keys import (
    InvalidSignature,
    _anchor_link,
    _anchor_started,
    _seal_ok,
    key_id,
    load_signing_key,
    resolve_key_path,
    seal_message,
)
from ansible_collections.govcloud.lifecycle.plugins.plugin_utils._evidence_record import (
    _COLUMNS,
    _DATE_RE,
    _SELECT,
    ANCHOR_NAME,
    BUSY_TIMEOUT_MS,
    DB_NAME,
    ENV_ANCHOR,
    ENV_KEY_ID,
    GENESIS_HASH,
    SCHEMA_VERSION,
    _row_to_record,
    build_record,
    canonical,
    format_ts,
    parse_ts,
    record_hash,
    utc_now,
)
from ansible_collections.govcloud.lifecycle.plugins.plugin_utils._evidence_verify import LedgerVerification


class EmptyLedgerError(EvidenceError):
    """The ledger file exists but holds no ledger yet (or another process is creating it right now)."""


# -------------------------------------------------------------------------------------------- ledger

_SCHEMA_SQL = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS records (
    seq INTEGER PRIMARY KEY,
    ts TEXT NOT NULL,
    application TEXT NOT NULL,
    stage TEXT NOT NULL,
    kind TEXT NOT NULL,
    clauses TEXT NOT NULL,
    party TEXT NOT NULL,
    actor TEXT NOT NULL,
    targets TEXT NOT NULL,
    result TEXT NOT NULL,
    summary TEXT NOT NULL,
    details TEXT NOT NULL,
    artifacts TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS records_app_stage_kind ON records (application, stage, kind);
CREATE TRIGGER IF NOT EXISTS records_no_update BEFORE UPDATE ON records
BEGIN SELECT RAISE(ABORT, 'evidence ledger is append-only'); END;
CREATE TRIGGER IF NOT EXISTS records_no_delete BEFORE DELETE ON records
BEGIN SELECT RAISE(ABORT, 'evidence ledger is append-only'); END;
"""
# One signature per committed batch, over the batch's last record (whose hash chains every earlier record), made
# with the writer's key in the same transaction: a record that no seal covers was added without the key.
_SEALS_SQL = """
CREATE TABLE IF NOT EXISTS seals (seq INTEGER PRIMARY KEY, key_id TEXT NOT NULL, sig TEXT NOT NULL);
CREATE TRIGGER IF NOT EXISTS seals_no_update BEFORE UPDATE ON seals
BEGIN SELECT RAISE(ABORT, 'evidence ledger is append-only'); END;
CREATE TRIGGER IF NOT EXISTS seals_no_delete BEFORE DELETE ON seals
BEGIN SELECT RAISE(ABORT, 'evidence ledger is append-only'); END;
"""


class Ledger(LedgerVerification):
    """Append-only, hash-chained evidence ledger in ``<directory>/ledger.sqlite`` (WAL mode).

    Every committed batch is sealed in the same transaction: an Ed25519 signature of the writer's key
    (``key_file``) over the batch's last record, so a record nobody with the key wrote is found wherever it sits.
    Checkpoints (signed heads) go to ``anchor_file`` (default ``<directory>/ledger.anchors``) and to the
    management unit's witness ledger (``witness``; None: the default one, False: none).  ``expected_key_id``
    pins the key the ledger must carry (default ``$GOVCLOUD_EVIDENCE_KEY_ID``, else the key the witness first
    saw).  See docs/evidence.md for the trust model.
    """

    def __init__(self, directory, key_file=None, anchor_file=None, create=True, witness=None, expected_key_id=None,
                 full_tail_check=True):
        self.directory = os.path.abspath(os.path.expanduser(str(directory)))
        self.path = os.path.join(self.directory, DB_NAME)
        self.key_file = resolve_key_path(key_file)
        self.anchor_file = os.path.abspath(os.path.expanduser(
            anchor_file or os.environ.get(ENV_ANCHOR) or os.path.join(self.directory, ANCHOR_NAME)))
        self.expected_key_id = expected_key_id or os.environ.get(ENV_KEY_ID) or None
        self._witness = witness
        self._full_tail_check = full_tail_check
        self._conn = None
        self._ledger_id = None
        self._signing_key = None
        self._signing_key_id = None
        self._trusted_head = None   # (seq, hash) this connection has checked or written itself
        self._has_seals = False
        self.exists = os.path.exists(self.path)
        if create or self.exists:
            self._open(create)

    # -- connection -------------------------------------------------------------------------------
    def _open(self, create):
        if create:
            try:
                os.makedirs(self.directory, mode=0o750, exist_ok=True)
            except OSError as exc:
                raise EvidenceError("evidence directory %s: cannot create: %s" % (self.directory, exc.strerror or exc))
            if not os.access(self.directory, os.W_OK | os.X_OK):
                raise EvidenceError("evidence directory %s is not writable by this user" % self.directory)
        elif os.path.isfile(self.path) and not os.access(self.path, os.R_OK):
            raise EvidenceError("ledger %s is not readable by this user" % self.path)
        try:
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000.0, isolation_level=None,
                                   check_same_thread=False)
            conn.execute("PRAGMA busy_timeout = %d" % BUSY_TIMEOUT_MS)
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if mode.lower() != "wal":
                raise EvidenceError("ledger %s: cannot switch to WAL journal mode (got %s)" % (self.path, mode))
            # NORMAL in WAL mode survives a killed process; checkpoint() fsyncs before it signs a head.
            conn.execute("PRAGMA synchronous = NORMAL")
            self._conn = conn
            self.exists = True
            tables = self._tables()
            if not {"meta", "records"} <= tables:
                if tables - {"meta", "records", "seals"}:
                    raise EvidenceError("%s is an SQLite database but not a govcloud.lifecycle evidence ledger "
                                        "(tables: %s)" % (self.path, ", ".join(sorted(tables))))
                if not create:
                    raise EmptyLedgerError("ledger %s is empty (no evidence recorded yet)" % self.path)
                conn.executescript(_SCHEMA_SQL)
                self._begin()
                try:
                    conn.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
                    conn.execute("INSERT OR IGNORE INTO meta VALUES ('ledger_id', ?)", (str(uuid.uuid4()),))
                    conn.execute("INSERT OR IGNORE INTO meta VALUES ('created', ?)", (format_ts(utc_now()),))
                    conn.execute("COMMIT")
                except Exception:
                    self._rollback()
                    raise
            if "seals" not in self._tables() and create:
                conn.executescript(_SEALS_SQL)
            self._has_seals = "seals" in self._tables()
            version = self._meta("schema_version")
            if version != str(SCHEMA_VERSION):
                raise EvidenceError("ledger %s has schema version %s; this collection reads version %s"
                                    % (self.path, version, SCHEMA_VERSION))
            # A new ledger is anchored before its first record (genesis checkpoint, seq 0), so a missing
            # anchor file always means tampering, never a writer that died before its first checkpoint.
            if create and not _anchor_started(self.anchor_file) and self.count() == 0:
                self.checkpoint()
        except EvidenceError:
            self.close()
            raise
        except sqlite3.DatabaseError as exc:
            self.close()
            raise EvidenceError("ledger %s cannot be opened: %s (is it a govcloud.lifecycle evidence database?)"
                                % (self.path, exc))

    def _tables(self):
        rows = self._conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
        return {r[0] for r in rows}

    def _meta(self, key):
        row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    @property
    def ledger_id(self):
        if self._ledger_id is None and self._conn is not None:
            self._ledger_id = self._meta("ledger_id")
        return self._ledger_id

    def _begin(self):
        # IMMEDIATE takes the write lock now, so the seq/prev_hash we read cannot be raced.
        self._conn.execute("BEGIN IMMEDIATE")

    def _rollback(self):
        try:
            self._conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass

    def close(self):
        if self._conn is not None:
            try:
                self._conn.close()
            finally:
                self._conn = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _require_open(self):
        if self._conn is None:
            raise EvidenceError("ledger %s does not exist yet" % self.path)

    def _wrap(self, what, func, *args):
        try:
            return func(*args)
        except sqlite3.DatabaseError as exc:
            raise EvidenceError("ledger %s: %s failed: %s" % (self.path, what, exc))

    # -- keys and witness ---------------------------------------------------------------------------
    def witness(self):
        """The management unit's witness of this ledger, or None when switched off."""
        if self._witness is None:
            # imported here: the witness is itself a Ledger
            from ansible_collections.govcloud.lifecycle.plugins.plugin_utils._evidence_witness import Witness

            self._witness = Witness()
        return self._witness or None

    def pinned_key_id(self):
        """The key id this ledger must carry: given, from the environment, else the one the witness first saw."""
        if self.expected_key_id:
            return self.expected_key_id
        witness = self.witness()
        if witness is not None and self.ledger_id:
            first = witness.first(self.ledger_id)
            if first:
                return first["key_id"]
        return None

    def _signer(self, reload=False):
        if self._signing_key is None or reload:
            key = load_signing_key(self.key_file, create=True)
            kid = key_id(key.public_key())
            pinned = self.pinned_key_id()
            if pinned and pinned != kid:
                raise EvidenceError(
                    "the evidence key %s (key id %s) is not the key pinned for ledger %s (key id %s); records "
                    "signed with it would not verify: use the pinned key (GOVCLOUD_EVIDENCE_KEY) or have the "
                    "management unit re-pin the ledger" % (self.key_file, kid, self.path, pinned))
            self._signing_key, self._signing_key_id = key, kid
        return self._signing_key

    # -- writing ----------------------------------------------------------------------------------
    def prepare(self, secrets=(), **fields):
        """Validated, redacted record body as append() would store it (for check mode)."""
        return build_record(fields, secrets)

    def append(self, secrets=(), **fields):
        """Validate, redact, chain, seal and commit one record; returns the stored record."""
        return self.append_many([fields], secrets=secrets)[0]

    def append_many(self, batch, secrets=(), prepared=False):
        """Append several records in one sealed transaction (all or nothing).

        ``prepared=True``: the items are bodies returned by build_record() (the callback validates each record
        when the task ends, so one bad record cannot sink a whole batch).  Refuses to write after records that
        are not signed with the ledger's key: a forged record is never sealed by a later honest write.
        """
        bodies = list(batch) if prepared else [build_record(fields, secrets) for fields in batch]
        self._require_open()
        if not bodies:
            return []
        key = self._signer()
        return self._wrap("append", self._append_bodies, bodies, key)

    def _append_bodies(self, bodies, key):
        conn = self._conn
        self._begin()
        try:
            row = conn.execute("SELECT seq, hash FROM records ORDER BY seq DESC LIMIT 1").fetchone()
            seq, prev = (row[0], row[1]) if row else (0, GENESIS_HASH)
            if (seq, prev) != (self._trusted_head or (0, GENESIS_HASH)):
                self._check_tail(seq, prev, key.public_key())
            stored = []
            rows = []
            for body in bodies:
                seq += 1
                record = dict(body)
                record["seq"] = seq
                record["ts"] = format_ts(utc_now())
                record["prev_hash"] = prev
                record["hash"] = prev = record_hash(record)
                rows.append(tuple(
                    canonical(record[c]).decode("utf-8") if c in _JSON_FIELDS else record[c] for c in _COLUMNS))
                stored.append(record)
            conn.executemany("INSERT INTO records (%s) VALUES (%s)" % (", ".join(_COLUMNS), ", ".join("?" * len(_COLUMNS))),
                             rows)
            sig = base64.b64encode(key.sign(seal_message(self.ledger_id, seq, prev))).decode("ascii")
            conn.execute("INSERT INTO seals (seq, key_id, sig) VALUES (?, ?, ?)", (seq, self._signing_key_id, sig))
            conn.execute("COMMIT")
        except BaseException:
            self._rollback()
            raise
        self._trusted_head = (seq, prev)
        return stored

    def _check_tail(self, head_seq, head_hash, public):
        """Before writing after a head this connection has not vouched for: the chain is intact and sealed."""
        if head_seq == 0:
            self._trusted_head = (0, GENESIS_HASH)
            return
        # The chain binds every record to the head, so a valid signature of the head vouches for them all: the
        # walk re-hashes the chain once per connection, and one signature is checked (verify() checks every seal).
        if self._full_tail_check and self._trusted_head is None:
            out = {"ok": True, "first_bad_seq": None, "reason": None, "count": 0, "head_seq": 0,
                   "head_hash": GENESIS_HASH}
            self._verify_chain(out)
            if not out["ok"]:
                raise EvidenceError(
                    "ledger %s does not verify (first bad record %s: %s); nothing was written — run "
                    "playbooks/evidence_verify.yml and have the management unit examine the ledger"
                    % (self.path, out["first_bad_seq"], out["reason"]))
        if not self._head_signed(public, head_seq, head_hash):
            row = self._conn.execute("SELECT max(seq) FROM seals WHERE seq < ?", (head_seq,)).fetchone() \
                if self._has_seals else None
            since = max((self._trusted_head or (0,))[0], (row[0] or 0) if row else 0)
            raise EvidenceError(
                "ledger %s: record(s) %d to %d carry no valid signature of the ledger key (added without it); "
                "nothing was written — run playbooks/evidence_verify.yml" % (self.path, since + 1, head_seq))
        self._trusted_head = (head_seq, head_hash)

    def _head_signed(self, public, head_seq, head_hash):
        """The head carries a valid seal, or (a ledger written before seals existed) the newest signed checkpoint."""
        kid = key_id(public)
        row = self._conn.execute("SELECT key_id, sig FROM seals WHERE seq = ?", (head_seq,)).fetchone() \
            if self._has_seals else None
        if row:
            return _seal_ok(public, kid, row, self.ledger_id, head_seq, head_hash)
        try:
            with open(self.anchor_file, "rb") as handle:
                handle.seek(max(0, os.path.getsize(self.anchor_file) - 65536))
                lines = [line for line in handle.read().split(b"\n")[:-1] if line]
            entry = json.loads(lines[-1])
            body = dict(entry)
            sig = base64.b64decode(body.pop("sig"))
            public.verify(sig, canonical(body))
        except (OSError, IndexError, ValueError, KeyError, TypeError, InvalidSignature):
            return False
        return (entry.get("ledger"), entry.get("seq"), entry.get("hash"), entry.get("key_id")) == (
            self.ledger_id, head_seq, head_hash, kid)

    def checkpoint(self):
        """Sign the current head into the anchor file and the witness; returns the anchor entry.

        Checkpoints are serialised by an exclusive flock on the anchor file (never a lock on the database
        file: closing any other descriptor of it would drop SQLite's own POSIX locks). The head is made
        durable first (a synchronous=FULL commit fsyncs the WAL), so no signed head can be lost by a crash.
        """
        self._require_open()
        key = self._signer(reload=True)  # a checkpoint re-reads the key: its mode is checked each time
        try:
            parent = os.path.dirname(self.anchor_file)
            if not os.path.isdir(parent):
                os.makedirs(parent, mode=0o750, exist_ok=True)
            fd = os.open(self.anchor_file, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
        except OSError as exc:
            raise EvidenceError("anchor file %s: cannot open: %s" % (self.anchor_file, exc.strerror or exc))
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            entry = self._wrap("checkpoint", self._checkpoint, key, fd)
        finally:
            os.close(fd)
        witness = self.witness()
        if witness is not None:
            witness.note(self, entry)
        return entry

    def _checkpoint(self, key, fd):
        conn = self._conn
        conn.execute("PRAGMA synchronous = FULL")
        try:
            self._begin()
            try:
                row = conn.execute("SELECT seq, hash FROM records ORDER BY seq DESC LIMIT 1").fetchone()
                seq, head = (row[0], row[1]) if row else (0, GENESIS_HASH)
                if (seq, head) != (self._trusted_head or (0, GENESIS_HASH)):
                    self._check_tail(seq, head, key.public_key())
                count = conn.execute("SELECT count(*) FROM records").fetchone()[0]
                # a write, so that this COMMIT syncs the WAL with every record up to the head
                conn.execute("INSERT OR REPLACE INTO meta VALUES ('checkpoint_seq', ?)", (str(seq),))
                conn.execute("COMMIT")
            except BaseException:
                self._rollback()
                raise
        finally:
            conn.execute("PRAGMA synchronous = NORMAL")
        entry = {"v": 1, "ledger": self.ledger_id, "seq": seq, "hash": head, "count": count,
                 "ts": format_ts(utc_now()), "key_id": key_id(key.public_key()),
                 "prev": _anchor_link(fd, self.anchor_file)}
        entry["sig"] = base64.b64encode(key.sign(canonical(entry))).decode("ascii")
        try:
            os.write(fd, canonical(entry) + b"\n")
            os.fsync(fd)
        except OSError as exc:
            raise EvidenceError("anchor file %s: cannot write: %s" % (self.anchor_file, exc.strerror or exc))
        return entry

    # -- reading ----------------------------------------------------------------------------------
    def count(self):
        if self._conn is None:
            return 0
        return self._wrap("count", lambda: self._conn.execute("SELECT count(*) FROM records").fetchone()[0])

    def head(self):
        if self._conn is None:
            return {"seq": 0, "hash": GENESIS_HASH}
        row = self._wrap("head", lambda: self._conn.execute(
            "SELECT seq, hash FROM records ORDER BY seq DESC LIMIT 1").fetchone())
        return {"seq": row[0], "hash": row[1]} if row else {"seq": 0, "hash": GENESIS_HASH}

    def records(self, application=None, stage=None, kind=None, clause=None, since=None, until=None, result=None,
                limit=None, newest_first=False, where_json=None):
        """Records matching every given filter, in seq order (newest first if asked).

        Filters accept a string or a list of strings; ``clause`` matches a clause or any sub-clause
        ("8.1.4" matches "8.1.4.1.a"); ``since``/``until`` are ISO dates or times (inclusive);
        ``where_json`` maps a details path ("ledger_id") to the value it must have.
        """
        if self._conn is None:
            return iter(())
        where, params = [], []
        for column, value in (("application", application), ("stage", stage), ("kind", kind), ("result", result)):
            if value:
                values = [value] if isinstance(value, str) else list(value)
                where.append("%s IN (%s)" % (column, ", ".join("?" * len(values))))
                params.extend(values)
        if clause:
            clauses = [clause] if isinstance(clause, str) else list(clause)
            parts = []
            for item in clauses:
                # "8.1.4.1" finds "8.1.4.1.a"; "8.1.4.1.a" finds the catalogue's "8.1.4.1.a-03"
                parts.append("(j.value = ? OR substr(j.value, 1, ?) IN (?, ?))")
                params.extend([item, len(item) + 1, item + ".", item + "-"])
            where.append("EXISTS (SELECT 1 FROM json_each(records.clauses) AS j WHERE %s)" % " OR ".join(parts))
        for name, value in sorted((where_json or {}).items()):
            if not re.match(r"^[a-z_]+$", name):
                raise EvidenceError("where_json: %r is not a details field name" % name)
            where.append("json_extract(details, '$.%s') = ?" % name)
            params.append(value)
        if since:
            where.append("ts >= ?")
            params.append(format_ts(parse_ts(since, "since")))
        if until:
            moment = parse_ts(until, "until")
            if isinstance(until, str) and _DATE_RE.match(until.strip()):
                moment += datetime.timedelta(days=1) - datetime.timedelta(microseconds=1)
            where.append("ts <= ?")
            params.append(format_ts(moment))
        sql = _SELECT + (" WHERE " + " AND ".join(where) if where else "")
        sql += " ORDER BY seq DESC" if newest_first else " ORDER BY seq"
        if limit:
            sql += " LIMIT %d" % int(limit)
        cursor = self._wrap("query", self._conn.execute, sql, params)
        return (_row_to_record(row) for row in cursor)
