# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""List what of the smoke_cloud scenario still exists on the dev cloud, in any project (JSON on stdout).

Usage: leftovers.py <group_vars/all.yml>. Used by cleanup.yml; an empty list means the scenario left nothing.
"""
from __future__ import annotations

import json
import sys

import openstack
import yaml


def load_vars(path):
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def connect(scenario):
    return openstack.connect(cloud=scenario["smoke_cloud_cloud"])


def leftovers(conn, v):
    found = []
    found += [f"project {p.name}" for p in conn.identity.projects(name=v["smoke_cloud_project"])]
    found += [f"server {s.name} ({s.id})" for s in conn.compute.servers(all_projects=True, name=f"^{v['smoke_cloud_server']}$")]
    found += [f"volume {x.name} ({x.id})" for x in conn.block_storage.volumes(all_projects=True, name=v["smoke_cloud_volume"])]
    found += [f"network {n.name} ({n.id})" for n in conn.network.networks(name=v["smoke_cloud_network"])]
    found += [f"subnet {s.name} ({s.id})" for s in conn.network.subnets(name=v["smoke_cloud_subnet"])]
    found += [f"security group {g.name} ({g.id})" for g in conn.network.security_groups(name=v["smoke_cloud_security_group"])]
    found += [f"keypair {k.name}" for k in conn.compute.keypairs() if k.name == v["smoke_cloud_keypair"]]
    return found


def main():
    scenario = load_vars(sys.argv[1])
    print(json.dumps(leftovers(connect(scenario), scenario)))


if __name__ == "__main__":
    main()
