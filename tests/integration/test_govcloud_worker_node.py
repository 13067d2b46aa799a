# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""govcloud run --worker against a real second host: ansible-runner's streaming mode (transmit → worker →
process) as AWX's execution nodes run jobs.

The worker node is an nspawn test host (tools/testhosts/worker-node): Debian 12 with the pinned interpreter and
a venv of the execution environment's pins only (ansible-core, ansible-runner, execution-environment/requirements.txt
and the collections of its requirements.yml), the checkout read-only as the project, and this test's directory
(ledgers, signing key, witness, hand-over files) read-write as the nodes' shared volume; with a route to the dev
cloud's API (worker-node --cloud) and the hand-over vault password as the node's own credential (--credential), as
an AWX execution node has both.  The controller transmits each job over SSH and processes the node's events back
into its own artifacts.  intake → approve → onboard for one application here and one on the node: the same records
(stage, kind, clauses, result), each with its run ident, the node's written by the node (actor root@<node>, the
the node's hostname in the job events), the same tenant and network made in the cloud by the node, both
ledgers verify on the controller afterwards; a stage that fails on the node fails alone with its message; the kept
artifacts hold no secret from the environment.  Everything the test creates in the cloud is deleted at the end.
"""

from __future__ import annotations

import concurrent.futures
import json
import pathlib
import shlex
import socket
import subprocess
import sys

import pytest
import yaml
from ansible.constants import DEFAULT_VAULT_ID_MATCH
from ansible.parsing.vault import VaultLib, VaultSecret

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "frontend"))
sys.path.insert(0, str(REPO / ".work" / "collections"))
sys.path.insert(0, str(REPO / "molecule" / "network_segmentation"))
import apps  # noqa: E402  pylint: disable=wrong-import-position
import cloud as testcloud  # noqa: E402  pylint: disable=wrong-import-position

WORKER_NODE = REPO / "tools" / "testhosts" / "worker-node"
NODE = "h15-worker-node"
LOCAL, STREAMED, BROKEN, BROKEN_LOCAL = "h15wn-local", "h15wn-node", "h15wn-broken", "h15wn-broken-local"
SECRET = "worker-node-handover-secret"


@pytest.fixture
def node(cloud, tmp_path):
    share = tmp_path / "shared"
    share.mkdir()
    # the key id pins on the shared storage, as the ledgers: the session's pin directory is this machine's only,
    # and the worker would make its own there
    (share / "pins").mkdir()
    env = apps.env(share, GOVCLOUD_HANDOVER_VAULT_PASSWORD=SECRET, GOVCLOUD_EVIDENCE_KEY_PIN_DIR=str(share / "pins"))
    subprocess.run([sys.executable, str(WORKER_NODE), "down", NODE], capture_output=True, check=False)
    for app in (LOCAL, STREAMED):
        testcloud.purge(cloud, app)
    proc = subprocess.run([sys.executable, str(WORKER_NODE), "up", NODE, "--share", str(share), "--cloud",
                           "--credential", "GOVCLOUD_HANDOVER_VAULT_PASSWORD"], env=env, capture_output=True,
                          text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    inst = json.loads(proc.stdout.strip().splitlines()[-1])
    try:
        yield inst, share, env
    finally:
        subprocess.run([sys.executable, str(WORKER_NODE), "down", NODE], capture_output=True, timeout=120, check=False)
        for app in (LOCAL, STREAMED):
            testcloud.purge(cloud, app)


def govcloud(args, env):
    proc = subprocess.run(apps.GOVCLOUD + args + ["--json"], cwd=str(REPO), env=env, capture_output=True, text=True,
                          timeout=600, check=False)
    meta = json.loads(proc.stdout.strip().splitlines()[-1])["runs"][0] if proc.stdout.strip() else None
    return proc, meta


def side_by_side(run, pairs=((LOCAL, False), (STREAMED, True))):
    """[((app, streamed), run(app, streamed)) ...], the runs at the same time."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=len(pairs)) as pool:
        futures = [(pair, pool.submit(run, *pair)) for pair in pairs]
        return [(pair, future.result()) for pair, future in futures]


def events_of(art):
    return [json.loads(p.read_text()) for p in (art / "job_events").glob("*.json")]


def test_stages_streamed_to_a_worker_node(cloud, node, monkeypatch):
    inst, share, env = node
    for name in ("GOVCLOUD_EVIDENCE_KEY", "GOVCLOUD_WITNESS_DIR", "GOVCLOUD_WITNESS_KEY"):
        monkeypatch.setenv(name, env[name])
    assert inst["runner_version"] == "2.4.3"
    assert inst["credentials"] == ["GOVCLOUD_HANDOVER_VAULT_PASSWORD"] and 5000 in inst["cloud_ports"]
    assert SECRET not in json.dumps(inst)
    # the node runs the execution environment's venv, not this machine's tool venv
    assert inst["venv"] != str(pathlib.Path(sys.executable).resolve().parent.parent)
    inv = share / "inventories"
    inv.mkdir()
    apps.make_inventory(inv, LOCAL, 241)
    apps.make_inventory(inv, STREAMED, 242)
    for app, octet in ((BROKEN, 243), (BROKEN_LOCAL, 244)):
        apps.make_inventory(inv, app, octet, mutate=lambda a: a.update(mlps_level=9))
    worker = shlex.join(inst["worker"])
    common = ["--inventories", str(inv), "--evidence-root", str(share / "evidence"), "--runs-dir", str(share / "runs")]
    idents = []
    for stage, extra in (("intake", []), ("approve", apps.APPROVE), ("onboard", [])):
        # the local and the streamed run of a stage side by side (two applications, two ledgers): onboard waits on
        # the cloud most of its time
        runs = side_by_side(lambda app, streamed, stage=stage, extra=extra: govcloud(
            ["run", stage, "--app", app] + common + (["--worker", worker] if streamed else []) + extra, env))
        for (app, streamed), (proc, meta) in runs:
            assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
            assert meta["status"] == "successful" and meta["rc"] == 0
            art = pathlib.Path(meta["artifacts"])
            assert art.parent == share / "runs" / app
            command = json.loads((art / "command").read_text())
            assert SECRET not in (art / "command").read_text()
            events = events_of(art)
            if streamed:
                idents.append(meta["ident"])
                assert meta["worker"] == worker
                # processed back from the node: its events, output and status in the controller's artifacts
                assert (art / "status").read_text() == "successful" and (art / "rc").read_text() == "0"
                assert any(e.get("event") == "playbook_on_stats" for e in events)
                assert "Record the" in proc.stdout and "changed=" in proc.stdout
                # the playbook ran on the node: the evidence tasks' results (processed back) name the node's host
                # (approve's only record names the approver)
                hosts = {e["event_data"]["res"]["record"]["actor"] for e in events
                         if e.get("event") == "runner_on_ok"
                         and isinstance(e["event_data"].get("res", {}).get("record"), dict)
                         and "@" in str(e["event_data"]["res"]["record"].get("actor"))}
                assert hosts == ({"root@" + NODE} if stage != "approve" else set()), (stage, hosts)
                # ansible-playbook ran on the node, in its venv (the job took no PATH of ours along)
                assert command["env"]["PATH"].startswith(inst["venv"] + "/bin:")
                assert command["env"]["GOVCLOUD_RUN_ID"] == meta["ident"]
    local, local_ver = apps.ledger_rows(share / "evidence" / LOCAL)
    streamed, streamed_ver = apps.ledger_rows(share / "evidence" / STREAMED)
    assert local_ver["ok"], local_ver
    assert streamed_ver["ok"], streamed_ver
    assert streamed_ver["witness"]["ok"] and streamed_ver["key_id"] == local_ver["key_id"]
    assert apps.shape(local) == apps.shape(streamed) and len(streamed) >= 2
    # each record names the run that wrote it: intake's, approve's, onboard's
    assert [r["details"].get("run_id") for r in streamed if r["kind"] in ("application", "approval")] == idents[:2]
    assert {r["details"].get("run_id") for r in streamed} == set(idents)
    assert [r["details"]["run_id"] for r in streamed if r["kind"] == "stage_result" and r["stage"] == "network"] \
        == [idents[2]]
    # the node made the application's tenant and network in the cloud as the local run made the other's
    assert testcloud.count(cloud, STREAMED) == testcloud.count(cloud, LOCAL)
    assert testcloud.count(cloud, STREAMED)["projects"] == 1

    def names(app):
        snap = testcloud.snapshot(cloud, app)
        return sorted(n["name"].replace(app, "<app>") for n in snap["networks"] + snap["security_groups"])
    assert names(STREAMED) == names(LOCAL) and len(names(STREAMED)) >= 8
    # the initial passwords handed over in a file encrypted with the node's own credential (never in the job)
    handover = {}
    for app in (LOCAL, STREAMED):
        text = (share / "handover" / app / "credentials.vault.yml").read_text()
        assert text.startswith("$ANSIBLE_VAULT;") and SECRET not in text
        plain = VaultLib([(DEFAULT_VAULT_ID_MATCH, VaultSecret(SECRET.encode()))]).decrypt(text)
        handover[app] = sorted(str(k).replace(app, "<app>") for k in yaml.safe_load(plain))
    assert handover[STREAMED] == handover[LOCAL] and handover[LOCAL]
    # written on the node, into the controller's ledger
    # (the approval's actor is the approver named in -e; every other record names the account and host that ran it)
    assert [r["actor"].replace("@" + NODE, "@") for r in streamed] == \
        [r["actor"].replace("@" + socket.gethostname(), "@") for r in local]
    assert {r["actor"] for r in streamed if "@" in r["actor"]} == {"root@" + NODE}
    assert {r["application"] for r in streamed} == {STREAMED}

    # a stage that fails on the node: its rc, its failed task and message come back, and its ledger holds what a
    # local run of the same failure writes
    failed = {}
    runs = side_by_side(lambda app, streamed: govcloud(
        ["run", "intake", "--app", app] + common + (["--worker", worker] if streamed else []), env),
        ((BROKEN_LOCAL, False), (BROKEN, True)))
    for (app, streamed), (proc, meta) in runs:
        assert proc.returncode not in (0, 255) and meta["status"] == "failed" and meta["rc"] == proc.returncode, \
            proc.stdout[-3000:]
        assert any("mlps_level" in (f.get("msg") or "") and f.get("task") for f in meta["failures"]), meta["failures"]
        assert "FAILED %s: Manifest |" % app in proc.stdout
        failed[streamed] = (meta["rc"], meta["failures"][0]["task"]) + apps.ledger_rows(share / "evidence" / app)
    assert failed[True][:2] == failed[False][:2]
    assert apps.shape(failed[True][2]) == apps.shape(failed[False][2]) and failed[True][3]["ok"], failed[True][3]
    status = subprocess.run(apps.GOVCLOUD + ["status", "--json", "--app", STREAMED] + common, cwd=str(REPO), env=env,
                            capture_output=True, text=True, timeout=300, check=False)
    row = json.loads(status.stdout)[0]
    assert row["phase"] == "allocated" and row["verification"]["ok"] and row["last_run"]["ident"] == idents[-1]
