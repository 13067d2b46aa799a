# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Action plugin of govcloud.lifecycle.manifest_validate: checks run on the controller, next to the ledger."""

from __future__ import annotations

import os

from ansible_collections.govcloud.lifecycle.plugins.module_utils._argspec import MANIFEST_VALIDATE_SPEC
from ansible_collections.govcloud.lifecycle.plugins.module_utils.manifest import check_request
from ansible_collections.govcloud.lifecycle.plugins.plugin_utils._action import ControllerAction


class ActionModule(ControllerAction):
    SPEC = MANIFEST_VALIDATE_SPEC

    def run_action(self, args, task_vars):
        records = None
        if args["gate"] == "allocation":
            records, error = self._approval_records(args, self._pinned_key_id)
            if error:
                return dict(failed=True, msg=error)
        return check_request(args, records)

    @staticmethod
    def _approval_records(params, key_id=None):
        manifest = params["manifest"] if isinstance(params["manifest"], dict) else {}
        app_id = manifest.get("id")
        if not isinstance(app_id, str):
            return [], None
        try:
            # Imported here: only this gate needs the ledger (and its cryptography dependency).
            from ansible_collections.govcloud.lifecycle.plugins.plugin_utils.evidence import (
                DB_NAME, EvidenceError, Ledger, resolve_dir)
        except ImportError as exc:
            return None, "gate=allocation needs the evidence ledger (plugin_utils/evidence.py): %s" % exc
        try:
            directory = resolve_dir(params["evidence_dir"], app_id)
            # no ledger file: nothing recorded yet; opening it through Ledger would create it, which a read-only
            # check must not do
            if not os.path.isfile(os.path.join(directory, DB_NAME)):
                return [], None
            with Ledger(directory, create=False, expected_key_id=key_id) as ledger:
                ledger.require_intact()  # a forged approval must not open the allocation gate
                return list(ledger.records(application=app_id, stage="approval")), None
        except EvidenceError as exc:
            return None, "cannot read the evidence ledger in %s: %s" % (directory, exc)
