#!/usr/bin/env python3
# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Test-side access to the dev cloud for the tenant and network_segmentation scenarios (openstacksdk only).

  cloud.py project NAME                  ensure project NAME (stands in for the tenant role)
  cloud.py neighbour NAME APP CIDR_BASE  a neighbour application in project NAME using APP's resource names
  cloud.py snapshot PROJECT FILE         everything in PROJECT (and its users/groups) as JSON
  cloud.py same PROJECT FILE             exit 1 with the differences if PROJECT is not as in FILE
  cloud.py count PROJECT_PREFIX          number of projects/users/groups/networks whose name starts with it
  cloud.py purge NAME...                 delete projects NAME (with their network objects) and users/groups NAME-*
Verification of the roles' results lives in verify_*.py next to the scenarios.
"""

from __future__ import annotations

import json
import sys

import openstack

CLOUD = "devcloud-admin"


def conn():
    return openstack.connect(cloud=CLOUD)


def project(c, name):
    return c.identity.find_project(name, domain_id="default")


def neighbour(c, name, app, base):
    """Project NAME holding networks, subnets, security groups and a router named exactly like APP's."""
    proj = project(c, name) or c.identity.create_project(name=name, domain_id="default",
                                                         description="neighbour application (molecule)",
                                                         tags=["govcloud-application=%s" % name])
    router = c.network.find_router("%s-router" % app, project_id=proj.id) or c.network.create_router(
        name="%s-router" % app, project_id=proj.id)
    for index, zone in enumerate(("internet", "gov-extranet", "data")):
        zname = "%s-%s" % (app, zone)
        net = c.network.find_network(zname, project_id=proj.id) or c.network.create_network(name=zname,
                                                                                          project_id=proj.id)
        sub = c.network.find_subnet(zname, project_id=proj.id)
        if sub is None:
            sub = c.network.create_subnet(name=zname, network_id=net.id, project_id=proj.id, ip_version=4,
                                          cidr="%s.%d.0/24" % (base, index))
            c.network.add_interface_to_router(router, subnet_id=sub.id)
        if c.network.find_security_group(zname, project_id=proj.id) is None:
            group = c.network.create_security_group(name=zname, project_id=proj.id)
            c.network.create_security_group_rule(security_group_id=group.id, direction="ingress",
                                                 ethertype="IPv4", protocol="tcp", port_range_min=80,
                                                 port_range_max=80, remote_ip_prefix="0.0.0.0/0")
    for duty in ("admins", "operators", "auditors"):
        # Same group names as the application under test would use, in the neighbour's own name space.
        gname = "%s-%s" % (name, duty)
        if c.identity.find_group(gname, domain_id="default") is None:
            c.identity.create_group(name=gname, domain_id="default")
    return proj


def snapshot(c, name):
    proj = project(c, name)
    if proj is None:
        return None
    pid = proj.id

    def listing(items, keys):
        return sorted((dict((k, item[k]) for k in keys) for item in items), key=lambda d: json.dumps(d, sort_keys=True))

    groups = []
    for group in c.network.security_groups(project_id=pid):
        groups.append({"name": group.name, "id": group.id, "description": group.description,
                       "rules": listing(group.security_group_rules or [],
                                        ("id", "direction", "ethertype", "protocol", "port_range_min",
                                         "port_range_max", "remote_ip_prefix", "remote_group_id"))})
    routers = []
    for router in c.network.routers(project_id=pid):
        ports = [p.id for p in c.network.ports(device_id=router.id)]
        routers.append({"name": router.name, "id": router.id, "gateway": router.external_gateway_info,
                        "ports": sorted(ports)})
    return {
        "project": {"id": pid, "name": proj.name, "tags": sorted(proj.tags or []), "description": proj.description},
        "networks": listing(c.network.networks(project_id=pid), ("id", "name")),
        "subnets": listing(c.network.subnets(project_id=pid), ("id", "name", "cidr", "network_id")),
        "routers": sorted(routers, key=lambda r: r["id"]),
        "security_groups": sorted(groups, key=lambda g: g["id"]),
        "assignments": listing([{"role": a.role["id"], "user": (a.user or {}).get("id"), "group": (a.group or {}).get("id")}
                                for a in c.identity.role_assignments(scope_project_id=pid)], ("role", "user", "group")),
        "groups": listing([g for g in c.identity.groups(domain_id="default") if g.name.startswith(name + "-")],
                          ("id", "name", "description")),
    }


def count(c, prefix):
    return {
        "projects": sum(1 for p in c.identity.projects() if p.name.startswith(prefix)),
        "users": sum(1 for u in c.identity.users() if u.name.startswith(prefix)),
        "groups": sum(1 for g in c.identity.groups() if g.name.startswith(prefix)),
        "networks": sum(1 for n in c.network.networks() if (n.name or "").startswith(prefix)),
        "security_groups": sum(1 for g in c.network.security_groups() if (g.name or "").startswith(prefix)),
    }


def purge(c, name):
    proj = project(c, name)
    if proj is not None:
        pid = proj.id
        for router in c.network.routers(project_id=pid):
            for port in c.network.ports(device_id=router.id, device_owner="network:router_interface"):
                for ip in port.fixed_ips:
                    c.network.remove_interface_from_router(router, subnet_id=ip["subnet_id"])
            c.network.delete_router(router)
        for port in c.network.ports(project_id=pid):
            c.network.delete_port(port)
        for subnet in c.network.subnets(project_id=pid):
            c.network.delete_subnet(subnet)
        for net in c.network.networks(project_id=pid):
            c.network.delete_network(net)
        for group in c.network.security_groups(project_id=pid):
            if group.name != "default":
                c.network.delete_security_group(group)
        for group in c.network.security_groups(project_id=pid):
            c.network.delete_security_group(group)
        c.identity.delete_project(pid)
    for user in c.identity.users(domain_id="default"):
        if user.name.startswith(name + "-"):
            # nova keeps a deleted user's keypairs
            for keypair in c.compute.keypairs(user_id=user.id):
                c.compute.delete_keypair(keypair.name, user_id=user.id)
            c.identity.delete_user(user)
    for group in c.identity.groups(domain_id="default"):
        if group.name.startswith(name + "-"):
            c.identity.delete_group(group)


def save_snapshot(take, name, path):
    """take(name) (a snapshot function: this file's or a scenario's own) written to path as JSON."""
    with open(path, "w") as handle:
        json.dump(take(name), handle, indent=1, sort_keys=True)


def same_as_saved(take, name, path, describe=lambda after: ""):
    """0 when take(name) equals the snapshot saved in path, else 1 with both printed."""
    with open(path) as handle:
        before = json.load(handle)
    after = json.loads(json.dumps(take(name)))
    if before != after:
        print("project %s changed:\nbefore %s\nafter  %s" % (name, json.dumps(before, sort_keys=True),
                                                             json.dumps(after, sort_keys=True)))
        return 1
    print("project %s unchanged%s" % (name, describe(after)))
    return 0


def cli(commands, argv, usage):
    """Run the command argv[0] of {name: function(args) -> exit status or None}; usage and 2 for anything else.
    The scenarios' helper scripts (this one, molecule/decommission/workload.py) share it."""
    if not argv or argv[0] not in commands:
        print(usage)
        return 2
    return commands[argv[0]](argv[1:]) or 0


def _project(c, name):
    proj = project(c, name) or c.identity.create_project(name=name, domain_id="default",
                                                         tags=["govcloud-application=%s" % name])
    print(proj.id)


def _purge(c, names):
    for name in names:
        purge(c, name)


def main(argv):
    c = conn()
    return cli({
        "project": lambda a: _project(c, a[0]),
        "neighbour": lambda a: print(neighbour(c, a[0], a[1], a[2]).id),
        "snapshot": lambda a: save_snapshot(lambda name: snapshot(c, name), a[0], a[1]),
        "same": lambda a: same_as_saved(lambda name: snapshot(c, name), a[0], a[1],
                                        lambda after: " (%d networks, %d security groups)" % (
                                            len(after["networks"]), len(after["security_groups"]))),
        "count": lambda a: print(json.dumps(count(c, a[0]), sort_keys=True)),
        "purge": lambda a: _purge(c, a),
    }, argv, __doc__)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
