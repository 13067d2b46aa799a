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


def test_a_deletion_by_id_given_as_name_is_recorded_with_that_id():
    from ansible_collections.govcloud.lifecycle.plugins.callback.evidence import _resource
    item = {"id": "5b2f0c4e-1111-4d6a-9f00-0123456789ab", "name": "app-router"}
    # openstack.cloud.router takes the id as its name and returns nothing once the router is gone
    found = _resource("openstack.cloud.router", {"name": item["id"], "state": "absent"},
                      {"changed": True, "item": item, "ansible_loop_var": "item"})
    assert found == {"type": "router", "name": item["id"], "id": item["id"], "state": "absent"}
    # an item whose id the arguments do not carry says nothing about the resource
    other = _resource("openstack.cloud.router", {"name": "app-router", "state": "absent"},
                      {"changed": True, "item": {"id": "x-1", "name": "other"}})
    assert "id" not in other
