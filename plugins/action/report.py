# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Controller side of govcloud.lifecycle.report: the ledger, the catalogue and the templates are on the
controller, so the report is rendered here and never shipped to a managed host."""

from __future__ import annotations

from ansible.plugins.action import ActionBase

from ansible_collections.govcloud.lifecycle.plugins.module_utils._argspec import REPORT_SPEC
from ansible_collections.govcloud.lifecycle.plugins.plugin_utils._report import ReportError, run
from ansible_collections.govcloud.lifecycle.plugins.plugin_utils._evidence_action import fill_from_variables


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _supports_check_mode = True
    # Reads and writes controller files only: no connection to the inventory host is needed.
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        # Raises a clean "Validation of arguments failed" naming the option (unknown language, types...).
        _validation, args = self.validate_argument_spec(**REPORT_SPEC)
        try:
            fill_from_variables(args, task_vars or {}, self._templar)
            out = run(args, check_mode=bool(self._task.check_mode))
        except ReportError as exc:
            result.update(failed=True, changed=False, msg=str(exc))
            return result
        except Exception as exc:  # one funnel: an operator sees a message, never a traceback
            result.update(failed=True, changed=False, msg="report: unexpected %s: %s" % (type(exc).__name__, exc))
            return result
        diff = out.pop("diff")
        if self._task.diff:
            result["diff"] = diff
        if not out["verification"].get("ok"):
            result.setdefault("warnings", []).append(
                "evidence chain verification FAILED (%s); the report shows it" % out["verification"].get("reason"))
        if self._task.check_mode:
            out["msg"] = "would write: %s" % ", ".join(
                f["path"] for f in out["files"].values() if f["changed"]) if out["changed"] else "no change"
        else:
            out["msg"] = "wrote: %s" % ", ".join(
                f["path"] for f in out["files"].values() if f["changed"]) if out["changed"] else "no change"
        result.update(out)
        return result
