# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

from ansible_collections.govcloud.lifecycle.plugins.module_utils._argspec import VERIFY_SPEC
from ansible_collections.govcloud.lifecycle.plugins.plugin_utils.evidence import EvidenceError, Witness
from ansible_collections.govcloud.lifecycle.plugins.plugin_utils._action import ControllerAction


class ActionModule(ControllerAction):
    SPEC = VERIFY_SPEC

    def run_action(self, args, task_vars):
        ledger = self.open_ledger(args, create=False)
        with ledger:
            if not ledger.exists:
                known = Witness().entries(directory=ledger.directory)
                if known:
                    last = known[-1]
                    raise EvidenceError(
                        "ledger %s is MISSING: the management unit's witness holds %d checkpoint(s) of ledger %s in "
                        "this directory, the last at seq %s (%s, key %s); the evidence was deleted or moved"
                        % (ledger.path, len(known), last["ledger_id"], last["seq"], last["ts"], last["key_id"]))
                raise EvidenceError("no ledger at %s" % ledger.path)
            report = ledger.verify(require_witness=args["require_witness"])
        anchor = report["anchor"]
        result = dict(changed=False, verify=report, ok=report["ok"], count=report["count"],
                      first_bad_seq=report["first_bad_seq"], reason=report["reason"])
        warnings = []
        if not anchor["checked"]:
            if args["require_anchor"]:
                report.update(ok=False, reason=report["reason"] or anchor["reason"])
                result.update(ok=False, reason=report["reason"])
            else:
                warnings.append("signed checkpoints not checked: %s" % anchor["reason"])
        if warnings:
            result["warnings"] = warnings
        if report["ok"]:
            result["msg"] = ("ledger %s verified: %d record(s), head seq %d, every record signed (key %s), anchor "
                             "signed up to seq %s, witness %s" % (
                                 report["ledger"], report["count"], report["head_seq"], report["key_id"],
                                 anchor["signed_seq"], "agrees" if report["witness"]["ok"] else
                                 report["witness"]["reason"]))
        else:
            where = " at record %d" % report["first_bad_seq"] if report["first_bad_seq"] else ""
            result["msg"] = "ledger %s FAILED verification%s: %s" % (report["ledger"], where, report["reason"])
            result["failed"] = args["fail_on_error"]
        return result
