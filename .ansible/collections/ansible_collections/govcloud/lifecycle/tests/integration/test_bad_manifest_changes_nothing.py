# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Bad input changes nothing in the cloud: playbooks/onboard.yml against the real dev cloud.

One invalid manifest per kind of mistake (the mutations the property tests use, 37 kinds, the security rules of
docs/manifest.md among them: SSH/RDP/WinRM/VNC from anywhere or from outside the bastion networks, sources too
broad, zone subnets out of bounds, the trial opening management to testers), and the example manifest under
each cloud policy that tries to loosen a rule or tightens one until the example breaks it, goes through the
operator's real allocation playbook; each run must fail naming the field, never with a traceback, and the cloud
must hold exactly what it held before (every project, user, group, network, subnet, router, port, security
group and rule, server, volume and keypair, across all projects).  Needs the dev cloud (tools/ci/molecule.sh
starts it before it runs this directory, first in its lane, with no scenario that changes the cloud beside it).
"""

from __future__ import annotations

import json
import os
import pathlib
import random
import subprocess
import sys

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "unit" / "plugins" / "module_utils"))
import manifest_cases as C  # noqa: E402  pylint: disable=wrong-import-position

PLAYBOOK_BIN = pathlib.Path(sys.executable).parent / "ansible-playbook"


def snapshot(conn):
    """Ids of everything a run could create, across all projects."""
    net = conn.network
    listing = {
        "projects": conn.identity.projects(), "users": conn.identity.users(), "groups": conn.identity.groups(),
        "role_assignments": conn.identity.role_assignments(),
        "networks": net.networks(), "subnets": net.subnets(), "routers": net.routers(), "ports": net.ports(),
        "security_groups": net.security_groups(), "security_group_rules": net.security_group_rules(),
        "servers": conn.compute.servers(all_projects=True),
        "volumes": conn.block_storage.volumes(all_projects=True), "keypairs": conn.compute.keypairs(),
    }
    out = {}
    for kind, items in listing.items():
        if kind == "role_assignments":
            out[kind] = sorted(json.dumps(a.to_dict(computed=False), sort_keys=True, default=str) for a in items)
        else:
            out[kind] = sorted(getattr(i, "id", None) or i.name for i in items)
    return out


def cases():
    """(name, extra vars, field path the refusal must name): each mutation, then each policy case."""
    found = []
    for index, mutation in enumerate(C.MUTATIONS):
        manifest, path = C.mutated(mutation, random.Random(7000 + index))
        if isinstance(manifest, dict) and isinstance(manifest.get("id"), str) and not path.endswith(".id"):
            # a name no tenant has, so that a run that got past the checks would have to create things
            manifest["id"] = "badin-%02d" % index
        found.append((mutation.__name__, {"application": manifest}, path))
    for kind, table in (("loosening", C.LOOSENING_POLICIES), ("tightening", C.TIGHTENING_POLICIES)):
        for index, (policy, path) in enumerate(table):
            manifest = dict(C.example(), id="badpol-%s-%02d" % (kind[0], index))
            found.append(("%s policy %s" % (kind, json.dumps(policy)[:80]),
                          {"application": manifest, "govcloud_manifest_policy": policy}, path))
    return found


def test_every_kind_of_bad_manifest_is_refused_before_any_cloud_call(cloud, tmp_path):
    before = snapshot(cloud)
    env = dict(os.environ, ANSIBLE_CONFIG=str(REPO / "ansible.cfg"), ANSIBLE_NOCOLOR="1",
               GOVCLOUD_EVIDENCE_DIR=str(tmp_path / "evidence"), GOVCLOUD_EVIDENCE_KEY=str(tmp_path / "key.pem"),
               GOVCLOUD_HANDOVER_VAULT_PASSWORD="integration-handover-secret", OS_CLOUD=cloud.config.name)
    failures = []
    for index, (name, extra_vars, path) in enumerate(cases()):
        extra = tmp_path / ("bad-%02d.json" % index)
        extra.write_text(json.dumps(extra_vars, ensure_ascii=False), encoding="utf-8")
        run = subprocess.run([str(PLAYBOOK_BIN), "-i", str(REPO / "inventories" / "example"),
                              str(REPO / "playbooks" / "onboard.yml"), "-e", "@%s" % extra],
                             cwd=str(REPO), env=env, capture_output=True, text=True, timeout=300, check=False)
        output = run.stdout + run.stderr
        if run.returncode == 0:
            failures.append("%s: accepted" % name)
        elif path + ":" not in output:
            failures.append("%s: the message does not name %s:\n%s" % (name, path, output[-2000:]))
        elif "Traceback (most recent call last)" in output:
            failures.append("%s: traceback:\n%s" % (name, output[-2000:]))
    assert not failures, "\n".join(failures)
    after = snapshot(cloud)
    changed = {kind: (sorted(set(after[kind]) - set(before[kind])), sorted(set(before[kind]) - set(after[kind])))
               for kind in before if before[kind] != after[kind]}
    assert not changed, "the cloud changed (added, removed): %s" % changed
    assert sum(len(v) for v in before.values()) > 0
