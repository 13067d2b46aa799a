# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this plugin_util is **PRIVATE** to the collection: it can change at any time.

"""The one base of every action plugin of the collection: argument validation and the one error funnel.

Each plugins/action/<name>.py is ``class ActionModule(ControllerAction)`` with ``SPEC`` (from
module_utils/_argspec.py, shared with the doc module of the same name) and ``run_action(args, task_vars)``
returning the result dict; the evidence options are filled from the seam variables before it runs, an
``EvidenceError`` or an unexpected exception becomes a ``failed`` result with a message, never a traceback.
"""

from __future__ import annotations

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.govcloud.lifecycle.plugins.plugin_utils.evidence import (
    EvidenceError,
    Ledger,
    is_secret_key,
    pinned_key_id_from_dir,
    resolve_dir,
)


# The inventory/playbook variables behind the shared evidence options: one name each, honoured by every action and
# role (roles pass nothing) and by the callback; the environment variables are the fallback (evidence.resolve_*).
SEAM_VARIABLES = (("evidence_dir", "govcloud_evidence_dir"), ("evidence_key", "govcloud_evidence_key"),
                  ("evidence_anchor", "govcloud_evidence_anchor"))


def fill_from_variables(args, task_vars, templar):
    """Options not given take their value from the variable of the same seam (``govcloud_evidence_dir``, ...)."""
    for option, variable in SEAM_VARIABLES:
        if option in args and args[option] in (None, "") and task_vars.get(variable) not in (None, ""):
            value = templar.template(task_vars[variable])
            if value not in (None, ""):
                args[option] = str(value)
    return args


def pinned_key_id(task_vars, templar, application=None):
    """The key id pinned at intake for the application's ledger, if any: ``govcloud_evidence_key_id`` (the
    inventory's pin), else the application's file in ``$GOVCLOUD_EVIDENCE_KEY_PIN_DIR``."""
    value = task_vars.get("govcloud_evidence_key_id")
    value = templar.template(value) if value not in (None, "") else None
    return str(value) if value not in (None, "") else pinned_key_id_from_dir(application)


class ControllerAction(ActionBase):
    """Runs on the controller: a task on any host writes to the controller's ledger, no delegate_to needed."""

    TRANSFERS_FILES = False
    _requires_connection = False
    SPEC = None
    # what an unexpected error's message starts with (default: the task's action name)
    ERROR_PREFIX = None

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        try:
            dummy, args = self.validate_argument_spec(**self.SPEC)
        except AnsibleActionFail as exc:
            result.update(failed=True, changed=False, msg=str(exc.message))
            return result
        try:
            self._pinned_key_id = pinned_key_id(task_vars or {}, self._templar, args.get("application"))
            fill_from_variables(args, task_vars or {}, self._templar)
            result.update(self.run_action(args, task_vars or {}))
        except EvidenceError as exc:
            result.update(failed=True, changed=False, msg="%s: %s" % (self._task.action, exc))
        except Exception as exc:  # an operator gets a message, never a traceback
            result.update(failed=True, changed=False,
                          msg="%s: unexpected %s: %s" % (self.ERROR_PREFIX or self._task.action, type(exc).__name__, exc))
        return result

    def run_action(self, args, task_vars):
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
                      create=create, expected_key_id=getattr(self, "_pinned_key_id", None))

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
