# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

from ansible_collections.govcloud.lifecycle.plugins.module_utils._argspec import INFO_SPEC
from ansible_collections.govcloud.lifecycle.plugins.plugin_utils.evidence import EvidenceError, parse_ts
from ansible_collections.govcloud.lifecycle.plugins.plugin_utils._action import ControllerAction


class ActionModule(ControllerAction):
    SPEC = INFO_SPEC

    def run_action(self, args, task_vars):
        for name in ("since", "until"):
            if args[name]:
                parse_ts(args[name], name)
        if args["limit"] is not None and args["limit"] < 1:
            raise EvidenceError("limit: must be a positive integer")
        ledger = self.open_ledger(args, create=False)
        with ledger:
            verified = ledger.require_intact() if args["verify"] and ledger.exists else None
            records = list(ledger.records(
                application=args["application"], stage=args["stage"], kind=args["kind"], clause=args["clause"],
                result=args["result"], since=args["since"], until=args["until"], limit=args["limit"],
                newest_first=args["newest_first"]))
            return dict(changed=False, records=records, matched=len(records), total=ledger.count(),
                        head=ledger.head(), ledger=ledger.path, verified=bool(verified),
                        key_id=(verified or {}).get("key_id"))
