#!/usr/bin/env python3
# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Assert the tenant the role made, through openstacksdk and the ledger.

  verify_tenant.py EPHEMERAL_DIR               the checks
  verify_tenant.py --customer-changed-password  the admin's password changed and keypair removed out of band,
                                                as a customer who took over the account would (prints nothing)
"""

from __future__ import annotations

import os
import secrets
import sqlite3
import sys

import openstack
import yaml
from ansible.parsing.vault import VaultLib, VaultSecret

APP = "mt-app"
QUOTAS = {"instances": 6, "cores": 8, "ram": 8192, "volumes": 6, "gigabytes": 100, "networks": 4, "subnets": 4,
          "routers": 1, "security_groups": 10, "floating_ips": 1}
DUTIES = {"mt-app-admins": ("manager", "mt-app-sysadmin"), "mt-app-operators": ("member", "mt-app-secadmin"),
          "mt-app-auditors": ("reader", "mt-app-auditor")}
failures = []


def check(ok, what):
    print("%s %s" % ("ok  " if ok else "FAIL", what))
    if not ok:
        failures.append(what)


def main(eph):
    c = openstack.connect(cloud="devcloud-admin")
    proj = c.identity.find_project(APP, domain_id="default")
    check(proj is not None, "project %s exists" % APP)
    if proj is None:
        return 1
    check("govcloud-application=%s" % APP in (proj.tags or []), "project tagged with the application id: %s" % proj.tags)
    check(proj.description.startswith("江西省测试应用"), "project description: %s" % proj.description)

    groups = dict((g.name, g) for g in c.identity.groups(domain_id="default") if g.name.startswith(APP + "-"))
    check(sorted(groups) == sorted(DUTIES), "duty groups %s" % sorted(groups))
    direct = list(c.identity.role_assignments(scope_project_id=proj.id, include_names=True))
    granted = sorted((a.group["name"], a.role["name"]) for a in direct if a.group)
    check(granted == sorted((g, r) for g, (r, u) in DUTIES.items()), "group roles on the project %s" % granted)
    check(not [a for a in direct if a.user], "no role granted to a user directly: %s" % [a.user for a in direct if a.user])
    for gname, (role, user) in DUTIES.items():
        members = [u.name for u in c.identity.group_users(groups[gname])] if gname in groups else []
        check(members == [user], "%s members %s" % (gname, members))

    compute = c.compute.get_quota_set(proj.id)
    network = c.network.get_quota(proj.id)
    volume = c.block_storage.get_quota_set(proj.id)
    have = {"instances": compute.instances, "cores": compute.cores, "ram": compute.ram, "volumes": volume.volumes,
            "gigabytes": volume.gigabytes, "networks": network.networks, "subnets": network.subnets,
            "routers": network.routers, "security_groups": network.security_groups,
            "floating_ips": network.floating_ips}
    check(have == QUOTAS, "quotas %s" % have)

    handover = os.path.join(eph, "handover", "mt-app.vault.yml")
    mode = os.stat(handover).st_mode & 0o777
    check(mode == 0o600, "hand-over file mode %o" % mode)
    raw = open(handover, "rb").read()
    check(raw.startswith(b"$ANSIBLE_VAULT;"), "hand-over file is ansible-vault encrypted")
    vault = VaultLib([("default", VaultSecret(b"molecule-handover-secret"))])
    data = yaml.safe_load(vault.decrypt(raw))
    passwords = dict((name, entry["password"]) for name, entry in data["users"].items())
    check(sorted(passwords) == sorted(u for r, u in DUTIES.values()), "hand-over lists every user")

    admin_id = c.identity.find_user("mt-app-sysadmin", domain_id="default").id
    keypairs = [k.name for k in c.compute.keypairs(user_id=admin_id)]
    check(keypairs == ["mt-app-admin"], "application admin's keypairs %s" % keypairs)

    # The handed-over passwords work, and the duties are separated in effect, not only on paper.
    for user, password in sorted(passwords.items()):
        conn = openstack.connect(auth_url=c.config.config["auth"]["auth_url"], username=user, password=password,
                                 project_name=APP, user_domain_id="default", project_domain_id="default",
                                 load_envvars=False, load_yaml_config=False)
        try:
            conn.authorize()
            check(True, "%s logs in with the handed-over password" % user)
        except openstack.exceptions.SDKException as exc:
            check(False, "%s logs in with the handed-over password: %s" % (user, exc))
            continue
        if user == "mt-app-auditor":
            try:
                net = conn.network.create_network(name="mt-app-auditor-probe")
                conn.network.delete_network(net)
                check(False, "read-only auditor cannot create a network")
            except openstack.exceptions.ForbiddenException:
                check(True, "read-only auditor cannot create a network (403)")
            check(len(list(conn.network.networks())) >= 0, "read-only auditor can list networks")

    ledger = open(os.path.join(eph, "evidence", "ledger.sqlite"), "rb").read()
    for wal in ("-wal",):
        path = os.path.join(eph, "evidence", "ledger.sqlite" + wal)
        if os.path.exists(path):
            ledger += open(path, "rb").read()
    check(not [u for u, p in passwords.items() if p.encode() in ledger], "no password in the ledger file")
    db = sqlite3.connect("file:%s?mode=ro" % os.path.join(eph, "evidence", "ledger.sqlite"), uri=True)
    rows = db.execute("SELECT kind, result, summary FROM records WHERE stage = 'resource_allocation'").fetchall()
    summaries = [r[2] for r in rows if r[0] == "task"]
    for needle in ("project mt-app created", "duty group mt-app-auditors", "user mt-app-auditor created",
                   "user mt-app-auditor joined mt-app-auditors", "role reader granted to group mt-app-auditors",
                   "quotas of mt-app", "keypair mt-app-admin"):
        check(any(needle in s for s in summaries), "ledger has a change record '%s'" % needle)
    checks = [r for r in rows if r[0] == "control_check"]
    check(len(checks) == 1 and checks[0][1] == "pass", "one passing tenant scope record: %s" % checks)
    print("%d failure(s)" % len(failures))
    return 1 if failures else 0


def customer_changed_password():
    c = openstack.connect(cloud="devcloud-admin")
    user = c.identity.find_user(APP + "-sysadmin", domain_id="default")
    c.identity.update_user(user, password=secrets.token_urlsafe(18))
    for keypair in c.compute.keypairs(user_id=user.id):
        c.compute.delete_keypair(keypair.name, user_id=user.id)
    return 0


if __name__ == "__main__":
    sys.exit(customer_changed_password() if sys.argv[1] == "--customer-changed-password" else main(sys.argv[1]))
