# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Filters of the network_segmentation role: thin front ends over module_utils/_network_plan.py (planning and
readback run on the controller, so they cost no module run)."""

from __future__ import annotations

from ansible_collections.govcloud.lifecycle.plugins.module_utils import _network_plan
from ansible_collections.govcloud.lifecycle.plugins.plugin_utils._filters import guarded


class FilterModule(object):
    def filters(self):
        return guarded((_network_plan.PlanError,), {
            "network_intent": _network_plan.intent,
            "network_cidr_problems": _network_plan.cidr_problems,
            "network_occupied": _network_plan.occupied,
            "network_state": _network_plan.state,
            "network_plan": _network_plan.plan,
            "network_diff": _network_plan.diff,
            "network_readback": _network_plan.readback,
            "network_records": _network_plan.records,
        })
