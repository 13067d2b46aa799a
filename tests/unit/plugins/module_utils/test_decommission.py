# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Units of the decommission inventory shaping; the real listing is molecule/decommission."""
from __future__ import annotations

import pytest

from ansible_collections.govcloud.lifecycle.plugins.plugin_utils import _decommission as d

PROJECT = {"id": "p1", "name": "app"}


def test_queries_are_scoped_to_the_project_and_in_deletion_order():
    qs = d.project_queries("p1")
    assert [q["key"] for q in qs] == [k for k, _s, _t in d.PROJECT_TYPES]
    assert qs[0] == {"key": "servers", "service": "compute", "type": "server",
                     "parameters": {"all_projects": True, "project_id": "p1"}}
    assert [q["parameters"] for q in qs if q["key"] == "images"] == [{"owner": "p1"}]
    assert all("p1" in q["parameters"].values() for q in qs if q["key"] != "security_groups")
    assert d.ORDER.index("servers") < d.ORDER.index("ports") < d.ORDER.index("networks") < d.ORDER.index("project")
    with pytest.raises(d.DecommissionError, match="^project: "):
        d.project_queries("")


def test_inventory_keeps_names_not_secrets_and_counts():
    reads = [{"item": q, "resources": []} for q in d.project_queries("p1")]
    reads[0]["resources"] = [{"id": "s1", "name": "web", "status": "ACTIVE", "adminPass": "x"}]
    users = [{"id": "u1", "name": "app-sysadmin"}]
    user_reads = [{"item": q, "resources": [{"id": None, "name": "k", "secret": "s3cr3t"}]}
                  for q in d.user_queries(users)]
    direct = [{"role": {"id": "r1", "name": "manager"}, "group": {"id": "g1", "name": "app-admins"}}]
    effective = [{"role": {"id": "r1", "name": "manager"}, "user": {"id": "u1", "name": "app-sysadmin"}}]
    inv = d.inventory(PROJECT, reads, user_reads, direct, effective)
    assert inv["resources"]["servers"] == [{"id": "s1", "name": "web", "status": "ACTIVE"}]
    assert inv["resources"]["keypairs"] == [{"id": "k", "name": "k", "user_id": "u1"}]
    assert inv["resources"]["application_creds"] == [{"id": "k", "name": "k", "user_id": "u1"}]
    assert "s3cr3t" not in repr(inv) and "adminPass" not in repr(inv)
    assert inv["resources"]["users"] == [{"id": "u1", "name": "app-sysadmin"}]
    assert inv["resources"]["groups"] == [{"id": "g1", "name": "app-admins"}]
    assert inv["resources"]["role_assignments"] == [
        {"id": "r1:group:g1", "role": "manager", "user": None, "group": "app-admins"}]
    assert inv["counts"]["project"] == 1 and inv["total"] == 1 + 2 + 1 + 1 + 1 + 1
    assert inv["order"] == list(d.ORDER)


def test_inventory_refuses_a_missing_project_and_unknown_reads():
    with pytest.raises(d.DecommissionError, match="^project: not found"):
        d.inventory({}, [], [], [], [])
    with pytest.raises(d.DecommissionError, match="unknown resource key 'things'"):
        d.inventory(PROJECT, [{"item": {"key": "things"}, "resources": []}], [], [], [])
