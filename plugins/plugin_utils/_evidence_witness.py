# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this plugin_util is **PRIVATE** to the collection: it can change at any time.

"""The management unit's witness ledger (见证台账): every application ledger's checkpoints, in a ledger of its own."""

from __future__ import annotations

import os

from ansible_collections.govcloud.lifecycle.plugins.module_utils._evidence_kinds import (
    WITNESS_APPLICATION,
    EvidenceError,
)
from ansible_collections.govcloud.lifecycle.plugins.plugin_utils._evidence_record import (
    DB_NAME,
    ENV_WITNESS_DIR,
    ENV_WITNESS_KEY,
)
from ansible_collections.govcloud.lifecycle.plugins.plugin_utils._evidence_ledger import EmptyLedgerError, Ledger


# ------------------------------------------------------------------------------------------- witness

def resolve_witness_dir(directory=None):
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return os.path.abspath(os.path.expanduser(
        directory or os.environ.get(ENV_WITNESS_DIR) or os.path.join(base, "govcloud-lifecycle", "witness")))


def resolve_witness_key(key_file=None):
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return os.path.abspath(os.path.expanduser(
        key_file or os.environ.get(ENV_WITNESS_KEY) or os.path.join(base, "govcloud-lifecycle", "witness-signing.pem")))


class Witness:
    """The management unit's witness ledger (见证台账): one per cloud, its own directory and key.

    Every checkpoint of every application's ledger is copied into it as a ``witness`` record, so that whoever can
    rewrite an application's evidence directory (records and anchor file together) still cannot make its history
    shorter, replace its key or delete it unseen.  It is an evidence ledger itself (chained, sealed, anchored)
    and is verified on its own.
    """

    def __init__(self, directory=None, key_file=None):
        self.directory = resolve_witness_dir(directory)
        self.key_file = resolve_witness_key(key_file)
        self.path = os.path.join(self.directory, DB_NAME)

    def _ledger(self, create):
        # a full walk of the witness on every checkpoint would cost O(all applications' checkpoints): writes check
        # the head's seal; verify() walks everything
        return Ledger(self.directory, key_file=self.key_file, create=create, witness=False, full_tail_check=False)

    def note(self, ledger, entry):
        """Copy one signed checkpoint of ``ledger`` into the witness."""
        application = None
        if ledger.count():
            row = ledger._conn.execute("SELECT application FROM records ORDER BY seq DESC LIMIT 1").fetchone()
            application = row[0] if row else None
        details = {"ledger_id": entry["ledger"], "directory": ledger.directory, "seq": entry["seq"],
                   "hash": entry["hash"], "count": entry["count"], "key_id": entry["key_id"], "sig": entry["sig"],
                   "checkpoint_ts": entry["ts"]}
        if application:
            details["witnessed_application"] = application
        try:
            with self._ledger(create=True) as witness:
                last = next(witness.records(kind="witness", where_json={"ledger_id": entry["ledger"]},
                                            newest_first=True, limit=1), None)
                if last and last["details"]["seq"] == entry["seq"] and last["details"]["hash"] == entry["hash"]:
                    return  # the same head again: nothing new to witness
                witness.append(application=WITNESS_APPLICATION, kind="witness", targets=[ledger.path],
                               summary="checkpoint of %s at seq %d" % (application or ledger.directory, entry["seq"]),
                               details=details)
        except EvidenceError as exc:
            raise EvidenceError("witness %s: %s" % (self.directory, exc))

    def entries(self, ledger_id=None, directory=None):
        """Witnessed checkpoints of one ledger (by id) or of whatever ledger lived in ``directory``, oldest first."""
        if not os.path.exists(self.path):
            return []
        where = {"ledger_id": ledger_id} if ledger_id else {"directory": os.path.abspath(directory)}
        # a witness ledger another run is creating this very moment (file there, tables not yet) witnessed nothing
        try:
            with self._ledger(create=False) as witness:
                out = []
                for record in witness.records(kind="witness", where_json=where):
                    item = dict(record["details"])
                    item["ts"] = item.get("checkpoint_ts") or record["ts"]
                    item["witness_seq"] = record["seq"]
                    out.append(item)
                return out
        except EmptyLedgerError:
            return []

    def first(self, ledger_id):
        if not os.path.exists(self.path):
            return None
        try:
            with self._ledger(create=False) as witness:
                record = next(witness.records(kind="witness", where_json={"ledger_id": ledger_id}, limit=1), None)
        except EmptyLedgerError:
            return None
        if record is None:
            return None
        return dict(record["details"], ts=record["details"].get("checkpoint_ts") or record["ts"])

    def verify(self):
        """The witness ledger's own verification (chain, seals, anchor) with the witness key."""
        if not os.path.exists(self.path):
            return {"ok": True, "count": 0, "reason": "no witness ledger yet", "ledger": self.path}
        try:
            with self._ledger(create=False) as witness:
                return witness.verify()
        except EmptyLedgerError:
            return {"ok": True, "count": 0, "reason": "no witness ledger yet", "ledger": self.path}
