#!/usr/bin/env python3
# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Test hosts standing in for the example application's servers in `make demo`.

The dev cloud's compute driver is fake: its servers go ACTIVE but boot nothing. For the stages that work inside
the guests (trial log baseline, hardening, security assessment) the demo starts one nspawn test host per server
of the manifest (tools/testhosts; reused when already running) and writes

  <out>/standins.yml   an inventory: group demo_standins, one host per server (host var govcloud_server), with
                       the connection (host key checked against the test hosts' pinned known_hosts) and the
                       variables a container needs (tools/demo/standins-vars.yml)
  <out>/host_map.json  {server name: test host name}, the playbooks' trial_host_map (docs/trial.md)
  <out>/new_hosts      the hosts started by this run (comma-separated), which still need their ops account

Usage: standins.py MANIFEST_YAML OUT_DIR          (run from the repository root, as root, like testhosts)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
TESTHOSTS = os.path.join(HERE, "..", "testhosts", "testhosts")


def listed_hosts():
    out = subprocess.run([TESTHOSTS, "list", "--json"], check=True, capture_output=True, text=True).stdout
    return {h["name"]: h for h in json.loads(out or "[]")}


def main(argv):
    if len(argv) != 3:
        sys.exit(__doc__)
    manifest_file, out = argv[1], argv[2]
    with open(manifest_file, encoding="utf-8") as fh:
        servers = [s["name"] for s in yaml.safe_load(fh)["application"]["servers"]]
    os.makedirs(out, exist_ok=True)
    listed = listed_hosts()
    hosts, host_map, new = {}, {}, []
    for server in servers:
        name = "demo-" + server
        record = listed.get(name)
        # left over from an interrupted demo, or started before each host had its own pinned key
        if record and (record["state"] != "running" or not record.get("host_key")):
            subprocess.run([TESTHOSTS, "down", name], check=True, capture_output=True)
            record = None
        if record is None:
            up = subprocess.run([TESTHOSTS, "up", "--kind", "nspawn", name], capture_output=True, text=True)
            if up.returncode != 0:
                sys.exit("standins: testhosts up %s failed: %s" % (name, up.stderr.strip()))
            record = json.loads(up.stdout)
            new.append(name)
        host_map[server] = name
        # the host key tools/testhosts made for this host and pinned in its known_hosts: checked on every connection
        hosts[name] = {"ansible_host": record["address"], "ansible_port": record["port"],
                       "ansible_ssh_private_key_file": record["identity_file"], "govcloud_server": server,
                       "ansible_ssh_common_args": "-o StrictHostKeyChecking=yes -o UserKnownHostsFile=%s"
                                                  % record["known_hosts"]}
    with open(os.path.join(HERE, "standins-vars.yml"), encoding="utf-8") as fh:
        group_vars = yaml.safe_load(fh)
    with open(os.path.join(out, "standins.yml"), "w", encoding="utf-8") as fh:
        fh.write("# written by tools/demo/standins.py: test hosts standing in for the servers (make demo)\n")
        yaml.safe_dump({"demo_standins": {"hosts": hosts, "vars": group_vars}}, fh, allow_unicode=True,
                       sort_keys=True)
    with open(os.path.join(out, "host_map.json"), "w", encoding="utf-8") as fh:
        json.dump(host_map, fh, sort_keys=True)
    # hosts started now still take root SSH only: tools/testhosts/ops-account.yml runs on these
    with open(os.path.join(out, "new_hosts"), "w", encoding="utf-8") as fh:
        fh.write(",".join(new))
    print("standins: %s" % ", ".join("%s=%s" % kv for kv in sorted(host_map.items())))


if __name__ == "__main__":
    main(sys.argv)
