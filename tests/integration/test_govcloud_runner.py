# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""govcloud run on the dev cloud: intake → approve → onboard through ansible-runner against the plain playbooks.

The same stages for two copies of the example (own ids and CIDRs): one with ansible-playbook, one with govcloud.
Their ledgers must hold the same records (stage, kind, clauses, result), the runner's carrying the run ident
(details.run_id) of the run that wrote them; artifacts are kept; --check before the real run changes nothing in
the cloud or the ledger.  The plain playbooks run with the built-in linear strategy, the runner with the project's
(Mitogen), so the comparison also shows that the strategy changes no record.  Everything the test creates is
deleted at the end.
"""

from __future__ import annotations

import collections
import json
import pathlib
import subprocess
import sys

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "frontend"))
sys.path.insert(0, str(REPO / ".work" / "collections"))
sys.path.insert(0, str(REPO / "molecule" / "network_segmentation"))
import apps  # noqa: E402  pylint: disable=wrong-import-position
import cloud as testcloud  # noqa: E402  pylint: disable=wrong-import-position

PLAYBOOK_BIN = pathlib.Path(sys.executable).parent / "ansible-playbook"
PLAIN, RUNNER = "h15rp-plain", "h15rp-runner"


def mine(conn, prefix):
    """Everything in the cloud whose name starts with PREFIX (projects, users, groups, networks, groups' rules)."""
    out = testcloud.count(conn, prefix)
    proj = testcloud.project(conn, prefix)
    out["snapshot"] = testcloud.snapshot(conn, prefix) if proj else None
    return out


@pytest.fixture
def bed(cloud, tmp_path, monkeypatch):
    apps.adopt_run_keys(monkeypatch, tmp_path)
    inv = tmp_path / "inventories"
    inv.mkdir()
    apps.make_inventory(inv, PLAIN, 202)
    apps.make_inventory(inv, RUNNER, 203)
    for name in (PLAIN, RUNNER):
        testcloud.purge(cloud, name)
    try:
        yield tmp_path, inv
    finally:
        for name in (PLAIN, RUNNER):
            testcloud.purge(cloud, name)


def test_runner_stages_match_plain_playbooks(cloud, bed):
    tmp_path, inv = bed
    env = apps.env(tmp_path)
    env.pop("GOVCLOUD_RUN_ID", None)
    stages = [("intake", []), ("approve", apps.APPROVE), ("onboard", [])]

    # The plain side also runs the built-in linear strategy (a module process per task), the runner side the
    # project's (ansible.cfg: Mitogen): the records must be the same either way.
    plain_env = dict(env, GOVCLOUD_EVIDENCE_DIR=str(tmp_path / "evidence" / PLAIN), ANSIBLE_STRATEGY="linear")
    for stage, extra in stages:
        proc = subprocess.run([str(PLAYBOOK_BIN), "-i", str(inv / PLAIN), str(REPO / "playbooks" / (stage + ".yml"))]
                              + extra, cwd=str(REPO), env=plain_env, capture_output=True, text=True, timeout=900,
                              check=False)
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]

    common = ["--inventories", str(inv), "--evidence-root", str(tmp_path / "evidence"),
              "--runs-dir", str(tmp_path / "runs"), "--app", RUNNER]
    idents = {}
    ledger_dir = tmp_path / "evidence" / RUNNER
    for stage, extra in stages:
        if stage == "onboard":
            # --check first: predicts, changes nothing in the cloud or the ledger
            before_cloud = mine(cloud, RUNNER)
            before_ledger = apps.ledger_rows(ledger_dir)[0]
            proc = subprocess.run(apps.GOVCLOUD + ["run", stage, "--check", "--diff", "--json"] + common + extra,
                                  cwd=str(REPO), env=env, capture_output=True, text=True, timeout=900, check=False)
            assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
            assert "8.1.2.1.c | Create a network per zone" in proc.stdout
            assert mine(cloud, RUNNER) == before_cloud
            after_ledger = apps.ledger_rows(ledger_dir)[0]
            check_ident = json.loads(proc.stdout.strip().splitlines()[-1])["runs"][0]
            assert check_ident["check"] is True
            # the ledger keeps what it held: a prediction is the run's output, never evidence
            assert [r["hash"] for r in after_ledger] == [r["hash"] for r in before_ledger]
            events = [json.loads(p.read_text()) for p in
                      (tmp_path / "runs" / RUNNER / check_ident["ident"] / "job_events").glob("*.json")]
            assert any(e.get("event") == "runner_on_ok" and e["event_data"].get("res", {}).get("changed")
                       for e in events), "the check run's job events hold no predicted change"
        proc = subprocess.run(apps.GOVCLOUD + ["run", stage, "--json"] + common + extra, cwd=str(REPO), env=env,
                              capture_output=True, text=True, timeout=900, check=False)
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
        meta = json.loads(proc.stdout.strip().splitlines()[-1])["runs"][0]
        idents[stage] = meta["ident"]
        art = pathlib.Path(meta["artifacts"])
        assert art == tmp_path / "runs" / RUNNER / meta["ident"]
        assert (art / "status").read_text() == "successful" and (art / "rc").read_text() == "0"
        assert list((art / "job_events").glob("*.json")) and (art / "stdout").stat().st_size
        assert json.loads((art / "govcloud.json").read_text())["ident"] == meta["ident"]
        # the private data dir (env, maybe secrets from -e) does not stay
        assert not list((tmp_path / "runs" / RUNNER).glob(".private-*"))

    plain, plain_ver = apps.ledger_rows(tmp_path / "evidence" / PLAIN)
    runner, runner_ver = apps.ledger_rows(ledger_dir)
    assert plain_ver["ok"], plain_ver
    assert runner_ver["ok"], runner_ver
    plain_shape, runner_shape = apps.shape(plain), apps.shape(runner)
    assert plain_shape == runner_shape, "plain-only %s, runner-only %s" % (plain_shape - runner_shape,
                                                                           runner_shape - plain_shape)
    assert {r["application"] for r in runner} == {RUNNER}
    # one controller, two applications: each key id pinned in its own file of the one pin directory
    pins = pathlib.Path(env["GOVCLOUD_EVIDENCE_KEY_PIN_DIR"])
    for name, verified in ((PLAIN, plain_ver), (RUNNER, runner_ver)):
        pinned = (pins / (name + ".yml")).read_text(encoding="utf-8")
        assert "govcloud_evidence_key_id: \"%s\"" % verified["key_id"] in pinned, pinned
    # the run ident in every record: intake's records carry intake's run, onboard's onboard's
    by_run = collections.Counter(r["details"].get("run_id") for r in runner)
    assert set(by_run) == set(idents.values()), by_run
    assert all(r["details"].get("run_id") is None for r in plain)
    stage_results = [r for r in runner if r["kind"] == "stage_result" and r["stage"] == "network"]
    assert stage_results and stage_results[-1]["details"]["run_id"] == idents["onboard"]
    # the cloud holds the runner's application as the plain one's (same shape)
    for name in (PLAIN, RUNNER):
        snap = testcloud.snapshot(cloud, name)
        assert snap is not None and len(snap["networks"]) == 4 and len(snap["security_groups"]) >= 4
    status = subprocess.run(apps.GOVCLOUD + ["status", "--json"] + common, cwd=str(REPO), env=env,
                            capture_output=True, text=True, timeout=300, check=False)
    row = json.loads(status.stdout)[0]
    assert row["phase"] == "allocated" and row["verification"]["ok"]
    assert row["last_run"]["ident"] == idents["onboard"]
