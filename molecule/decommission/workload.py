#!/usr/bin/env python3
# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Test-side workload for the decommission scenario (openstacksdk only; network parts: cloud.py).

  workload.py populate PROJECT [APP]  volumes APP-data and APP-logs, a snapshot, a private image, a server APP-web
                                      with a floating IP (APP defaults to PROJECT: a neighbour can reuse APP's names)
  workload.py rebuild APP             APP again without the onboarding roles: project, three networks and
                                      subnets on a router with a gateway, security groups, a user and a group
                                      with roles, a keypair (a quick target for the next kill-and-resume round)
  workload.py appcred PROJECT USER    an application credential of USER (member of PROJECT), made as USER: a
                                      decommission must delete it by id before the user
  workload.py gone APP LEDGER_DIR     exit 1 unless nothing of any project, user or group the decommission plans
                                      in the ledger still exists (independent of the role's own leftover scan)
  workload.py purge PROJECT...        delete what populate made (then cloud.py purge removes the rest)
  workload.py snapshot PROJECT FILE   everything in PROJECT as JSON (cloud.py snapshot + compute/storage/images)
  workload.py same PROJECT FILE       exit 1 with the differences if PROJECT is not as in FILE
  workload.py census APP LEDGER_DIR FILE
                                      what of APP a decommission deletes by id (the cloud's own listing; ports a
                                      router, DHCP or a server of APP owns go with it) and the ledger's head
  workload.py once APP LEDGER_DIR FILE
                                      exit 1 unless every resource of the census that is gone has exactly one
                                      record of its deletion after the census's head, naming its type and id
  workload.py verify APP NEIGHBOUR LEDGER_DIR
                                      the recorded dry-run inventory equals the cloud's own listing of APP and
                                      names nothing of NEIGHBOUR
"""

from __future__ import annotations

import json
import os
import secrets
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "network_segmentation"))
sys.path.insert(0, os.path.join(HERE, "..", "..", ".work", "collections"))

import cloud  # noqa: E402  (molecule/network_segmentation/cloud.py)
import openstack  # noqa: E402
from keystoneauth1 import session  # noqa: E402
from keystoneauth1.identity import v3  # noqa: E402


def as_project(c, proj):
    """A connection scoped to proj: nova/cinder/glance create in the caller's project only."""
    role = c.identity.find_role("member")
    me = c.identity.find_user("admin", domain_id="default")
    c.identity.assign_project_role_to_user(proj, me, role)
    # connect_as_project(id) looks the id up as a name in the user's domain; a fresh connect takes the id
    return openstack.connect(cloud=cloud.CLOUD, project_id=proj.id), (proj, me, role)


def release(c, grant):
    proj, me, role = grant
    c.identity.unassign_project_role_from_user(proj, me, role)


def populate(c, project_name, name=None):
    name = name or project_name
    proj = cloud.project(c, project_name)
    p, grant = as_project(c, proj)
    try:
        vol = p.block_storage.find_volume("%s-data" % name) or p.block_storage.create_volume(
            name="%s-data" % name, size=1)
        p.block_storage.wait_for_status(vol, "available", wait=120)
        logs = p.block_storage.find_volume("%s-logs" % name) or p.block_storage.create_volume(
            name="%s-logs" % name, size=1)
        p.block_storage.wait_for_status(logs, "available", wait=120)
        if p.block_storage.find_snapshot("%s-data-snap" % name) is None:
            snap = p.block_storage.create_snapshot(volume_id=vol.id, name="%s-data-snap" % name)
            p.block_storage.wait_for_status(snap, "available", wait=120)
        if p.image.find_image("%s-private" % name) is None:
            p.image.create_image(name="%s-private" % name, data=b"\0" * 1024, disk_format="raw",
                                 container_format="bare", visibility="private")
        server = p.compute.find_server("%s-web" % name)
        if server is None:
            net = p.network.find_network("%s-internet" % name, project_id=proj.id)
            server = p.compute.create_server(
                name="%s-web" % name, flavor_id=p.compute.find_flavor("m1.tiny").id,
                image_id=p.image.find_image("devcloud-tiny").id, networks=[{"uuid": net.id}])
            server = p.compute.wait_for_server(server, wait=180)
        routed = any(r.external_gateway_info for r in p.network.routers(project_id=proj.id))
        if routed and not list(p.network.ips(project_id=proj.id)):
            port = next(iter(p.network.ports(device_id=server.id)))
            p.network.create_ip(floating_network_id=p.network.find_network("public").id, port_id=port.id,
                                project_id=proj.id)
    finally:
        release(c, grant)


def rebuild(c, name):
    proj = cloud.neighbour(c, name, name, "10.41")
    router = c.network.find_router("%s-router" % name, project_id=proj.id)
    if not router.external_gateway_info:
        c.network.update_router(router, external_gateway_info={"network_id": c.network.find_network("public").id})
    member = c.identity.find_role("member")
    user = c.identity.find_user("%s-sysadmin" % name, domain_id="default") or c.identity.create_user(
        name="%s-sysadmin" % name, domain_id="default", default_project_id=proj.id)
    c.identity.assign_project_role_to_user(proj, user, member)
    group = c.identity.find_group("%s-admins" % name, domain_id="default")
    c.identity.assign_project_role_to_group(proj, group, member)
    if not list(c.compute.keypairs(user_id=user.id)):
        c.compute.create_keypair(name="%s-admin" % name, user_id=user.id, public_key=(
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl molecule"))
    appcred(c, name, user.name)


def appcred(c, project_name, user_name):
    """USER's own application credential (keystone lets only the user create one): a fresh password, then USER's login."""
    proj = cloud.project(c, project_name)
    user = c.identity.find_user(user_name, domain_id="default")
    if list(c.identity.application_credentials(user=user.id)):
        return
    password = secrets.token_urlsafe(18)
    c.identity.update_user(user, password=password)
    # keystone revokes the user's tokens by issue time in whole seconds: one issued in the second of the
    # password change is refused (401) on first use
    time.sleep(1.1)
    # a session of its own: openstack.connect would merge in the admin entry of clouds.yaml (OS_CLOUD)
    login = v3.Password(auth_url=c.config.config["auth"]["auth_url"], username=user_name, password=password,
                        user_domain_id="default", project_id=proj.id)
    as_user = openstack.connection.Connection(session=session.Session(auth=login),
                                              region_name=c.config.get_region_name())
    as_user.identity.create_application_credential(user=user.id, name="%s-ci" % user_name,
                                                   description="CI token of %s" % user_name)


def gone(c, app, ledger_dir):
    from ansible_collections.govcloud.lifecycle.plugins.plugin_utils.evidence import Ledger

    with Ledger(ledger_dir, create=False) as ledger:
        plans = [r["details"] for r in ledger.records(application=app, kind="note") if r["details"].get("plan")]
    if not plans:
        print("no decommission plan of %s in the ledger" % app)
        return 1
    left = {}
    users = {u.id for u in c.identity.users()}
    groups = {g.id for g in c.identity.groups()}
    projects = {p.id for p in c.identity.projects()}
    for plan in plans:
        pid = plan["project_id"]
        found = {k: v for k, v in listing(c, type("P", (), {"id": pid})(), identity=False).items() if v}
        for uid in plan["users"]:
            if uid in users:
                found.setdefault("users", []).append(uid)
                found.setdefault("application_creds", []).extend(
                    a.id for a in c.identity.application_credentials(user=uid))
            # nova keeps the keypairs of a deleted user
            found.setdefault("keypairs", []).extend(k.name for k in c.compute.keypairs(user_id=uid))
        found = {k: v for k, v in found.items() if v}
        for gid in plan["groups"]:
            if gid in groups:
                found.setdefault("groups", []).append(gid)
        if pid in projects:
            found["project"] = [pid]
        if found:
            left[pid] = found
    if left:
        print("left over: %s" % json.dumps(left, sort_keys=True))
        return 1
    print("nothing left of %d planned project(s) of %s" % (len({p["project_id"] for p in plans}), app))
    return 0


def purge(c, name):
    proj = cloud.project(c, name)
    if proj is None:
        return
    for ip in c.network.ips(project_id=proj.id):
        c.network.delete_ip(ip)
    for server in c.compute.servers(all_projects=True, project_id=proj.id):
        c.compute.delete_server(server)
        c.compute.wait_for_delete(server, wait=180)
    for snap in c.block_storage.snapshots(all_projects=True, project_id=proj.id):
        c.block_storage.delete_snapshot(snap)
        c.block_storage.wait_for_delete(snap, wait=120)
    for vol in c.block_storage.volumes(all_projects=True, project_id=proj.id):
        c.block_storage.delete_volume(vol)
        c.block_storage.wait_for_delete(vol, wait=120)
    for image in c.image.images(owner=proj.id):
        c.image.delete_image(image)


def listing(c, proj, identity=True):
    def ids(items):
        return sorted(i.id for i in items)
    pid = proj.id
    found = {
        "servers": ids(c.compute.servers(all_projects=True, project_id=pid)),
        "volumes": ids(c.block_storage.volumes(all_projects=True, project_id=pid)),
        "snapshots": ids(c.block_storage.snapshots(all_projects=True, project_id=pid)),
        "backups": ids(c.block_storage.backups(all_projects=True, project_id=pid)),
        "images": ids(c.image.images(owner=pid)),
        "floating_ips": ids(c.network.ips(project_id=pid)),
        "ports": ids(c.network.ports(project_id=pid)),
        "routers": ids(c.network.routers(project_id=pid)),
        "subnets": ids(c.network.subnets(project_id=pid)),
        "networks": ids(c.network.networks(project_id=pid)),
        # unfiltered: neutron would create the default group of a deleted project listed by its id
        "security_groups": ids(g for g in c.network.security_groups() if g.project_id == pid),
    }
    if identity:  # keystone answers 404 for the assignments of a deleted project
        found["users"] = sorted({a.user["id"] for a in c.identity.role_assignments(scope_project_id=pid,
                                                                                   effective=True) if a.user})
        found["groups"] = sorted({a.group["id"] for a in c.identity.role_assignments(scope_project_id=pid)
                                  if a.group})
        found["application_creds"] = sorted(a.id for uid in found["users"]
                                            for a in c.identity.application_credentials(user=uid))
    return found


def snapshot(c, name):
    proj = cloud.project(c, name)
    snap = cloud.snapshot(c, name)
    snap["workload"] = listing(c, proj)
    return snap


def verify(c, app, neighbour, ledger_dir):
    from ansible_collections.govcloud.lifecycle.plugins.plugin_utils.evidence import Ledger

    proj, nb = cloud.project(c, app), cloud.project(c, neighbour)
    with Ledger(ledger_dir, create=False) as ledger:
        assert ledger.verify()["ok"] is True
        notes = [r for r in ledger.records(application=app, stage="decommission", kind="note")
                 if r["details"].get("dry_run")]
    assert len(notes) == 1, "expected one dry-run record (the idempotence run adds none), got %d" % len(notes)
    inv = notes[0]["details"]["inventory"]
    assert notes[0]["details"]["dry_run"] is True and inv["project_id"] == proj.id
    expected = listing(c, proj)
    problems = []
    for key, want in expected.items():
        got = sorted(r["id"] for r in inv["resources"][key])
        if got != want:
            problems.append("%s: recorded %s, cloud has %s" % (key, got, want))
    minimum = {"servers": 1, "volumes": 2, "snapshots": 1, "images": 1, "floating_ips": 1, "routers": 1,
               "networks": 2, "subnets": 2, "users": 3, "groups": 3, "keypairs": 1, "role_assignments": 3,
               "application_creds": 1}
    for key, least in minimum.items():
        if inv["counts"][key] < least:
            problems.append("%s: %d recorded, at least %d exist" % (key, inv["counts"][key], least))
    nb_ids = {i for ids in listing(c, nb).values() for i in ids} | {nb.id}
    leaked = sorted({r["id"] for items in inv["resources"].values() for r in items} & nb_ids)
    if leaked:
        problems.append("neighbour's resources in the inventory: %s" % leaked)
    if problems:
        print("\n".join(problems))
        return 1
    print("inventory of %s matches the cloud: %s" % (app, json.dumps(inv["counts"], sort_keys=True)))
    return 0


def census(c, app, ledger_dir):
    from ansible_collections.govcloud.lifecycle.plugins.plugin_utils import _decommission_inventory as D
    from ansible_collections.govcloud.lifecycle.plugins.plugin_utils.evidence import Ledger

    proj = cloud.project(c, app)
    found = listing(c, proj, identity=False)
    servers = set(found["servers"])
    found["ports"] = sorted(
        p.id for p in c.network.ports(project_id=proj.id)
        if not str(p.device_owner or "").startswith(D._OWNED_PORTS)
        and not (str(p.device_owner or "").startswith("compute:") and p.device_id in servers))
    # the principals a decommission deletes: those with a role on the project itself (not through a group)
    direct = list(c.identity.role_assignments(scope_project_id=proj.id))
    found["users"] = sorted({a.user["id"] for a in direct if a.user})
    found["groups"] = sorted({a.group["id"] for a in direct if a.group})
    found["application_creds"] = sorted(a.id for uid in found["users"]
                                        for a in c.identity.application_credentials(user=uid))
    found["keypairs"] = sorted(k.name for uid in found["users"] for k in c.compute.keypairs(user_id=uid))
    found["project"] = [proj.id]
    with Ledger(ledger_dir, create=False) as ledger:
        head = ledger.head()["seq"]
    return {"application": app, "after_seq": head, "resources": found}


def once(c, app, ledger_dir, taken):
    """Every deleted resource of the census: exactly one record of its deletion, with its type and id."""
    from ansible_collections.govcloud.lifecycle.plugins.plugin_utils import _decommission_inventory as D
    from ansible_collections.govcloud.lifecycle.plugins.plugin_utils.evidence import Ledger

    with Ledger(ledger_dir, create=False) as ledger:
        assert ledger.verify()["ok"] is True
        deletions = [r for r in ledger.records(application=app, stage="decommission", kind="task", result="changed")
                     if r["seq"] > taken["after_seq"]
                     and (r["details"].get("resource") or {}).get("state") == "absent"]
    by_id = {}
    for record in deletions:
        resource = record["details"]["resource"]
        by_id.setdefault(str(resource.get("id") or resource.get("name")), []).append(record)
    now = listing(c, type("P", (), {"id": taken["resources"]["project"][0]})(), identity=False)
    still = {i for ids in now.values() for i in ids}
    still |= {u.id for u in c.identity.users()} | {g.id for g in c.identity.groups()}
    problems, counted = [], 0
    for kind, ids in sorted(taken["resources"].items()):
        for ident in ids:
            if ident in still:
                problems.append("%s %s was not deleted" % (kind, ident))
                continue
            mine = by_id.get(ident, [])
            types = sorted({r["details"]["resource"].get("type") for r in mine})
            if len(mine) != 1 or types != [D.TYPE_OF[kind]]:
                problems.append("%s %s: %d deletion record(s) %s of type(s) %s, expected one of type %s" % (
                    kind, ident, len(mine), [r["seq"] for r in mine], types, D.TYPE_OF[kind]))
            counted += 1
    if problems:
        print("\n".join(problems))
        return 1
    print("each of the %d deleted resources of %s has exactly one deletion record with its type and id (%s)" % (
        counted, app, ", ".join("%s %d" % (k, len(v)) for k, v in sorted(taken["resources"].items()) if v)))
    return 0


def _census(c, args):
    with open(args[2], "w") as handle:
        json.dump(census(c, args[0], args[1]), handle, indent=1, sort_keys=True)


def _once(c, args):
    with open(args[2]) as handle:
        return once(c, args[0], args[1], json.load(handle))


def _purge(c, names):
    for name in names:
        purge(c, name)


def main(argv):
    c = cloud.conn()
    return cloud.cli({
        "populate": lambda a: populate(c, *a[0:2]),
        "appcred": lambda a: appcred(c, a[0], a[1]),
        "rebuild": lambda a: rebuild(c, a[0]),
        "gone": lambda a: gone(c, a[0], a[1]),
        "purge": lambda a: _purge(c, a),
        "snapshot": lambda a: cloud.save_snapshot(lambda name: snapshot(c, name), a[0], a[1]),
        "same": lambda a: cloud.same_as_saved(lambda name: snapshot(c, name), a[0], a[1]),
        "census": lambda a: _census(c, a),
        "once": lambda a: _once(c, a),
        "verify": lambda a: verify(c, a[0], a[1], a[2]),
    }, argv, __doc__)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
