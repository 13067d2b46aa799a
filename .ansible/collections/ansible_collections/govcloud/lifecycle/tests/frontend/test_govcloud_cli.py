# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""govcloud's bad input, without a cloud: every command refuses it with the field and the reason, starts nothing
and writes nothing (no runs directory, no ledger, no portfolio); the installed console entry point works."""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import apps  # noqa: E402  pylint: disable=wrong-import-position

REPO = apps.REPO


def govcloud(tmp_path, *argv):
    return subprocess.run(apps.GOVCLOUD + list(argv), cwd=str(REPO), env=apps.env(tmp_path), capture_output=True,
                          text=True, timeout=120, check=False)


@pytest.fixture
def dirs(tmp_path):
    inv = tmp_path / "inventories"
    inv.mkdir()
    apps.make_inventory(inv, "h15cli-good", 231)
    (inv / "no-hosts").mkdir()
    (inv / "no-hosts" / "group_vars" / "all").mkdir(parents=True)
    (inv / "no-hosts" / "group_vars" / "all" / "application.yml").write_text("application: {id: h15cli-nohosts}\n")
    apps.make_inventory(inv, "h15cli-twin", 232, mutate=lambda app: app.update(id="h15cli-good"))
    common = ["--inventories", str(inv), "--evidence-root", str(tmp_path / "evidence"),
              "--runs-dir", str(tmp_path / "runs")]
    return tmp_path, common


BAD = [
    (["run", "no-such-stage", "--app", "h15cli-good"], "stage: 'no-such-stage' is not a stage playbook"),
    (["run", "manifest", "--app", "h15cli-good"], "stage: 'manifest' is not a stage playbook"),
    (["run", "intake", "--app", "nobody"], "app: 'nobody' is neither an inventory"),
    (["run", "intake"], "app: name the application(s) with --app ID"),
    (["run", "intake", "--app", "no-hosts"], "inventory"),
    (["run", "intake", "--app", "h15cli-good", "--app", "h15cli-good"], "app: h15cli-good given twice"),
    (["run", "intake", "--app", "h15cli-good", "--all"], "--all and --app"),
    (["run", "intake", "--all"], "no hosts.yml"),
    (["run", "intake", "--app", "h15cli-good", "--app", "h15cli-twin"], "share one application id"),
    (["run", "intake", "--app", "h15cli-good", "--parallel", "0"], "--parallel: must be at least 1"),
    (["run", "intake", "--app", "h15cli-good", "-e", "@/nonexistent/vars.yml"], "-e @/nonexistent/vars.yml: file"),
    (["run", "intake", "--app", "h15cli-good", "-e", " "], "-e: an empty value"),
    (["status", "--app", "nobody"], "app: 'nobody' is neither an inventory"),
    (["portfolio", "--app", "nobody"], "app: 'nobody' is neither an inventory"),
    (["portfolio", "--app", "h15cli-good", "--as-of", "2026-13-01"], "--as-of: '2026-13-01' is not a date"),
    (["portfolio", "--app", "h15cli-good", "--stage", "nirvana"], "--stage: 'nirvana' is neither"),
]


@pytest.mark.parametrize("argv,message", BAD, ids=[" ".join(a[:3]) + "|" + m[:20] for a, m in BAD])
def test_bad_input_is_refused_and_nothing_is_written(dirs, argv, message):
    tmp_path, common = dirs
    before = sorted(str(p) for p in tmp_path.rglob("*"))
    proc = govcloud(tmp_path, *(argv[:1] + common + argv[1:]))
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert message in proc.stderr, proc.stderr
    assert "Nothing was started." in proc.stderr
    assert "Traceback" not in proc.stderr
    assert sorted(str(p) for p in tmp_path.rglob("*")) == before
    assert not (tmp_path / "runs").exists() and not (tmp_path / "evidence").exists()


def test_bad_project_and_inventories(tmp_path):
    proc = govcloud(tmp_path, "run", "intake", "--project", str(tmp_path), "--app", "x")
    assert proc.returncode == 2 and "is not a govcloud.lifecycle checkout" in proc.stderr
    proc = govcloud(tmp_path, "status", "--inventories", str(tmp_path / "missing"))
    assert proc.returncode == 2 and "inventories: " in proc.stderr and "is not a directory" in proc.stderr
    assert list(tmp_path.iterdir()) == []


def test_portfolio_out_that_is_a_file(dirs):
    tmp_path, common = dirs
    (tmp_path / "taken").write_text("x")
    proc = govcloud(tmp_path, "portfolio", *common, "--app", "h15cli-good", "--out", str(tmp_path / "taken"))
    assert proc.returncode == 2 and "--out: " in proc.stderr and "is not a directory" in proc.stderr
    assert (tmp_path / "taken").read_text() == "x"


def test_intake_through_runner_keeps_artifacts_and_records(dirs):
    """A run that needs no cloud: intake, through ansible-runner, with its artifacts and its ledger."""
    tmp_path, common = dirs
    proc = govcloud(tmp_path, "run", "intake", *common, "--app", "h15cli-good", "--json")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    meta = json.loads(proc.stdout.strip().splitlines()[-1])["runs"][0]
    art = pathlib.Path(meta["artifacts"])
    assert art.parent == tmp_path / "runs" / "h15cli-good"
    assert (art / "status").read_text() == "successful" and (art / "rc").read_text() == "0"
    assert (art / "stdout").stat().st_size > 0 and list((art / "job_events").glob("*.json"))
    assert "Intake | Record the application" in proc.stdout and "changed=1" in proc.stdout
    # the private data dir is gone; only artifacts stay
    assert [p.name for p in (tmp_path / "runs" / "h15cli-good").iterdir()] == [meta["ident"]]
    status = govcloud(tmp_path, "status", *common, "--app", "h15cli-good", "--json")
    row = json.loads(status.stdout)[0]
    assert row["phase"] == "application" and row["records"] >= 1 and row["verification"]["ok"]
    assert row["last_run"]["ident"] == meta["ident"] and row["last_run"]["status"] == "successful"


def test_failing_run_exit_status_and_message(dirs):
    """approve without an approver: the run fails, govcloud exits with the run's status and names the task."""
    tmp_path, common = dirs
    proc = govcloud(tmp_path, "run", "approve", *common, "--app", "h15cli-good")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "FAILED h15cli-good: Approve | Require the approver and the decision on localhost" in proc.stdout
    assert "Set govcloud_approval_approver" in proc.stdout


def test_console_entry_point_is_installed():
    exe = pathlib.Path(sys.executable).parent / "govcloud"
    assert exe.is_file(), "%s missing: tools/toolchain/venv.sh installs frontend/ into the controller venv" % exe
    proc = subprocess.run([str(exe), "--version"], capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0 and proc.stdout.startswith("govcloud "), proc.stdout + proc.stderr
    proc = subprocess.run([str(exe), "run", "--help"], capture_output=True, text=True, timeout=60, check=False)
    assert "--parallel" in proc.stdout and "--check" in proc.stdout
