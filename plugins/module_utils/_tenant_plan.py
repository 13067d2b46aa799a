# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The tenant (资源分配: project, duty groups, users, role assignments, quotas, keypair) as data.

The role ``tenant`` lists what exists with a few calls, ``plan()`` names what is missing or different, and
only those items go through openstack.cloud modules; ``facts()`` is the provable scope of the tenant that the
ledger keeps.  Passwords never pass through here.
"""

from __future__ import annotations

import re

from ansible_collections.govcloud.lifecycle.plugins.module_utils import manifest

# Our default (三权分立 for the tenant): the application admin manages the project (keystone's ``manager``
# implies ``member`` and ``reader``), the operator works in it, the auditor only reads.
DEFAULT_DUTIES = {
    "admin": {"roles": ["manager"], "description": "应用管理员 application administrator"},
    "operator": {"roles": ["member"], "description": "运维操作员 operator"},
    "auditor": {"roles": ["reader"], "description": "审计员 read-only auditor"},
}
_MEMBERSHIP = re.compile(r"/groups/([^/]+)/users/([^/]+)$")


class TenantError(Exception):
    """The request cannot be planned; the message names the variable and the reason."""


def tag(application_id):
    """The project tag that proves which application a project belongs to."""
    return "govcloud-application=%s" % application_id


def group_name(application_id, duty):
    return "%s-%ss" % (application_id, duty)


def intent(application_id, project, description, users, duties=None, quotas=None, keypair=None, domain="default"):
    """What the tenant should be; raises TenantError for a request that violates separation of duties."""
    duties = duties or DEFAULT_DUTIES
    seen = {}
    for index, user in enumerate(users):
        where = "tenant_users[%d]" % index
        if user.get("duty") not in duties:
            raise TenantError("%s.duty: %r is not one of %s" % (where, user.get("duty"), ", ".join(sorted(duties))))
        if user["name"] in seen:
            raise TenantError("%s.name: %s is also %s; one account per person and duty (三权分立)" % (
                where, user["name"], seen[user["name"]]))
        seen[user["name"]] = where
    people = {}
    for index, user in enumerate(users):
        person = user.get("person")
        if person and person in people and people[person][1] != user["duty"]:
            first_path, first_duty = people[person]
            raise TenantError("tenant_users[%d].person: %s already holds duty %s (%s); one person may not hold two "
                              "of admin, operator and auditor (三权分立)" % (index, person, first_duty, first_path))
        if person:
            people[person] = ("tenant_users[%d]" % index, user["duty"])
    return {
        "project": {"name": project, "description": description, "tags": [tag(application_id)], "domain": domain},
        "groups": [{"name": group_name(application_id, d), "duty": d, "description": "%s %s" % (
            application_id, duties[d]["description"])} for d in sorted(duties)],
        "users": [{"name": u["name"], "duty": u["duty"], "group": group_name(application_id, u["duty"]),
                   "email": u.get("email"), "description": u.get("description") or "%s %s" % (
                       application_id, duties[u["duty"]]["description"])} for u in users],
        "roles": [{"group": group_name(application_id, d), "role": r} for d in sorted(duties)
                  for r in duties[d]["roles"]],
        "quotas": manifest.quota_options(quotas),
        "keypair": keypair,
    }


def state(projects, users, groups, assignments=(), effective=(), keypairs=(), project_name=None, domain="default"):
    """The existing tenant objects, from list calls (``to_dict()`` of the SDK resources)."""
    project = None
    for item in projects:
        if item.get("name") == project_name and item.get("domain_id") == domain:
            project = item
    group_by_id = dict((g["id"], g) for g in groups)
    user_by_id = dict((u["id"], u) for u in users)
    roles = []
    for item in assignments:
        group = (item.get("group") or {}).get("id")
        role = (item.get("role") or {}).get("name")
        if group and role:
            roles.append({"group": group_by_id.get(group, {}).get("name", group), "role": role})
        user = (item.get("user") or {}).get("id")
        if user and role:
            roles.append({"user": user_by_id.get(user, {}).get("name", user), "role": role})
    members = []
    for item in effective:
        match = _MEMBERSHIP.search(((item.get("links") or {}).get("membership")) or "")
        if match:
            pair = {"group": group_by_id.get(match.group(1), {}).get("name", match.group(1)),
                    "user": user_by_id.get(match.group(2), {}).get("name", match.group(2))}
            if pair not in members:
                members.append(pair)
    return {
        "project": None if project is None else {
            "id": project["id"], "description": project.get("description") or "",
            "tags": sorted(project.get("tags") or []), "is_enabled": project.get("is_enabled", True)},
        "users": dict((u["name"], {"id": u["id"], "email": u.get("email"), "description": u.get("description"),
                                   "default_project_id": u.get("default_project_id")})
                      for u in users if u.get("domain_id") == domain),
        "groups": dict((g["name"], {"id": g["id"], "description": g.get("description")})
                       for g in groups if g.get("domain_id") == domain),
        "roles": roles,
        "members": members,
        "keypairs": sorted(k.get("name") for k in keypairs),
    }


def plan(wanted, current):
    """Names of what to create or update, per resource kind; ``changed`` tells whether anything is to do."""
    project = current["project"]
    changes = {"project": [], "groups": [], "users": [], "members": [], "roles": [], "keypair": []}
    if project is None:
        changes["project"].append("create")
    else:
        if project["description"] != wanted["project"]["description"]:
            changes["project"].append("description")
        if not set(wanted["project"]["tags"]) <= set(project["tags"]):
            changes["project"].append("tags")
        if not project["is_enabled"]:
            changes["project"].append("enable")
    for group in wanted["groups"]:
        have = current["groups"].get(group["name"])
        if have is None or have["description"] != group["description"]:
            changes["groups"].append(group["name"])
    for user in wanted["users"]:
        have = current["users"].get(user["name"])
        if have is None:
            changes["users"].append(user["name"])
        elif (have["email"] or None) != (user["email"] or None) or have["description"] != user["description"] or (
                project is not None and have["default_project_id"] != project["id"]):
            changes["users"].append(user["name"])
        if {"group": user["group"], "user": user["name"]} not in current["members"]:
            changes["members"].append({"group": user["group"], "user": user["name"]})
    for role in wanted["roles"]:
        if role not in current["roles"]:
            changes["roles"].append(role)
    keypair = wanted.get("keypair")
    if keypair and keypair.get("name") not in current["keypairs"]:
        changes["keypair"].append(keypair["name"])
    changes["changed"] = any(changes[k] for k in ("project", "groups", "users", "members", "roles", "keypair"))
    return changes


def facts(wanted, current):
    """The provable scope of the tenant (for the ledger): project and tag, who holds which duty with which roles,
    quotas, and any assignment on the project that the request does not explain."""
    expected_roles = wanted["roles"]
    unexpected = [r for r in current["roles"] if r not in expected_roles]
    duties = {}
    for group in wanted["groups"]:
        duties[group["duty"]] = {
            "group": group["name"],
            "roles": sorted(r["role"] for r in current["roles"] if r.get("group") == group["name"]),
            "members": sorted(m["user"] for m in current["members"] if m["group"] == group["name"]),
        }
    return {
        "project": wanted["project"]["name"],
        "project_id": (current["project"] or {}).get("id"),
        "tags": (current["project"] or {}).get("tags", []),
        "duties": duties,
        "quotas": wanted["quotas"],
        "keypairs": current["keypairs"],
        "unexpected_assignments": unexpected,
    }


def diff(wanted, current):
    """Before/after documents of the tenant (passwords excluded), for diff output."""
    before = {
        "project": current["project"] and {"description": current["project"]["description"],
                                           "tags": current["project"]["tags"]},
        "groups": sorted(g["name"] for g in wanted["groups"] if g["name"] in current["groups"]),
        "users": sorted(u["name"] for u in wanted["users"] if u["name"] in current["users"]),
        "members": sorted("%s in %s" % (m["user"], m["group"]) for m in current["members"]),
        "roles": sorted("%s: %s" % (r.get("group") or r.get("user"), r["role"]) for r in current["roles"]),
        "keypairs": current["keypairs"],
    }
    after = {
        "project": {"description": wanted["project"]["description"], "tags": sorted(set(
            wanted["project"]["tags"]) | set((current["project"] or {}).get("tags", [])))},
        "groups": sorted(g["name"] for g in wanted["groups"]),
        "users": sorted(u["name"] for u in wanted["users"]),
        "members": sorted(set(before["members"]) | set("%s in %s" % (u["name"], u["group"]) for u in wanted["users"])),
        "roles": sorted(set(before["roles"]) | set("%s: %s" % (r["group"], r["role"]) for r in wanted["roles"])),
        "keypairs": sorted(set(current["keypairs"]) | set([wanted["keypair"]["name"]] if wanted.get("keypair") else [])),
    }
    return {"before": before, "after": after}


def records(wanted, changes, done, project_id="", rotated=(), handover_file=""):
    """Evidence records (summary, targets, details) for what was applied; ``done`` maps the kinds
    (project, groups, users, members, roles, quotas, keypair) to whether their task changed anything."""
    name = wanted["project"]["name"]
    scope = [project_id or name]
    found = []
    if done.get("project"):
        what = "created" if "create" in changes["project"] else "updated (%s)" % ", ".join(changes["project"])
        found.append({"summary": "project %s %s" % (name, what), "targets": scope,
                      "details": {"tags": wanted["project"]["tags"], "description": wanted["project"]["description"]}})
    if done.get("groups"):
        found.extend({"summary": "duty group %s created or updated" % g, "targets": scope, "details": {}}
                     for g in changes["groups"])
    if done.get("users"):
        for user in changes["users"] + [u for u in rotated if u not in changes["users"]]:
            found.append({"summary": "user %s created or updated" % user, "targets": scope,
                          "details": {"initial_password_handed_over_in": handover_file,
                                      "password_reset": user in rotated}})
    if done.get("members"):
        found.extend({"summary": "user %s joined %s" % (m["user"], m["group"]), "targets": scope, "details": {}}
                     for m in changes["members"])
    if done.get("roles"):
        found.extend({"summary": "role %s granted to group %s on project %s" % (r["role"], r["group"], name),
                      "targets": scope, "details": {}} for r in changes["roles"])
    if done.get("quotas"):
        found.append({"summary": "quotas of %s set from the manifest" % name, "targets": scope,
                      "details": {"quotas": wanted["quotas"]}})
    if done.get("keypair"):
        found.append({"summary": "keypair %s registered for the application admin" % wanted["keypair"]["name"],
                      "targets": scope, "details": {}})
    return found
