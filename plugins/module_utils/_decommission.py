# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Inventory of an application's project for 系统下线 (secure decommission): which list calls to make, and the
shape of what they return, in the order things must be deleted. Pure logic, used by the secure_decommission role
through the decommission_* filters."""
from __future__ import annotations

# (key, service, type) in deletion order. Keys avoid secret-looking words ("application_credentials" would be
# redacted from the ledger by key), hence "application_creds".: what holds a reference goes before what it refers to.
PROJECT_TYPES = (
    ("servers", "compute", "server"),
    ("floating_ips", "network", "ip"),
    ("ports", "network", "port"),
    ("routers", "network", "router"),
    ("subnets", "network", "subnet"),
    ("networks", "network", "network"),
    ("security_groups", "network", "security_group"),
    ("snapshots", "block_storage", "snapshot"),
    ("backups", "block_storage", "backup"),
    ("volumes", "block_storage", "volume"),
    ("images", "image", "image"),
)
USER_TYPES = (
    ("keypairs", "compute", "keypair"),
    ("application_creds", "identity", "application_credential"),
)
ORDER = tuple(k for k, _s, _t in PROJECT_TYPES) + tuple(k for k, _s, _t in USER_TYPES) + (
    "role_assignments", "users", "groups", "project")
# Only these attributes leave the cloud's answer: enough to name the object, never a secret
# (application credentials carry one).
_KEEP = {
    "servers": ("status",), "floating_ips": ("floating_ip_address", "port_id"),
    "ports": ("device_owner", "device_id", "network_id"), "routers": ("external_gateway_info",),
    "subnets": ("cidr", "network_id"), "networks": (), "security_groups": (), "snapshots": ("volume_id", "size"),
    "backups": ("volume_id", "size"), "volumes": ("size", "volume_type", "encrypted"), "images": ("visibility",),
    "keypairs": ("user_id",), "application_creds": ("user_id",),
}


class DecommissionError(Exception):
    """Bad input to the inventory, with a message meant for an operator."""


def _project_params(key, project_id):
    if key == "images":
        return {"owner": project_id}
    if key in ("servers", "snapshots", "backups", "volumes"):
        return {"all_projects": True, "project_id": project_id}
    return {"project_id": project_id}


def project_queries(project_id):
    """openstack.cloud.resources calls (service, type, parameters) listing everything the project owns."""
    if not project_id:
        raise DecommissionError("project: no project id (the project does not exist)")
    return [{"key": k, "service": s, "type": t, "parameters": _project_params(k, project_id)}
            for k, s, t in PROJECT_TYPES]


def user_queries(users):
    """Calls listing what the project's users own outside the project (keypairs, application credentials)."""
    queries = []
    for user in users:
        queries.append({"key": "keypairs", "service": "compute", "type": "keypair",
                        "parameters": {"user_id": user["id"]}, "user_id": user["id"]})
        queries.append({"key": "application_creds", "service": "identity", "type": "application_credential",
                        "parameters": {"user": user["id"]}, "user_id": user["id"]})
    return queries


def _ref(ref):
    ref = ref or {}
    return {"id": ref.get("id"), "name": ref.get("name")}


def principals(assignments, kind):
    """Distinct users or groups (id, name) that hold a role on the project, from role assignments."""
    found = {}
    for a in assignments:
        who = a.get(kind) or {}
        if who.get("id"):
            found[who["id"]] = _ref(who)
    return [found[i] for i in sorted(found)]


def _item(key, res, user_id=None):
    item = {"id": res.get("id") or res.get("name"), "name": res.get("name")}
    for attr in _KEEP.get(key, ()):
        item[attr] = res.get(attr)
    if user_id and not item.get("user_id"):
        item["user_id"] = user_id
    return item


def inventory(project, project_reads, user_reads, assignments, effective_assignments):
    """Everything the project owns, keyed and ordered for deletion, with counts.

    project: the project (id, name); project_reads / user_reads: results of project_queries / user_queries as
    [{"item": query, "resources": [...]}]; assignments: direct role assignments on the project (with names);
    effective_assignments: effective ones (users through groups)."""
    if not project or not project.get("id"):
        raise DecommissionError("project: not found; nothing to inventory")
    resources = {key: [] for key in ORDER}
    for read in list(project_reads) + list(user_reads):
        key = read["item"]["key"]
        if key not in resources:
            raise DecommissionError("reads: unknown resource key %r" % key)
        for res in read.get("resources") or []:
            resources[key].append(_item(key, res, read["item"].get("user_id")))
    resources["role_assignments"] = sorted(
        ({"id": "%s:%s:%s" % ((a.get("role") or {}).get("id"), "user" if a.get("user") else "group",
                              (a.get("user") or a.get("group") or {}).get("id")),
          "role": (a.get("role") or {}).get("name"),
          "user": (a.get("user") or {}).get("name"), "group": (a.get("group") or {}).get("name")}
         for a in assignments), key=lambda r: r["id"])
    resources["users"] = principals(effective_assignments, "user")
    resources["groups"] = principals(assignments, "group")
    resources["project"] = [_ref(project)]
    for key in ORDER:
        resources[key] = sorted(resources[key], key=lambda r: (str(r.get("name")), str(r["id"])))
    counts = {key: len(resources[key]) for key in ORDER}
    return {"project_id": project["id"], "project": project.get("name"), "order": list(ORDER),
            "resources": resources, "counts": counts, "total": sum(counts.values())}
