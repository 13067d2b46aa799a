# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

import pytest

from ansible_collections.govcloud.lifecycle.plugins.module_utils import _tenant_plan

USERS = [{"name": "a-admin", "duty": "admin", "person": "p1"}, {"name": "a-ops", "duty": "operator", "person": "p2"},
         {"name": "a-audit", "duty": "auditor", "person": "p3", "email": "p3@example.invalid"}]


def wanted(users=None):
    users = USERS if users is None else users
    return _tenant_plan.intent("a", "a", "App A", users, quotas={"ram_mb": 1024, "instances": 2},
                               keypair={"name": "a-admin", "public_key": "ssh-ed25519 AAAA"})


def test_intent_separates_duties_and_maps_quota_names():
    intent = wanted()
    assert intent["project"]["tags"] == ["govcloud-application=a"]
    assert intent["roles"] == [{"group": "a-admins", "role": "manager"}, {"group": "a-auditors", "role": "reader"},
                               {"group": "a-operators", "role": "member"}]
    assert intent["quotas"] == {"instances": 2, "ram": 1024}


@pytest.mark.parametrize("users, message", [
    ([{"name": "x", "duty": "root"}], r"tenant_users\[0\].duty: 'root' is not one of admin, auditor, operator"),
    ([{"name": "x", "duty": "admin"}, {"name": "x", "duty": "auditor"}], r"tenant_users\[1\].name: x is also"),
    ([{"name": "x", "duty": "admin", "person": "p"}, {"name": "y", "duty": "auditor", "person": "p"}],
     r"tenant_users\[1\].person: p already holds duty admin .*三权分立"),
])
def test_bad_requests_name_the_field(users, message):
    with pytest.raises(_tenant_plan.TenantError, match=message):
        wanted(users)


def lists(with_members=True):
    projects = [{"id": "P", "name": "a", "domain_id": "default", "description": "App A",
                 "tags": ["govcloud-application=a", "other"], "is_enabled": True}]
    users = [{"id": "U%d" % i, "name": u["name"], "domain_id": "default", "email": u.get("email"),
              "description": "a " + _tenant_plan.DEFAULT_DUTIES[u["duty"]]["description"], "default_project_id": "P"}
             for i, u in enumerate(USERS)]
    groups = [{"id": "G" + d, "name": "a-%ss" % d, "domain_id": "default",
               "description": "a " + _tenant_plan.DEFAULT_DUTIES[d]["description"]} for d in ("admin", "operator", "auditor")]
    roles = {"admin": "manager", "operator": "member", "auditor": "reader"}
    direct = [{"group": {"id": "G" + d}, "role": {"name": r}} for d, r in roles.items()]
    effective = [{"user": {"id": "U%d" % i}, "role": {"name": roles[u["duty"]]},
                  "links": {"membership": "http://k/v3/groups/G%s/users/U%d" % (u["duty"], i)}}
                 for i, u in enumerate(USERS)] if with_members else []
    return projects, users, groups, direct, effective, [{"name": "a-admin"}]


def test_complete_tenant_plans_nothing_and_keeps_other_tags():
    state = _tenant_plan.state(*lists(), project_name="a")
    plan = _tenant_plan.plan(wanted(), state)
    assert plan["changed"] is False, plan
    facts = _tenant_plan.facts(wanted(), state)
    assert facts["duties"]["auditor"] == {"group": "a-auditors", "roles": ["reader"], "members": ["a-audit"]}
    assert facts["unexpected_assignments"] == []


def test_missing_memberships_and_empty_cloud():
    state = _tenant_plan.state(*lists(with_members=False), project_name="a")
    assert _tenant_plan.plan(wanted(), state)["members"] == [
        {"group": "a-admins", "user": "a-admin"}, {"group": "a-operators", "user": "a-ops"},
        {"group": "a-auditors", "user": "a-audit"}]
    empty = _tenant_plan.plan(wanted(), _tenant_plan.state([], [], [], project_name="a"))
    assert empty["project"] == ["create"] and len(empty["users"]) == 3 and empty["keypair"] == ["a-admin"]


def test_unexpected_assignment_is_reported():
    projects, users, groups, direct, effective, keypairs = lists()
    direct.append({"user": {"id": "U0"}, "role": {"name": "admin"}})
    state = _tenant_plan.state(projects, users, groups, direct, effective, keypairs, project_name="a")
    assert _tenant_plan.facts(wanted(), state)["unexpected_assignments"] == [{"user": "a-admin", "role": "admin"}]


def test_records_carry_no_password_and_name_each_change():
    plan = _tenant_plan.plan(wanted(), _tenant_plan.state([], [], [], project_name="a"))
    recs = _tenant_plan.records(wanted(), plan, dict.fromkeys(("project", "groups", "users", "members", "roles",
                                                              "quotas", "keypair"), True), "P", [], "/h/f.vault.yml")
    summaries = [r["summary"] for r in recs]
    assert summaries[0] == "project a created"
    assert "user a-audit joined a-auditors" in summaries
    assert "role reader granted to group a-auditors on project a" in summaries
    assert "password" not in repr([r["details"] for r in recs]).replace("password_reset", "").replace(
        "initial_password_handed_over_in", "")
