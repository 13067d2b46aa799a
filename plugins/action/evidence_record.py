# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import os

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.errors import UnsupportedError

from ansible_collections.govcloud.lifecycle.plugins.module_utils._argspec import RECORD_FIELDS, RECORD_SPEC
from ansible_collections.govcloud.lifecycle.plugins.plugin_utils.evidence import (
    EvidenceError,
    build_record,
    canonical,
    hash_file,
    once_view,
    resolve_dir,
    writable_problem,
)
from ansible_collections.govcloud.lifecycle.plugins.plugin_utils._action import ControllerAction


# Items of `records` are validated one by one, so that an error names the item's index (core's sub-option
# validation does not say which element failed).
_ITEM_VALIDATOR = ArgumentSpecValidator(RECORD_FIELDS)


class ActionModule(ControllerAction):
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

    def _fields(self, args, task_vars):
        return dict(
            application=args["application"], kind=args["kind"], stage=args["stage"], clauses=args["clauses"],
            party=args["party"], actor=args["actor"], result=args["result"], summary=args["summary"],
            details=args["details"], artifacts=self._artifacts(args["artifacts"]),
            targets=args["targets"] if args["targets"] is not None else [task_vars.get("inventory_hostname", "")],
        )

    def _open(self, args):
        directory = resolve_dir(args["evidence_dir"], args["application"])
        if self.check_mode:
            problem = writable_problem(directory)
            if problem:
                raise EvidenceError(problem)
        return self.open_ledger(args, create=not self.check_mode)

    def run_action(self, args, task_vars):
        if args["records"] is not None:
            return self._run_batch(args, task_vars)
        fields = self._fields(args, task_vars)
        secrets = self.known_secrets(task_vars)
        body = build_record(fields, secrets)  # validation first: bad input changes nothing, even in check mode
        ledger = self._open(args)
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

    def _run_batch(self, args, task_vars):
        """All records of `records` in one transaction: every item is validated first, then all or none is written."""
        secrets = self.known_secrets(task_vars)
        bodies = []
        for index, item in enumerate(args["records"]):
            if not isinstance(item, dict):
                raise EvidenceError("records[%d]: must be a mapping of record fields, got %s"
                                    % (index, type(item).__name__))
            checked = _ITEM_VALIDATOR.validate(item)
            if checked.error_messages:
                raise EvidenceError("records[%d]: %s" % (index, "; ".join(
                    ("unsupported field %s" % err.msg) if isinstance(err, UnsupportedError) else err.msg
                    for err in checked.errors.errors)))
            try:
                fields = self._fields(dict(checked.validated_parameters, application=args["application"]), task_vars)
                bodies.append(build_record(fields, secrets))
            except EvidenceError as exc:
                raise EvidenceError("records[%d]: %s" % (index, exc))
        ledger = self._open(args)
        with ledger:
            skipped = []
            if args["once"]:
                existing = self._existing(ledger, bodies)
                new, seen = [], set()
                for body in bodies:
                    key = _once_key(body)
                    if key in existing:
                        skipped.append(existing[key]["seq"])
                    elif key not in seen:  # two identical items in one batch are written once
                        seen.add(key)
                        new.append(body)
                bodies = new
            head = ledger.head()
            if not bodies:
                return dict(changed=False, records=[], existing=skipped, ledger=ledger.path,
                            msg="all %d records already exist" % len(skipped) if skipped else "no records given")
            if self.check_mode:
                records = [dict(body, seq=head["seq"] + 1 + i) for i, body in enumerate(bodies)]
                records[0]["prev_hash"] = head["hash"]
                verb = "would append"
            else:
                records = ledger.append_many(bodies, prepared=True)
                verb = "appended"
            result = dict(changed=True, records=records, existing=skipped, ledger=ledger.path,
                          msg="%s %d records (%d to %d) to %s%s" % (
                              verb, len(records), records[0]["seq"], records[-1]["seq"], ledger.path,
                              "; %d already present" % len(skipped) if skipped else ""))
            if not self.check_mode and args["checkpoint"]:
                result["anchor"] = ledger.checkpoint()
        if self.diff_mode:
            result["diff"] = dict(before_header="%s (%d records)" % (ledger.path, head["seq"]),
                                  after_header="%s (%d records)" % (ledger.path, head["seq"] + len(records)),
                                  before="", after="".join(_as_text(r) + "\n" for r in records))
        return result

    @staticmethod
    def _existing(ledger, bodies):
        """{once-key: stored record} for the application/stage/kind combinations of the batch (one query each)."""
        found = {}
        for application, stage, kind in sorted({(b["application"], b["stage"], b["kind"]) for b in bodies}):
            for record in ledger.records(application=application, stage=stage, kind=kind, newest_first=True):
                found.setdefault(_once_key(record), record)
        return found

    @staticmethod
    def _same_record(ledger, body):
        for record in ledger.records(application=body["application"], stage=body["stage"], kind=body["kind"],
                                     newest_first=True):
            if once_view(record) == once_view(body):
                return record
        return None


def _once_key(record):
    return canonical(once_view(record))


def _as_text(record):
    lines = []
    for key in sorted(record):
        lines.append("%s: %s" % (key, record[key]))
    return "\n".join(lines) + "\n"
