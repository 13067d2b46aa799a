# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Filters of the tenant and network_segmentation roles: thin front ends over module_utils/_tenantplan.py and
_netplan.py (planning and readback run on the controller, so they cost no module run)."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.govcloud.lifecycle.plugins.module_utils import _netplan, _tenantplan


def _guard(func):
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except (_netplan.PlanError, _tenantplan.TenantError) as exc:
            raise AnsibleFilterError(str(exc)) from None
    wrapper.__name__ = func.__name__
    wrapper.__doc__ = func.__doc__
    return wrapper


class FilterModule(object):
    def filters(self):
        return {
            "network_intent": _guard(_netplan.intent),
            "network_cidr_problems": _guard(_netplan.cidr_problems),
            "network_occupied": _guard(_netplan.occupied),
            "network_state": _guard(_netplan.state),
            "network_plan": _guard(_netplan.plan),
            "network_view": _guard(_netplan.view),
            "network_readback": _guard(_netplan.readback),
            "network_records": _guard(_netplan.records),
            "tenant_intent": _guard(_tenantplan.intent),
            "tenant_state": _guard(_tenantplan.state),
            "tenant_plan": _guard(_tenantplan.plan),
            "tenant_facts": _guard(_tenantplan.facts),
            "tenant_view": _guard(_tenantplan.view),
            "tenant_records": _guard(_tenantplan.records),
        }
