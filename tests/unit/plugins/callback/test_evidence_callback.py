# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.govcloud.lifecycle.plugins.callback.evidence import clauses_from_tags


@pytest.mark.parametrize("tags, clauses", [
    (["clause_5_3"], ["5.3"]),
    (["mlps_8_1_4_1_a"], ["8.1.4.1.a"]),
    (["mlps_8_1_4_10"], ["8.1.4.10"]),
    (["clause_5", "mlps_8_2_a", "hardening", "always"], ["5", "8.2.a"]),
    (["clause_5_3", "clause_5_3"], ["5.3"]),
    (["clause_", "mlps_x", "clause_5_a", "MLPS_8_1"], []),
])
def test_clause_tags(tags, clauses):
    assert clauses_from_tags(tags) == clauses
