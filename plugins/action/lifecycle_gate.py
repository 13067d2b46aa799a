# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

from ansible_collections.govcloud.lifecycle.plugins.module_utils._argspec import GATE_SPEC
from ansible_collections.govcloud.lifecycle.plugins.plugin_utils._evidence_gates import evaluate
from ansible_collections.govcloud.lifecycle.plugins.plugin_utils.evidence import (
    EvidenceError,
    build_record,
    resolve_dir,
    writable_problem,
)
from ansible_collections.govcloud.lifecycle.plugins.plugin_utils._action import ControllerAction


class ActionModule(ControllerAction):
    SPEC = GATE_SPEC

    def run_action(self, args, task_vars):
        directory = resolve_dir(args["evidence_dir"], args["application"])
        if self.check_mode:
            problem = writable_problem(directory)
            if problem:
                raise EvidenceError(problem)
        ledger = self.open_ledger(args, create=not self.check_mode)
        with ledger:
            if ledger.exists:
                ledger.require_intact()  # a forged record must not count towards a gate
            gate = evaluate(ledger, args["application"], args["stage"], as_of=args["as_of"],
                            filing_window_days=args["filing_window_days"], approvals=args["approvals"],
                            rectification=args["rectification"])
            fields = dict(application=args["application"], kind="gate", stage=args["stage"],
                          party="management_unit", actor=args["actor"],
                          result="pass" if gate["passed"] else "fail", summary=gate["message"],
                          targets=[task_vars.get("inventory_hostname", "")],
                          details=dict({"target_stage": args["stage"]}, **({"items": gate["items"]} if gate["items"] else {})))
            build_record(fields)
            result = dict(changed=False, passed=gate["passed"], requirements=gate["items"], missing=gate["missing"],
                          failed_items=gate["failed"], msg=gate["message"], ledger=ledger.path)
            if args["record"] and not self.check_mode:
                result["record"] = ledger.append(**fields)
                result["anchor"] = ledger.checkpoint()
        if not gate["passed"]:
            result["failed"] = True
        return result
