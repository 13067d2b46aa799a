# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Controller side of govcloud.lifecycle.report: the ledger, the catalogue and the templates are on the
controller, so the report is rendered here and never shipped to a managed host."""

from __future__ import annotations

from ansible_collections.govcloud.lifecycle.plugins.module_utils._argspec import REPORT_SPEC
from ansible_collections.govcloud.lifecycle.plugins.plugin_utils._action import ControllerAction
from ansible_collections.govcloud.lifecycle.plugins.plugin_utils._report import ReportError, run


class ActionModule(ControllerAction):
    _supports_check_mode = True
    SPEC = REPORT_SPEC
    ERROR_PREFIX = "report"

    def run_action(self, args, task_vars):
        try:
            out = run(args, check_mode=self.check_mode)
        except ReportError as exc:
            return dict(failed=True, changed=False, msg=str(exc))
        diff = out.pop("diff")
        if self.diff_mode:
            out["diff"] = diff
        if not out["verification"].get("ok"):
            out.setdefault("warnings", []).append(
                "evidence chain verification FAILED (%s); the report shows it" % out["verification"].get("reason"))
        if self.check_mode:
            out["msg"] = "would write: %s" % ", ".join(
                f["path"] for f in out["files"].values() if f["changed"]) if out["changed"] else "no change"
        else:
            out["msg"] = "wrote: %s" % ", ".join(
                f["path"] for f in out["files"].values() if f["changed"]) if out["changed"] else "no change"
        return out
