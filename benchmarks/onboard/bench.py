#!/usr/bin/env python3
# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark (not a test): onboarding the example application, three ways, in one run on the dev cloud.

  A  playbooks/onboard.yml (roles tenant + network_segmentation, evidence on), first run and idempotent re-run,
     with the project's strategy (ansible.cfg: govcloud.lifecycle.mitogen_linear); "A linear": its first run with
     the built-in linear strategy (a module process, and its openstacksdk import, per task)
  B  benchmarks/onboard/plain.yml: a plain task list of the same openstack.cloud modules, first run and re-run
  C  a raw openstacksdk script doing the same creates in one process

Prints the wall times and the ratios A/C (goal <= 3, issue 15), A-rerun/A (goal <= 0.3) and A linear/A.  Each way onboards its
own copy of the example manifest (own id and CIDRs); everything is deleted at the end.
Run from the repository root with the Makefile's environment:  .venv/bin/python benchmarks/onboard/bench.py
--smoke (make test): A first run and C only, so that the benchmark keeps working; numbers printed, never asserted.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import subprocess
import sys
import tempfile
import time

import openstack
import yaml

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, ".work", "collections"))
sys.path.insert(0, os.path.join(REPO, "molecule", "network_segmentation"))

from ansible_collections.govcloud.lifecycle.plugins.module_utils import _network_plan  # noqa: E402
import cloud as testcloud  # noqa: E402  (the scenarios' purge helper)

CLOUD = os.environ.get("OS_CLOUD", "devcloud-admin")
BIN = os.path.dirname(sys.executable)


def manifest(app_id, octet):
    with open(os.path.join(REPO, "inventories", "example", "group_vars", "all", "application.yml")) as handle:
        app = copy.deepcopy(yaml.safe_load(handle)["application"])
    app["id"] = app_id
    for zone in app["zones"]:
        zone["cidr"] = zone["cidr"].replace("10.36.", "10.%d." % octet)
    for server in app["servers"]:
        server["image"] = "devcloud-tiny"
    return app


def run(argv, env):
    started = time.monotonic()
    proc = subprocess.run(argv, cwd=REPO, env=env, capture_output=True, text=True)
    took = time.monotonic() - started
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-4000:] + proc.stderr[-4000:])
        raise SystemExit("benchmark step failed: %s" % " ".join(argv[:2]))
    return took


def sdk_onboard(app, pubkey, password):
    """The same creates as the roles, straight through openstacksdk, one process, one login."""
    c = openstack.connect(cloud=CLOUD)
    proj = c.identity.create_project(name=app["id"], domain_id="default", tags=["govcloud-application=%s" % app["id"]],
                                     description=app["name"]["zh"])
    roles = dict((r.name, r) for r in c.identity.roles())
    users = {}
    for suffix, duty, role in (("sysadmin", "admins", "manager"), ("secadmin", "operators", "member"),
                               ("auditor", "auditors", "reader")):
        group = c.identity.create_group(name="%s-%s" % (app["id"], duty), domain_id="default")
        user = c.identity.create_user(name="%s-%s" % (app["id"], suffix), domain_id="default", password=password,
                                      default_project_id=proj.id)
        users[suffix] = user
        c.identity.add_user_to_group(user, group)
        c.identity.assign_project_role_to_group(proj, group, roles[role])
    q = app["quotas"]
    c.compute.update_quota_set(proj.id, instances=q["instances"], cores=q["cores"], ram=q["ram_mb"])
    c.block_storage.update_quota_set(proj.id, volumes=q["volumes"], gigabytes=q["gigabytes"])
    c.network.update_quota(proj.id, networks=q["networks"], subnets=q["subnets"], routers=q["routers"],
                           security_groups=q["security_groups"], floating_ips=q["floating_ips"])
    admin = openstack.connect(auth_url=c.config.config["auth"]["auth_url"], username="%s-sysadmin" % app["id"],
                              password=password, project_id=proj.id, user_domain_id="default",
                              load_envvars=False, load_yaml_config=False)
    admin.compute.create_keypair(name="%s-admin" % app["id"], public_key=pubkey)
    intent = _network_plan.intent(app["id"], app["zones"], app["services"], app["flows"], app["bastion_cidrs"])
    public = c.network.find_network("public")
    router = c.network.create_router(name="%s-router" % app["id"], project_id=proj.id,
                                     external_gateway_info={"network_id": public.id})
    for sub in intent["subnets"]:
        net = c.network.create_network(name=sub["network"], project_id=proj.id)
        subnet = c.network.create_subnet(name=sub["name"], network_id=net.id, project_id=proj.id, cidr=sub["cidr"],
                                         ip_version=4)
        c.network.add_interface_to_router(router, subnet_id=subnet.id)
    for group in intent["security_groups"]:
        sg = c.network.create_security_group(name=group["name"], project_id=proj.id, description=group["description"])
        for rule in list(sg.security_group_rules or []):
            c.network.delete_security_group_rule(rule["id"])
        c.network.create_security_group_rules([
            dict(security_group_id=sg.id, project_id=proj.id, direction=r["direction"], ethertype=r["ether_type"],
                 protocol=r["protocol"], port_range_min=r["port_range_min"], port_range_max=r["port_range_max"],
                 remote_ip_prefix=r["remote_ip_prefix"], description=r["description"]) for r in group["rules"]])
    default = c.network.find_security_group("default", project_id=proj.id)
    for rule in default.security_group_rules or []:
        c.network.delete_security_group_rule(rule["id"])
    return intent


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="A first run and C only (make test)")
    opts = parser.parse_args()
    ids = ("bench-roles", "bench-plain", "bench-sdk", "bench-linear")
    c = openstack.connect(cloud=CLOUD)
    # the dev cloud provides the external network "public" itself (tools/devcloud); the routers need it
    if c.network.find_network("public") is None:
        raise SystemExit("benchmark: the cloud has no external network 'public'")
    for app_id in ids:
        testcloud.purge(c, app_id)
    work = tempfile.mkdtemp(prefix="bench-onboard-")
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", os.path.join(work, "id")], check=True)
    pubkey = open(os.path.join(work, "id.pub")).read().strip()
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(REPO, "ansible.cfg"), OS_CLOUD=CLOUD,
               GOVCLOUD_EVIDENCE_KEY=os.path.join(work, "signing.pem"),
               GOVCLOUD_WITNESS_DIR=os.path.join(work, "witness"), GOVCLOUD_WITNESS_KEY=os.path.join(work, "witness.pem"),
               GOVCLOUD_HANDOVER_VAULT_PASSWORD="benchmark-handover-secret",
               GOVCLOUD_ADMIN_PUBKEY=os.path.join(work, "id.pub"))
    results = {}
    try:
        # A: the product.
        app = manifest("bench-roles", 136)
        with open(os.path.join(work, "a.yml"), "w") as handle:
            yaml.safe_dump({"application": app, "govcloud_evidence_dir": os.path.join(work, "evidence")}, handle,
                           allow_unicode=True)
        argv = [os.path.join(BIN, "ansible-playbook"), "playbooks/onboard.yml", "-i", "inventories/example",
                "-e", "@" + os.path.join(work, "a.yml"), "-e", "onboard_gate=none"]
        results["A first"] = run(argv, env)
        if not opts.smoke:
            results["A re-run"] = run(argv, env)
            app = manifest("bench-linear", 139)
            with open(os.path.join(work, "a-linear.yml"), "w") as handle:
                yaml.safe_dump({"application": app, "govcloud_evidence_dir": os.path.join(work, "evidence-linear")},
                               handle, allow_unicode=True)
            results["A linear"] = run(argv[:5] + ["@" + os.path.join(work, "a-linear.yml")] + argv[6:],
                                      dict(env, ANSIBLE_STRATEGY="linear"))
        # B: plain task list.
        app = manifest("bench-plain", 137)
        intent = _network_plan.intent(app["id"], app["zones"], app["services"], app["flows"], app["bastion_cidrs"])
        groups = intent["security_groups"] + [{"name": "default", "rules": []}]
        with open(os.path.join(work, "b.yml"), "w") as handle:
            yaml.safe_dump({"bench_app": app, "bench_pubkey": pubkey, "bench_password": "Bench-password-1",
                            "bench_groups": groups}, handle, allow_unicode=True)
        argv = [os.path.join(BIN, "ansible-playbook"), "benchmarks/onboard/plain.yml", "-i", "localhost,", "-c", "local",
                "-e", "ansible_python_interpreter=" + sys.executable, "-e", "@" + os.path.join(work, "b.yml")]
        if not opts.smoke:
            results["B first"] = run(argv, env)
            results["B re-run"] = run(argv, env)
        # C: raw SDK (the process start and imports are counted too).
        started = time.monotonic()
        sdk_onboard(manifest("bench-sdk", 138), pubkey, "Bench-password-1")
        results["C sdk"] = time.monotonic() - started
    finally:
        for app_id in ids:
            testcloud.purge(c, app_id)
    for name, took in results.items():
        print("%-10s %7.1f s" % (name, took))
    if opts.smoke:
        print("A first / C sdk (goal <= 3)       %5.2f" % (results["A first"] / results["C sdk"]))
    if len(results) == 6:
        ratios = {
            "A first / C sdk (goal <= 3)": results["A first"] / results["C sdk"],
            "A re-run / A first (goal <= 0.3)": results["A re-run"] / results["A first"],
            "B first / C sdk": results["B first"] / results["C sdk"],
            "B re-run / B first": results["B re-run"] / results["B first"],
            "A first / B first": results["A first"] / results["B first"],
            "A linear / A first (Mitogen's gain)": results["A linear"] / results["A first"],
        }
        for name, value in ratios.items():
            print("%-36s %5.2f" % (name, value))
        print(json.dumps({"seconds": results, "ratios": ratios}, sort_keys=True))


if __name__ == "__main__":
    main()
