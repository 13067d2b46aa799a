# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import re

from ansible_collections.govcloud.lifecycle.plugins.module_utils._argspec import CONFIRM_SPEC
from ansible_collections.govcloud.lifecycle.plugins.plugin_utils.evidence import EvidenceError
from ansible_collections.govcloud.lifecycle.plugins.plugin_utils._action import ControllerAction

# Jinja's markers: a confirmation that holds one is a template, whatever it would render to.
_TEMPLATE_MARKERS = re.compile(r"\{\{|\{%|\{#")


class ActionModule(ControllerAction):
    SPEC = CONFIRM_SPEC

    def run_action(self, args, task_vars):
        name = args["variable"]
        # task_vars hold the value as given (-e, inventory, play vars), before Ansible renders it
        raw = task_vars.get(name)
        how = "type -e %s=%s" % (name, args["expected"])
        if isinstance(raw, str) and _TEMPLATE_MARKERS.search(raw):
            # never softened by fail_on_mismatch: a template is not an operator's word
            raise EvidenceError("%s: %r is a template, not a typed confirmation (it is never rendered); %s; nothing "
                                "was changed" % (name, str(raw), how))
        if raw is not None and not isinstance(raw, (str, int)):
            raise EvidenceError("%s: a %s, not the typed text; %s; nothing was changed" % (name, type(raw).__name__, how))
        typed = "" if raw is None else str(raw).strip()
        confirmed = typed == args["expected"]
        if not confirmed and args["fail_on_mismatch"]:
            raise EvidenceError("%s: %s; %s to confirm %s; nothing was changed" % (
                name, "not set" if not typed else "%r is not %r" % (typed, args["expected"]), how, args["what"]))
        return dict(changed=False, confirmed=confirmed, typed=typed,
                    msg="%s %s by %s" % (args["what"], "confirmed" if confirmed else "NOT confirmed", name))
