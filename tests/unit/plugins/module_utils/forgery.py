# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What someone with write access to a ledger file but without the key can do: write records with plain SQL."""

from __future__ import annotations

import sqlite3

from ansible_collections.govcloud.lifecycle.plugins.plugin_utils.evidence import (
    FIELDS,
    build_record,
    canonical,
    record_hash,
)

_JSON = ("clauses", "targets", "details", "artifacts")


def forge(db_path, fields, at=None, garbage_hash=False):
    """Insert a correctly chained record built from ``fields`` (or one with a garbage hash) after the head, or put it
    in place of record ``at``; returns its seq."""
    conn = sqlite3.connect(str(db_path), isolation_level=None)
    try:
        conn.execute("DROP TRIGGER IF EXISTS records_no_update")
        body = build_record(dict(fields, actor="intruder@controller"))
        if at is None:
            seq, prev = conn.execute("SELECT seq, hash FROM records ORDER BY seq DESC LIMIT 1").fetchone()
            seq += 1
        else:
            seq = at
            prev = conn.execute("SELECT hash FROM records WHERE seq = ?", (at - 1,)).fetchone()[0]
        record = dict(body, seq=seq, ts="2026-12-01T00:00:00.000000Z", prev_hash=prev)
        record["hash"] = "f" * 64 if garbage_hash else record_hash(record)
        row = [canonical(record[c]).decode() if c in _JSON else record[c] for c in FIELDS]
        if at is None:
            conn.execute("INSERT INTO records (%s) VALUES (%s)" % (",".join(FIELDS), ",".join("?" * len(FIELDS))), row)
        else:
            conn.execute("UPDATE records SET %s WHERE seq = ?" % ",".join("%s = ?" % c for c in FIELDS), row + [at])
    finally:
        conn.close()
    return seq
