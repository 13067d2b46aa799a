# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import os

from ansible_collections.govcloud.lifecycle.plugins.module_utils._evidence_args import RECORD_SPEC
from ansible_collections.govcloud.lifecycle.plugins.module_utils.evidence import (
    EvidenceError,
    build_record,
    hash_file,
    resolve_dir,
    writable_problem,
)
from ansible_collections.govcloud.lifecycle.plugins.plugin_utils._evidence_action import EvidenceAction

_IGNORED_BY_ONCE = ("seq", "ts", "prev_hash", "hash", "actor")


class ActionModule(EvidenceAction):
    SPEC = RECORD_SPEC

    def _artifacts(self, items):
        out = []
        for i, item in enumerate(items):
            if isinstance(item, str):
                item = {"path": item}
            if not isinstance(item, dict):
                raise EvidenceError("artifacts[%d]: give a controller file path, or a mapping with name and "
                                    "sha256 (or name and path)" % i)
            if item.get("path"):
                path = self._loader.path_dwim(str(item["path"]))
                if not os.path.isfile(path):
                    raise EvidenceError("artifacts[%d]: %s is not a file on the controller" % (i, path))
                out.append({"name": str(item.get("name") or os.path.basename(path)), "sha256": hash_file(path)})
            else:
                out.append({"name": item.get("name"), "sha256": item.get("sha256")})
        return out

    def evidence_run(self, args, task_vars):
        fields = dict(
            application=args["application"], kind=args["kind"], stage=args["stage"], clauses=args["clauses"],
            party=args["party"], actor=args["actor"], result=args["result"], summary=args["summary"],
            details=args["details"], artifacts=self._artifacts(args["artifacts"]),
            targets=args["targets"] if args["targets"] is not None else [task_vars.get("inventory_hostname", "")],
        )
        secrets = self.known_secrets(task_vars)
        body = build_record(fields, secrets)  # validation first: bad input changes nothing, even in check mode
        directory = resolve_dir(args["evidence_dir"], args["application"])
        if self.check_mode:
            problem = writable_problem(directory)
            if problem:
                raise EvidenceError(problem)
        ledger = self.open_ledger(args, create=not self.check_mode)
        with ledger:
            if args["once"]:
                same = self._same_record(ledger, body)
                if same is not None:
                    return dict(changed=False, record=same, ledger=ledger.path,
                                msg="an identical %s record already exists (seq %d)" % (body["kind"], same["seq"]))
            head = ledger.head()
            if self.check_mode:
                record = dict(body, seq=head["seq"] + 1, prev_hash=head["hash"])
                result = dict(changed=True, record=record, ledger=ledger.path,
                              msg="would append %s record %d to %s" % (body["kind"], record["seq"], ledger.path))
            else:
                record = ledger.append(secrets=secrets, **fields)
                result = dict(changed=True, record=record, ledger=ledger.path,
                              msg="appended %s record %d to %s" % (record["kind"], record["seq"], ledger.path))
                if args["checkpoint"]:
                    result["anchor"] = ledger.checkpoint()
        if self.diff_mode:
            result["diff"] = dict(before_header="%s (%d records)" % (ledger.path, head["seq"]),
                                  after_header="%s (%d records)" % (ledger.path, head["seq"] + 1),
                                  before="", after=_as_text(record))
        return result

    @staticmethod
    def _same_record(ledger, body):
        for record in ledger.records(application=body["application"], stage=body["stage"], kind=body["kind"],
                                     newest_first=True):
            if all(record[k] == v for k, v in body.items() if k not in _IGNORED_BY_ONCE):
                return record
        return None


def _as_text(record):
    lines = []
    for key in sorted(record):
        lines.append("%s: %s" % (key, record[key]))
    return "\n".join(lines) + "\n"
