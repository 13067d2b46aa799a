# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""govcloud run --worker: ansible-runner's streaming mode (transmit → worker → process), as AWX's execution nodes
run jobs.  The worker is the pinned `ansible-runner worker` in a process of its own, fed the transmitted job on its
standard input; its output is processed back into the run's artifacts.  The evidence must land in the
controller's ledger exactly as in a local run (same records, the run ident in each), and the ledger verifies.
(The worker here runs on this machine; tests/integration/test_govcloud_worker_node.py runs it on a second host.)
"""

from __future__ import annotations

import collections
import json
import pathlib
import shlex
import subprocess
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import apps  # noqa: E402  pylint: disable=wrong-import-position

REPO = apps.REPO
sys.path.insert(0, str(REPO / ".work" / "collections"))
from ansible_collections.govcloud.lifecycle.plugins.plugin_utils import evidence as ev  # noqa: E402

BIN = pathlib.Path(sys.executable).parent
# a job takes no PATH along (a node's own PATH names its ansible-playbook): the worker's environment names it
WORKER = shlex.join(["env", "PATH=%s:/usr/bin:/bin" % BIN, str(BIN / "ansible-runner"), "worker", "--delete"])


def shape(records):
    return collections.Counter((r["stage"], r["kind"], tuple(sorted(r["clauses"])), r["result"]) for r in records)


def test_streamed_stages_write_the_same_evidence(tmp_path, monkeypatch):
    env = apps.env(tmp_path)
    for name in ("GOVCLOUD_EVIDENCE_KEY", "GOVCLOUD_WITNESS_DIR", "GOVCLOUD_WITNESS_KEY"):
        monkeypatch.setenv(name, env[name])
    inv = tmp_path / "inventories"
    inv.mkdir()
    apps.make_inventory(inv, "h15st-local", 234)
    apps.make_inventory(inv, "h15st-streamed", 235)
    common = ["--inventories", str(inv), "--evidence-root", str(tmp_path / "evidence"),
              "--runs-dir", str(tmp_path / "runs")]
    idents = []
    for stage, extra in (("intake", []), ("approve", apps.APPROVE)):
        for app, worker in (("h15st-local", []), ("h15st-streamed", ["--worker", WORKER])):
            proc = subprocess.run(apps.GOVCLOUD + ["run", stage, "--app", app, "--json"] + common + worker + extra,
                                  cwd=str(REPO),
                                  env=env,
                                  capture_output=True, text=True, timeout=600, check=False)
            assert proc.returncode == 0, proc.stdout + proc.stderr
            meta = json.loads(proc.stdout.strip().splitlines()[-1])["runs"][0]
            assert meta["status"] == "successful" and meta["rc"] == 0
            if worker:
                idents.append(meta["ident"])
                assert meta["worker"] == WORKER
                art = pathlib.Path(meta["artifacts"])
                # processed back: the worker's events and output in the controller's artifacts
                assert (art / "status").read_text() == "successful"
                events = [json.loads(p.read_text()) for p in (art / "job_events").glob("*.json")]
                assert any(e.get("event") == "playbook_on_stats" for e in events)
                assert "Record the" in proc.stdout and "changed=1" in proc.stdout
    rows = {}
    for app in ("h15st-local", "h15st-streamed"):
        ledger = ev.Ledger(str(tmp_path / "evidence" / app), create=False)
        try:
            rows[app] = (list(ledger.records()), ledger.verify())
        finally:
            ledger.close()
        assert rows[app][1]["ok"], rows[app][1]
    local, streamed = rows["h15st-local"][0], rows["h15st-streamed"][0]
    assert shape(local) == shape(streamed) and len(streamed) >= 2
    assert [r["details"].get("run_id") for r in streamed if r["kind"] in ("application", "approval")] == idents


def test_worker_that_is_not_a_command(tmp_path):
    inv = tmp_path / "inventories"
    inv.mkdir()
    apps.make_inventory(inv, "h15st-bad", 236)
    for worker, message in (("", "--worker: an empty command"), ("no-such-worker-cmd x", "is not an executable"),
                            ("'unclosed", "--worker: No closing quotation")):
        proc = subprocess.run(apps.GOVCLOUD + ["run", "intake", "--app", "h15st-bad", "--inventories", str(inv),
                                               "--runs-dir", str(tmp_path / "runs"), "--evidence-root",
                                               str(tmp_path / "evidence"), "--worker", worker],
                              cwd=str(REPO), env=apps.env(tmp_path), capture_output=True, text=True, timeout=120,
                              check=False)
        assert proc.returncode == 2 and message in proc.stderr, proc.stderr
    assert not (tmp_path / "runs").exists() and not (tmp_path / "evidence").exists()
