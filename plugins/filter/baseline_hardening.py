# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Filters of the baseline_hardening role: thin front ends over plugin_utils/_baseline.py (on the controller,
so they cost no module run on the host)."""

from __future__ import annotations

from ansible_collections.govcloud.lifecycle.plugins.plugin_utils import _baseline
from ansible_collections.govcloud.lifecycle.plugins.plugin_utils._filters import guarded


class FilterModule(object):
    def filters(self):
        return guarded((_baseline.BaselineError,), {
            "baseline_selected_controls": _baseline.selected_controls,
            "baseline_login_capable": _baseline.login_capable,
            "baseline_inactive_missing": _baseline.inactive_missing,
            "baseline_sysctl_drift": _baseline.sysctl_drift,
            "baseline_control_records": _baseline.control_records,
            "baseline_toggle_name": _baseline.toggle_name,
        })
