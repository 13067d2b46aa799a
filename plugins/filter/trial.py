# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Filters of the trial_environment role and playbooks/trial_expiry.yml: thin front ends over
module_utils/_trial.py (planning on the controller, so it costs no module run)."""

from __future__ import annotations

from ansible_collections.govcloud.lifecycle.plugins.module_utils import _trial
from ansible_collections.govcloud.lifecycle.plugins.plugin_utils._filters import guarded


class FilterModule(object):
    def filters(self):
        return guarded((_trial.TrialError,), {
            "trial_problems": _trial.problems,
            "trial_intent": _trial.intent,
            "trial_state": _trial.state,
            "trial_diff": _trial.diff,
            "trial_inventory": _trial.inventory,
            "trial_bastion_problems": _trial.bastion_problems,
            "trial_expiry": _trial.expiry,
        })
