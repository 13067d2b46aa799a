# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Filters of the tenant role: thin front ends over module_utils/_tenant_plan.py (planning and readback run on
the controller, so they cost no module run)."""

from __future__ import annotations

from ansible_collections.govcloud.lifecycle.plugins.module_utils import _tenant_plan, manifest
from ansible_collections.govcloud.lifecycle.plugins.plugin_utils._filters import guarded


class FilterModule(object):
    def filters(self):
        return guarded((_tenant_plan.TenantError,), {
            "tenant_intent": _tenant_plan.intent,
            "tenant_state": _tenant_plan.state,
            "tenant_plan": _tenant_plan.plan,
            "tenant_facts": _tenant_plan.facts,
            "tenant_diff": _tenant_plan.diff,
            "tenant_records": _tenant_plan.records,
            "quota_options": manifest.quota_options,
        })
