# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this plugin_util is **PRIVATE** to the collection: it can change at any time.

"""Inventory of an application's project for 系统下线 (secure decommission): which list calls to make, and the
shape of what they return, in the order things must be deleted; the preconditions and the deletion steps. Pure
logic, used by the secure_decommission role through the decommission_* filters (entry: _decommission.py)."""
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
# The resource type a record of a deletion names, one name per kind whoever writes the record (the callback from
# the deleting module's arguments, the role for no_log deletions, the reconciliation of a killed run).
TYPE_OF = dict([(k, t) for k, _s, t in PROJECT_TYPES + USER_TYPES]
               + [("role_assignments", "role_assignment"), ("users", "user"), ("groups", "group"),
                  ("project", "project")])
# Only these attributes leave the cloud's answer: enough to name the object, never a secret
# (application credentials carry one).
_KEEP = {
    "servers": ("status",), "floating_ips": ("floating_ip_address", "port_id"),
    "ports": ("device_owner", "device_id", "network_id"), "routers": ("external_gateway_info",),
    "subnets": ("cidr", "network_id"), "networks": (), "security_groups": (), "snapshots": ("volume_id", "size"),
    "backups": ("volume_id", "size"), "volumes": ("size", "volume_type", "encrypted", "attachments"),
    "images": ("visibility", "disk_format"),
    "keypairs": ("user_id",), "application_creds": ("user_id",),
}


class DecommissionError(Exception):
    """Bad input to the inventory, with a message meant for an operator."""


def _project_params(key, project_id):
    if key == "images":
        return {"owner": project_id}
    if key == "security_groups":
        # Neutron creates a project's default security group whenever security groups are listed with its
        # project_id, even for a deleted project: list all and keep the project's (owned()).
        return {}
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


def owned(key, resources, project_id):
    """The resources of a read that belong to the project (security groups are read unfiltered)."""
    if key != "security_groups":
        return list(resources or [])
    return [r for r in resources or [] if (r.get("project_id") or r.get("tenant_id")) == project_id]


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
    if key == "volumes":
        item["attachments"] = [{"server_id": a.get("server_id"), "device": a.get("device")}
                               for a in (res.get("attachments") or [])]
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
        for res in owned(key, read.get("resources"), project["id"]):
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


# Deletions a record cannot name by id (a role assignment is removed by role, principal and project).
_NOT_RECONCILED = ("role_assignments",)


def unrecorded_deletions(plans, current, records, clauses=()):
    """What earlier runs' plans listed, the cloud no longer holds, and no record names as deleted: the deletions of a
    run killed between the cloud's answer and its record.  Each once, oldest plan first.

    plans: the details of the earlier plan notes (``inventory``); current: this run's inventory (None or {} when
    the project is gone); records: the decommission stage's earlier task records (``details.resource``); clauses:
    what the records cite.  Returns evidence_record ``records`` items."""
    now = set()
    for items in ((current or {}).get("resources") or {}).values():
        for item in items or []:
            now.add(_identity(item.get("id"), item.get("user_id")))
    recorded = set()
    for record in records or []:
        resource = (record.get("details") or {}).get("resource") or {}
        if resource.get("state") == "absent" and record.get("result") == "changed":
            recorded.update(_identity(resource[k], resource.get("user")) for k in ("id", "name") if resource.get(k))
    found, seen = [], set()
    for plan in plans or []:
        resources = ((plan or {}).get("inventory") or {}).get("resources") or {}
        for key in ORDER:
            if key in _NOT_RECONCILED:
                continue
            for item in resources.get(key) or []:
                ident = _identity(item.get("id"), item.get("user_id"))
                if ident in now or ident in seen or ident in recorded:
                    continue
                seen.add(ident)
                record = _deletion_record(key, item, clauses, "; the interrupted run's record of it was lost, the "
                                                              "cloud no longer holds it")
                record["details"]["reconciled"] = "listed by an earlier plan, absent when the decommission resumed"
                found.append(record)
    return found


def _identity(ident, user=None):
    """What names one resource across runs: its id, or for what a user owns outside the project its user and id —
    a keypair's id is its name, which the same or a rebuilt project's next user may carry again."""
    return "%s/%s" % (user, ident) if user else str(ident)


def _deletion_record(key, item, clauses, note=""):
    """The record of one deletion of kind key (``TYPE_OF``), whoever writes it: the type and id of what is gone."""
    ident = str(item["id"])
    resource = {"type": TYPE_OF[key], "id": ident, "name": item.get("name"), "state": "absent"}
    if item.get("user_id"):
        resource["user"] = str(item["user_id"])
    return {"kind": "task", "stage": "decommission", "party": "cloud_service_provider",
            "clauses": list(clauses or ()), "result": "changed", "targets": [ident],
            "summary": "deleted: %s %s (%s)%s" % (TYPE_OF[key], item.get("name"), ident, note),
            "details": {"resource": resource}}


def deletion_records(results, step, clauses=()):
    """One record per item a no_log deletion loop deleted (the callback's own records of such a task are censored
    and cannot name what was deleted): the registered loop results of the step's delete task."""
    found = []
    for res in results or []:
        item = res.get("item") if isinstance(res, dict) else None
        if not res.get("changed") or not isinstance(item, dict) or not item.get("id"):
            continue
        found.append(_deletion_record(step, item, clauses))
    return found


# ------------------------------------------------------------------------------------------ preconditions
# Logs of a system leaving the cloud stay available for at least six months (网络安全法 Art. 21; GB/T 22239-2019
# 8.1.4.3 c): exported to the customer or kept by the provider.
LOG_RETENTION_MIN_DAYS = 180
WAIVER_SUBJECT = "data_handover_waiver"
LOG_RETENTION_SUBJECT = "log_retention"
LOG_RETENTION_MODES = ("export", "keep")


def preconditions(application_id, confirm, gate, problems=(), recorded_by_run=()):
    """One verdict over everything the destructive run needs: the confirmation, the ledger gate's items and
    problems of the operator's input (a waiver without a reason, a retention below six months).

    gate: the lifecycle_gate result (``requirements`` with id, description, status, reason); recorded_by_run:
    gate items the run itself records first from the operator's input (what a dry run may count as met)."""
    missing = list(problems or ())
    recorded_by_run = set(recorded_by_run or ())
    if confirm != application_id:
        missing.append("secure_decommission_confirm: must equal the application id '%s' (%s)" % (
            application_id, "not given" if confirm in (None, "") else "got '%s'" % confirm))
    for item in (gate or {}).get("requirements") or []:
        if item.get("status") in ("missing", "failed") and item["id"] not in recorded_by_run:
            missing.append("%s: %s %s (%s)" % (item["id"], item.get("description"), item["status"], item.get("reason")))
    if missing:
        message = "secure decommission of %s refused, nothing was wiped or deleted; missing %d: %s" % (
            application_id, len(missing), "; ".join("%d) %s" % (i + 1, m) for i, m in enumerate(missing)))
    else:
        message = "secure decommission of %s: every precondition met%s" % (application_id, (
            " (%s recorded from this run's input)" % ", ".join(sorted(recorded_by_run))) if recorded_by_run else "")
    return {"passed": not missing, "missing": missing, "message": message}


def handover_items(inventory, manifest=None):
    """The GB/T 31167 §9.2 handover list (数据移交清单): data sets, their formats, code, documents and logs,
    from the cloud inventory and the application manifest."""
    manifest = manifest or {}
    res = (inventory or {}).get("resources") or {}
    items = []
    for vol in res.get("volumes") or []:
        items.append({"name": "volume %s (%s)" % (vol.get("name"), vol["id"]), "category": "data_set",
                      "format": "raw block image (cinder upload-to-image or qemu-img convert)",
                      "description": "%s GB data volume" % vol.get("size")})
    for key, what in (("snapshots", "volume snapshot"), ("backups", "volume backup")):
        for snap in res.get(key) or []:
            items.append({"name": "%s %s (%s)" % (what, snap.get("name"), snap["id"]), "category": "data_set",
                          "format": "raw block image", "description": "%s of volume %s" % (what, snap.get("volume_id"))})
    for image in res.get("images") or []:
        items.append({"name": "image %s (%s)" % (image.get("name"), image["id"]), "category": "code",
                      "format": image.get("disk_format") or "image file", "description": "image owned by the project"})
    for server in manifest.get("servers") or []:
        items.append({"name": "code and configuration of %s" % server.get("name"), "category": "code",
                      "format": "source and package archive, configuration files",
                      "description": server.get("role") or "application server"})
    data = manifest.get("data") or {}
    if data:
        items.append({"name": "data classification", "category": "document", "format": "text",
                      "description": "classification %s, personal information: %s" % (
                          data.get("classification"), data.get("personal_information"))})
    items.append({"name": "application manifest %s" % (manifest.get("id") or inventory.get("project")),
                  "category": "document", "format": "YAML (docs/manifest.schema.json)",
                  "description": "应用系统上线申请清单: zones, flows, servers, contacts"})
    items.append({"name": "audit and operation logs", "category": "log", "format": "syslog / JSON lines",
                  "description": "at least %d days, see the log retention record" % LOG_RETENTION_MIN_DAYS})
    return items


def waiver_problems(waiver):
    """What a data handover waiver lacks (reason, approver, date); [] when none is given or it is complete."""
    if not waiver:
        return []
    return ["secure_decommission_handover_waiver.%s: required for a waiver" % k
            for k in ("reason", "approver", "date") if not (waiver or {}).get(k)]


def input_problems(waiver, retention):
    """What is wrong with the operator's waiver and log retention input (given ones only)."""
    problems = waiver_problems(waiver)
    if retention:
        problems += ["secure_decommission_log_retention.%s" % p for p in log_retention(retention)["problems"]]
    return problems


def log_retention(spec):
    """Details and result of the log retention record: export to the customer or keep, for >= 180 days."""
    spec = dict(spec or {})
    problems = []
    mode = spec.get("mode")
    if mode not in LOG_RETENTION_MODES:
        problems.append("mode: must be one of %s (got %r)" % (", ".join(LOG_RETENTION_MODES), mode))
    days = spec.get("retention_days")
    if isinstance(days, bool) or not isinstance(days, int):
        problems.append("retention_days: must be an integer number of days (got %r)" % (days,))
    elif days < LOG_RETENTION_MIN_DAYS:
        problems.append("retention_days: %d is below the %d days (6 months) required" % (days, LOG_RETENTION_MIN_DAYS))
    if not spec.get("location"):
        problems.append("location: where the logs are exported to or kept")
    details = {"subject": LOG_RETENTION_SUBJECT, "mode": mode, "retention_days": days,
               "minimum_days": LOG_RETENTION_MIN_DAYS, "location": spec.get("location"),
               "basis": "Cybersecurity Law Art. 21; GB/T 22239-2019 8.1.4.3"}
    if spec.get("responsible"):
        details["responsible"] = spec["responsible"]
    return {"details": details, "result": "fail" if problems else "pass", "problems": problems}


# ---------------------------------------------------------------------------------------------- deletion
# Ports that go with their owner: neutron refuses to delete router interfaces through the port API, removes
# DHCP ports with their subnet and floating IP ports with the floating IP.
_OWNED_PORTS = ("network:router_interface", "network:router_gateway", "network:floating_ip", "network:dhcp",
                "network:ha_router_replicated_interface", "network:router_ha_interface",
                "network:router_interface_distributed", "network:router_centralized_snat")
STEPS = ORDER


def step_queries(step, project_id, users=()):
    """The list calls that re-read what a deletion step acts on (so a rerun after a kill finds what is left)."""
    if step in dict((k, 1) for k, _s, _t in PROJECT_TYPES):
        return [q for q in project_queries(project_id) if q["key"] == step]
    if step in ("keypairs", "application_creds"):
        return [q for q in user_queries(users) if q["key"] == step]
    if step == "role_assignments":
        return [{"key": step, "service": "identity", "type": "role_assignment",
                 "parameters": {"scope_project_id": project_id}}]
    if step in ("users", "groups"):
        return [{"key": step, "service": "identity", "type": step[:-1], "parameters": {}},
                {"key": "all_assignments", "service": "identity", "type": "role_assignment", "parameters": {}}]
    if step == "project":
        return [{"key": step, "service": "identity", "type": "project", "parameters": {}}]
    raise DecommissionError("step: unknown deletion step %r; use one of: %s" % (step, ", ".join(STEPS)))


def _scope_project(assignment):
    scope = assignment.get("scope") or {}
    return (scope.get("project") or {}).get("id")


def step_targets(reads, step, project_id, planned=()):
    """What a step deletes, from its fresh reads: [{id, name, ...}] plus, for users and groups, what is kept
    because it also holds roles outside the project ({"keep": [...]}).

    planned: ids of users/groups recorded in the plan (a rerun still deletes those whose assignments a killed
    run already removed)."""
    found = []
    extra = {}
    for read in reads:
        extra.setdefault(read["item"]["key"], []).extend(read.get("resources") or [])
    rows = owned(step, extra.get(step, []), project_id)
    if step == "ports":
        found = [{"id": p["id"], "name": p.get("name"), "device_owner": p.get("device_owner")}
                 for p in rows if not str(p.get("device_owner") or "").startswith(_OWNED_PORTS)]
    elif step in ("keypairs", "application_creds"):
        for read in reads:
            for r in read.get("resources") or []:
                found.append({"id": r.get("id") or r.get("name"), "name": r.get("name"),
                              "user_id": read["item"].get("user_id")})
    elif step == "role_assignments":
        for a in rows:
            if _scope_project(a) != project_id:
                continue
            who = "user" if a.get("user") else "group"
            found.append({"id": "%s:%s:%s" % ((a.get("role") or {}).get("id"), who, (a.get(who) or {}).get("id")),
                          "role": (a.get("role") or {}).get("id"), who: (a.get(who) or {}).get("id")})
    elif step in ("users", "groups"):
        kind = step[:-1]
        wanted = set(planned or ())
        for a in extra.get("all_assignments", []):
            if _scope_project(a) == project_id and (a.get(kind) or {}).get("id"):
                wanted.add(a[kind]["id"])
        elsewhere = {}
        for a in extra.get("all_assignments", []):
            pid = (a.get(kind) or {}).get("id")
            if pid in wanted and _scope_project(a) != project_id:
                elsewhere.setdefault(pid, []).append(_scope_project(a) or "domain/system")
        keep = []
        for r in rows:
            if r.get("id") not in wanted:
                continue
            if r["id"] in elsewhere:
                keep.append({"id": r["id"], "name": r.get("name"),
                             "reason": "also holds roles on %s" % ", ".join(sorted(elsewhere[r["id"]]))})
            else:
                found.append({"id": r["id"], "name": r.get("name")})
        return {"delete": sorted(found, key=lambda x: x["id"]), "keep": keep}
    elif step == "project":
        found = [{"id": r["id"], "name": r.get("name")} for r in rows if r.get("id") == project_id]
    else:
        found = [{"id": r.get("id"), "name": r.get("name")} for r in rows]
    return {"delete": sorted(found, key=lambda x: str(x["id"])), "keep": []}


def leftovers(project_id, project_reads, user_reads, users_left=(), groups_left=(), project_left=False):
    """The leftover scan after deletion: what of the project still exists (must be nothing)."""
    found = {key: [] for key in ORDER}
    for read in list(project_reads) + list(user_reads):
        key = read["item"]["key"]
        found[key].extend({"id": r.get("id") or r.get("name"), "name": r.get("name")}
                          for r in owned(key, read.get("resources"), project_id))
    found["users"] = [{"id": u["id"], "name": u.get("name")} for u in users_left]
    found["groups"] = [{"id": g["id"], "name": g.get("name")} for g in groups_left]
    found["project"] = [{"id": project_id}] if project_left else []
    counts = {key: len(found[key]) for key in ORDER}
    total = sum(counts.values())
    return {"project_id": project_id, "total": total, "counts": counts,
            "resources": {k: v for k, v in found.items() if v}, "result": "pass" if total == 0 else "fail"}
