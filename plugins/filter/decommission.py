# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Filters of the secure_decommission role: thin front ends over plugin_utils/_decommission.py."""

from __future__ import annotations

from ansible_collections.govcloud.lifecycle.plugins.plugin_utils import _decommission
from ansible_collections.govcloud.lifecycle.plugins.plugin_utils._filters import guarded


class FilterModule(object):
    def filters(self):
        return guarded((_decommission.DecommissionError,), {
            "decommission_queries": _decommission.project_queries,
            "decommission_user_queries": _decommission.user_queries,
            "decommission_principals": _decommission.principals,
            "decommission_inventory": _decommission.inventory,
            "decommission_preconditions": _decommission.preconditions,
            "decommission_handover_items": _decommission.handover_items,
            "decommission_input_problems": _decommission.input_problems,
            "decommission_log_retention": _decommission.log_retention,
            "decommission_wipe_plan": _decommission.wipe_plan,
            "decommission_wipe_records": _decommission.wipe_records,
            "decommission_step_queries": _decommission.step_queries,
            "decommission_step_targets": _decommission.step_targets,
            "decommission_leftovers": _decommission.leftovers,
            "decommission_unrecorded_deletions": _decommission.unrecorded_deletions,
            "decommission_deletion_records": _decommission.deletion_records,
            "decommission_certificate": _decommission.certificate,
        })
