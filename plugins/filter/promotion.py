# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Filter of the promotion role: a thin front end over module_utils/_promotion.py."""

from __future__ import annotations

from ansible_collections.govcloud.lifecycle.plugins.module_utils import _promotion
from ansible_collections.govcloud.lifecycle.plugins.plugin_utils._filters import guarded


class FilterModule(object):
    def filters(self):
        return guarded((_promotion.PromotionError,), {
            "promotion_plan": _promotion.plan,
        })
