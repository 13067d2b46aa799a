# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.govcloud.lifecycle.plugins.plugin_utils._filters import guarded


class PlanProblem(Exception):
    pass


def plan(value):
    """Plan something."""
    if value < 0:
        raise PlanProblem("value: %d is negative" % value)
    if value == 0:
        raise ZeroDivisionError("a bug, not an input problem")
    return value * 2


def test_listed_errors_become_filter_errors_with_the_message_only():
    filters = guarded((PlanProblem,), {"plan": plan})
    assert filters["plan"](2) == 4
    with pytest.raises(AnsibleFilterError, match="^value: -1 is negative$") as info:
        filters["plan"](-1)
    assert info.value.__cause__ is None and info.value.__suppress_context__


def test_other_errors_pass_through_and_metadata_is_kept():
    filters = guarded((PlanProblem,), {"plan": plan})
    with pytest.raises(ZeroDivisionError):
        filters["plan"](0)
    assert filters["plan"].__name__ == "plan" and filters["plan"].__doc__ == "Plan something."
