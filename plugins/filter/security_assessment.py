# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Filters of the security_assessment role: thin front ends over plugin_utils/_security_assessment.py (the
comparison runs on the controller, so it costs no module run on the host)."""

from __future__ import annotations

from ansible_collections.govcloud.lifecycle.plugins.plugin_utils import _security_assessment as sa
from ansible_collections.govcloud.lifecycle.plugins.plugin_utils._filters import guarded


class FilterModule(object):
    def filters(self):
        return guarded((sa.AssessmentError,), {
            "assessment_declared_ports": sa.declared_ports,
            "assessment_parse_ss": sa.parse_ss,
            "assessment_listener_findings": sa.listener_findings,
            "assessment_scan_ports": sa.scan_ports,
            "assessment_reach_findings": sa.reach_findings,
            "assessment_apt_security_updates": sa.apt_security_updates,
            "assessment_update_findings": sa.update_findings,
            "assessment_hardening_findings": sa.hardening_findings,
            "assessment_overall": sa.overall,
            "assessment_records": sa.records,
        })
