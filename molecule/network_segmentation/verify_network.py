#!/usr/bin/env python3
# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Assert the networks the role made, rule by rule, through openstacksdk and the ledger.

The expected matrix is written out by hand from converge.yml (not computed by the code under test).
Usage: verify_network.py EPHEMERAL_DIR
"""

from __future__ import annotations

import os
import sqlite3
import sys

import openstack

B = "10.250.8.0/28"
MGMT = ("ingress", "tcp", 22, B)
EXPECTED = {
    "mn-app": {
        "subnets": {"mn-app-internet": "10.37.20.0/24", "mn-app-gov-extranet": "10.37.10.0/24",
                    "mn-app-data": "10.37.40.0/24", "mn-app-management": "10.37.30.0/24"},
        "gateway": True,
        "groups": {
            "mn-app-internet": {("ingress", "tcp", 443, "0.0.0.0/0"), MGMT, ("egress", "tcp", 8443, "10.37.10.0/24"),
                                ("egress", "tcp", 6514, "10.37.30.0/24")},
            "mn-app-gov-extranet": {("ingress", "tcp", 443, "10.180.0.0/16"), ("ingress", "tcp", 443, "10.181.0.0/16"),
                                    ("ingress", "tcp", 8443, "10.37.20.0/24"), MGMT,
                                    ("egress", "tcp", 5432, "10.37.40.0/24"), ("egress", "tcp", 6514, "10.37.30.0/24")},
            "mn-app-data": {("ingress", "tcp", 5432, "10.37.10.0/24"), MGMT, ("egress", "tcp", 6514, "10.37.30.0/24")},
            "mn-app-management": {("ingress", "tcp", 6514, "10.37.20.0/24"), ("ingress", "tcp", 6514, "10.37.10.0/24"),
                                  ("ingress", "tcp", 6514, "10.37.40.0/24"), MGMT},
            "default": set(),
        },
    },
    "mn-intra": {
        "subnets": {"mn-intra-gov-extranet": "10.38.10.0/24", "mn-intra-data": "10.38.40.0/24"},
        "gateway": False,
        "groups": {
            "mn-intra-gov-extranet": {("ingress", "tcp", 443, "10.180.0.0/16"), MGMT,
                                      ("egress", "tcp", 5432, "10.38.40.0/24"), ("egress", "icmp", None, "10.38.40.0/24")},
            "mn-intra-data": {("ingress", "tcp", 5432, "10.38.10.0/24"), ("ingress", "icmp", None, "10.38.10.0/24"), MGMT},
            "default": set(),
        },
    },
}
failures = []


def check(ok, what):
    print("%s %s" % ("ok  " if ok else "FAIL", what))
    if not ok:
        failures.append(what)


def rule(r):
    if r.port_range_min != r.port_range_max:
        return ("range", r.direction, r.protocol, r.port_range_min, r.port_range_max, r.remote_ip_prefix)
    return (r.direction, r.protocol, r.port_range_min, r.remote_ip_prefix or "group:%s" % r.remote_group_id)


def main(eph):
    c = openstack.connect(cloud="devcloud-admin")
    public = c.network.find_network("public")
    for app, want in sorted(EXPECTED.items()):
        proj = c.identity.find_project(app, domain_id="default")
        pid = proj.id
        nets = dict((n.name, n) for n in c.network.networks(project_id=pid))
        check(sorted(nets) == sorted(want["subnets"]), "%s networks %s" % (app, sorted(nets)))
        subs = dict((s.name, s) for s in c.network.subnets(project_id=pid))
        check(dict((k, s.cidr) for k, s in subs.items()) == want["subnets"], "%s subnets and CIDRs" % app)
        check(all(subs[k].network_id == nets[k].id for k in subs if k in nets), "%s subnet in its zone's network" % app)
        routers = list(c.network.routers(project_id=pid))
        check(len(routers) == 1 and routers[0].name == "%s-router" % app, "%s one router" % app)
        gateway = (routers[0].external_gateway_info or {}).get("network_id") if routers else None
        if want["gateway"]:
            check(gateway == public.id, "%s router gateway on the external network" % app)
        else:
            check(gateway is None, "%s router has no external gateway (nothing exposed)" % app)
        ports = list(c.network.ports(device_id=routers[0].id, device_owner="network:router_interface")) if routers else []
        joined = sorted(ip["subnet_id"] for p in ports for ip in p.fixed_ips)
        check(joined == sorted(s.id for s in subs.values()), "%s router joins every zone subnet" % app)
        groups = dict((g.name, g) for g in c.network.security_groups(project_id=pid))
        check(sorted(groups) == sorted(want["groups"]), "%s security groups %s" % (app, sorted(groups)))
        for name, rules in sorted(want["groups"].items()):
            have = [rule(r) for r in c.network.security_group_rules(security_group_id=groups[name].id)] if name in groups else []
            check(len(have) == len(set(have)) and set(have) == rules,
                  "%s: every rule as intended (missing %s, unexpected %s)" % (
                      name, sorted(rules - set(have), key=str), sorted(set(have) - rules, key=str)))

    db = sqlite3.connect("file:%s?mode=ro" % os.path.join(eph, "evidence", "ledger.sqlite"), uri=True)
    rows = db.execute("SELECT application, kind, result, summary FROM records WHERE stage = 'network'").fetchall()
    for app, want in sorted(EXPECTED.items()):
        tasks = [r[3] for r in rows if r[0] == app and r[1] == "task"]
        for name in want["subnets"]:
            check(any(t.startswith("network %s created" % name) for t in tasks), "ledger: network %s created" % name)
            check(any(t.startswith("subnet %s created with %s" % (name, want["subnets"][name])) for t in tasks),
                  "ledger: subnet %s" % name)
        for name in want["groups"]:
            check(any(t.startswith("security group %s " % name) for t in tasks), "ledger: security group %s" % name)
        check(any(t.startswith("router %s-router created" % app) for t in tasks), "ledger: router of %s" % app)
        readbacks = [r for r in rows if r[0] == app and r[1] == "control_check"]
        check(len(readbacks) == 1 and readbacks[0][2] == "pass", "ledger: one passing readback of %s: %s" % (app, readbacks))
    print("%d failure(s)" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
