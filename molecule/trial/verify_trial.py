#!/usr/bin/env python3
# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Test-side checks of the trial scenario against the dev cloud (openstacksdk, admin; independent of the role).

  verify_trial.py cloud APPS.json           servers ACTIVE with the trial metadata, volumes attached, exposure
                                           group = declared services from the test networks and no service
                                           port open in a zone group, FIP only where a service faces the internet
  verify_trial.py status APP STATUS         every server of APP has STATUS
  verify_trial.py expiry LEDGER APP N SUSPENDED
                                           N expiry records of APP in the ledger (the last one with suspended)
"""

from __future__ import annotations

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "network_segmentation"))
sys.path.insert(0, os.path.join(HERE, "..", "..", ".work", "collections"))

import cloud  # noqa: E402  (molecule/network_segmentation/cloud.py)


def servers_of(c, app):
    proj = cloud.project(c, app)
    return proj, list(c.compute.servers(all_projects=True, project_id=proj.id))


def check_cloud(c, apps):
    problems = []
    for app, spec in sorted(apps.items()):
        proj, servers = servers_of(c, app)
        by_name = dict((s.name, s) for s in servers)
        if sorted(by_name) != sorted(s["name"] for s in spec["servers"]):
            problems.append("%s: servers %s, declared %s" % (app, sorted(by_name), [s["name"] for s in spec["servers"]]))
            continue
        exposed = set()
        for service in spec["services"]:
            names = service.get("servers") or [s["name"] for s in spec["servers"] if s["zone"] == service["zone"]]
            if service["zone"] == "internet":
                exposed.update(names)
        fips = dict((ip.fixed_ip_address, ip) for ip in c.network.ips(project_id=proj.id))
        for decl in spec["servers"]:
            server = by_name[decl["name"]]
            want = {"govcloud_app": app, "govcloud_phase": "trial", "govcloud_trial_start": spec["trial"]["start"],
                    "govcloud_trial_end": spec["trial"]["end"], "govcloud_zone": decl["zone"]}
            if server.status != "ACTIVE":
                problems.append("%s: status %s" % (decl["name"], server.status))
            if {k: server.metadata.get(k) for k in want} != want:
                problems.append("%s: metadata %s, want %s" % (decl["name"], server.metadata, want))
            ports = list(c.network.ports(device_id=server.id))
            fixed = [ip["ip_address"] for p in ports for ip in p.fixed_ips]
            has_fip = any(f in fips for f in fixed)
            if has_fip != (decl["name"] in exposed):
                problems.append("%s: floating IP %s, internet-facing %s" % (decl["name"], has_fip, decl["name"] in exposed))
            groups = sorted(c.network.get_security_group(g).name for p in ports for g in p.security_group_ids)
            behind = any(decl["name"] in (s.get("servers") or [x["name"] for x in spec["servers"] if x["zone"] == s["zone"]])
                         for s in spec["services"])
            want_groups = sorted(["%s-%s" % (app, decl["zone"])] + (["%s-trial-exposure" % app] if behind else []))
            if groups != want_groups:
                problems.append("%s: security groups %s, want %s" % (decl["name"], groups, want_groups))
            for vol in decl.get("volumes") or []:
                found = [v for v in c.block_storage.volumes(all_projects=True, project_id=proj.id)
                         if v.name == "%s-%s" % (decl["name"], vol["name"])]
                if len(found) != 1:
                    problems.append("%s-%s: %d volumes" % (decl["name"], vol["name"], len(found)))
                    continue
                v = found[0]
                if v.status != "in-use" or [a["server_id"] for a in v.attachments] != [server.id]:
                    problems.append("%s: status %s attachments %s" % (v.name, v.status, v.attachments))
                if {k: v.metadata.get(k) for k in want} != want:
                    problems.append("%s: metadata %s" % (v.name, v.metadata))
        # in the trial run the zone groups keep the services closed: the exposure group is their only opening
        service_ports = set((s["protocol"], s.get("port")) for s in spec["services"])
        for zone_group in c.network.security_groups(project_id=proj.id):
            if zone_group.name in ["%s-%s" % (app, z["name"]) for z in spec["zones"]]:
                opened = sorted((r["protocol"], r["port_range_min"], r["remote_ip_prefix"])
                                for r in zone_group.security_group_rules if r["direction"] == "ingress"
                                and (r["protocol"], r["port_range_min"]) in service_ports)
                if opened:
                    problems.append("%s: service ports open in the zone group during the trial: %s" % (zone_group.name, opened))
        groups = [g for g in c.network.security_groups(project_id=proj.id) if g.name == "%s-trial-exposure" % app]
        if len(groups) != 1:
            problems.append("%s: %d exposure groups" % (app, len(groups)))
            continue
        rules = sorted((r["direction"], r["protocol"], r["port_range_min"], r["remote_ip_prefix"])
                       for r in groups[0].security_group_rules)
        sources = spec["trial"].get("test_cidrs")
        want_rules = sorted(set(("ingress", s["protocol"], s.get("port"), src)
                                for s in spec["services"] for src in (sources or s["sources"])))
        if rules != want_rules:
            problems.append("%s: exposure rules %s, want %s" % (app, rules, want_rules))
        print("%s: %d servers, exposure rules %s" % (app, len(servers), rules))
    return problems


def check_status(c, app, status):
    _, servers = servers_of(c, app)
    bad = ["%s=%s" % (s.name, s.status) for s in servers if s.status != status]
    return (["%s: not %s: %s" % (app, status, ", ".join(bad))] if bad or not servers else [])


def check_expiry(ledger_dir, app, count, suspended):
    from ansible_collections.govcloud.lifecycle.plugins.plugin_utils.evidence import Ledger
    with Ledger(ledger_dir, create=False) as ledger:
        if not ledger.verify()["ok"]:
            return ["ledger does not verify"]
        found = [r for r in ledger.records(application=app, stage="trial", kind="control_check")
                 if r["details"].get("event") == "trial_expired"]
    problems = []
    if len(found) != count:
        problems.append("%s: %d expiry records, want %d" % (app, len(found), count))
    elif count and found[-1]["details"]["suspended"] is not suspended:
        problems.append("%s: last expiry record suspended=%s" % (app, found[-1]["details"]["suspended"]))
    return problems


def main(argv):
    c = cloud.conn()
    if argv[0] == "cloud":
        with open(argv[1]) as handle:
            problems = check_cloud(c, json.load(handle))
    elif argv[0] == "status":
        problems = check_status(c, argv[1], argv[2])
    elif argv[0] == "expiry":
        problems = check_expiry(argv[1], argv[2], int(argv[3]), argv[4] == "true")
    else:
        print(__doc__)
        return 2
    print("\n".join(problems) or "ok")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
