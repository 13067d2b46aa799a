# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Filter of playbooks/record_attestations.yml: a thin front end over plugin_utils/_attestations.py (reads the
application's attestations file on the controller, checks it whole, returns the problems and the records)."""

from __future__ import annotations

from ansible_collections.govcloud.lifecycle.plugins.plugin_utils import _attestations as at
from ansible_collections.govcloud.lifecycle.plugins.plugin_utils._filters import guarded


class FilterModule(object):
    def filters(self):
        return guarded((at.AttestationError,), {
            "attestation_plan": at.plan,
        })
