# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Filters of the tenant and network_segmentation roles: thin front ends over module_utils/_tenantplan.py and
_netplan.py (planning and readback run on the controller, so they cost no module run)."""

from __future__ import annotations

from ansible_collections.govcloud.lifecycle.plugins.module_utils import _netplan, _tenantplan
from ansible_collections.govcloud.lifecycle.plugins.plugin_utils._filters import guarded


class FilterModule(object):
    def filters(self):
        return guarded((_netplan.PlanError, _tenantplan.TenantError), {
            "network_intent": _netplan.intent,
            "network_cidr_problems": _netplan.cidr_problems,
            "network_occupied": _netplan.occupied,
            "network_state": _netplan.state,
            "network_plan": _netplan.plan,
            "network_view": _netplan.view,
            "network_readback": _netplan.readback,
            "network_records": _netplan.records,
            "tenant_intent": _tenantplan.intent,
            "tenant_state": _tenantplan.state,
            "tenant_plan": _tenantplan.plan,
            "tenant_facts": _tenantplan.facts,
            "tenant_view": _tenantplan.view,
            "tenant_records": _tenantplan.records,
        })
