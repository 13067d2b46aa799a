# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this plugin_util is **PRIVATE** to the collection: it can change at any time.

"""Common front end of the evidence action plugins: argument validation and the one error funnel."""

from __future__ import annotations

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.govcloud.lifecycle.plugins.module_utils.evidence import (
    EvidenceError,
    Ledger,
    is_secret_key,
    resolve_dir,
)


class EvidenceAction(ActionBase):
    """Runs on the controller: a task on any host writes to the controller's ledger, no delegate_to needed."""

    TRANSFERS_FILES = False
    _requires_connection = False
    SPEC = None

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        try:
            dummy, args = self.validate_argument_spec(**self.SPEC)
        except AnsibleActionFail as exc:
            result.update(failed=True, changed=False, msg=str(exc.message))
            return result
        try:
            result.update(self.evidence_run(args, task_vars or {}))
        except EvidenceError as exc:
            result.update(failed=True, changed=False, msg="%s: %s" % (self._task.action, exc))
        except Exception as exc:  # an operator gets a message, never a traceback
            result.update(failed=True, changed=False,
                          msg="%s: unexpected %s: %s" % (self._task.action, type(exc).__name__, exc))
        return result

    def evidence_run(self, args, task_vars):
        raise NotImplementedError  # pragma: no cover

    @property
    def check_mode(self):
        return bool(self._task.check_mode)

    @property
    def diff_mode(self):
        return bool(self._task.diff)

    def open_ledger(self, args, create):
        directory = resolve_dir(args.get("evidence_dir"), args.get("application"))
        return Ledger(directory, key_file=args.get("evidence_key"), anchor_file=args.get("evidence_anchor"),
                      create=create)

    def known_secrets(self, task_vars):
        """Values of secret-named variables (ansible_password, vault_db_password, ...) to scrub from records."""
        found = set()
        for name in list(task_vars):
            if not is_secret_key(name):
                continue
            try:
                value = self._templar.template(task_vars[name])
            except Exception:  # an undefined or broken variable cannot leak
                continue
            if isinstance(value, (str, int)) and not isinstance(value, bool) and len(str(value)) >= 3:
                found.add(str(value))
        return found
