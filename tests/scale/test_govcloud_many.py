# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""20 applications through intake → approve → onboard in one `govcloud run … --all` each, on the dev cloud.

Generated from the example with their own ids and CIDRs; one has a bad manifest (a flavor the cloud does not
offer) and must fail alone, with its message, while the other 19 complete.  Afterwards every ledger verifies, no
application's records or resources appear in another's, and the portfolio lists all 20.  Everything the test
creates is deleted at the end.
"""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys
import time

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "frontend"))
sys.path.insert(0, str(REPO / ".work" / "collections"))
sys.path.insert(0, str(REPO / "molecule" / "network_segmentation"))
import apps  # noqa: E402  pylint: disable=wrong-import-position
import cloud as testcloud  # noqa: E402  pylint: disable=wrong-import-position
from ansible_collections.govcloud.lifecycle.plugins.plugin_utils import evidence as ev  # noqa: E402

COUNT = 20
BAD = "h15m-13"
IDS = ["h15m-%02d" % n for n in range(1, COUNT + 1)]
OCTET = {app: 203 + n for n, app in enumerate(IDS, start=1)}  # 10.204.x.0/24 … 10.223.x.0/24


def bad_flavor(app):
    app["servers"][0]["flavor"] = "m1.nonexistent"


@pytest.fixture
def bed(cloud, tmp_path, monkeypatch):
    apps.adopt_run_keys(monkeypatch, tmp_path)
    inv = tmp_path / "inventories"
    inv.mkdir()
    for app in IDS:
        apps.make_inventory(inv, app, OCTET[app], mutate=bad_flavor if app == BAD else None)
    for app in IDS:
        testcloud.purge(cloud, app)
    try:
        yield tmp_path, inv
    finally:
        for app in IDS:
            testcloud.purge(cloud, app)


def test_twenty_applications_at_once(cloud, bed):
    tmp_path, inv = bed
    env = apps.env(tmp_path)
    common = ["--inventories", str(inv), "--evidence-root", str(tmp_path / "evidence"),
              "--runs-dir", str(tmp_path / "runs"), "--all", "--parallel", "5", "--json"]
    took = {}
    for stage, extra in (("intake", []), ("approve", apps.APPROVE), ("onboard", [])):
        started = time.monotonic()
        proc = subprocess.run(apps.GOVCLOUD + ["run", stage] + common + extra, cwd=str(REPO), env=env,
                              capture_output=True, text=True, timeout=3600, check=False)
        took[stage] = time.monotonic() - started
        out = proc.stdout
        assert proc.returncode != 0, "the bad manifest's failure must show in the exit status"
        runs = {m["app"]: m for m in json.loads(out.strip().splitlines()[-1])["runs"]}
        assert set(runs) == set(IDS)
        failed = sorted(a for a, m in runs.items() if m["status"] != "successful")
        assert failed == [BAD], "%s: failed %s\n%s" % (stage, failed, out[-6000:])
        assert "m1.nonexistent" in json.dumps(runs[BAD]["failures"], ensure_ascii=False)
        assert "FAILED %s:" % BAD in out and "19 of 20 applications successful" in out
    print("wall times (s): %s" % json.dumps({k: round(v, 1) for k, v in took.items()}))

    for app in IDS:
        directory = tmp_path / "evidence" / app
        ledger = ev.Ledger(str(directory), create=False)
        try:
            records = list(ledger.records())
            verified = ledger.verify()
        finally:
            ledger.close()
        if records or app != BAD:
            assert verified["ok"], (app, verified)
        # no application's records in another's ledger
        assert {r["application"] for r in records} <= {app}, app
        if app == BAD:
            assert not [r for r in records if r["kind"] in ("application", "approval", "stage_result")
                        and r["result"] != "fail"]
            assert testcloud.project(cloud, app) is None
            continue
        # (the application record's result is "info": a request, not a decision)
        kinds = {(r["stage"], r["kind"]) for r in records if r["result"] != "fail"}
        assert {("application", "application"), ("approval", "approval"), ("resource_allocation", "stage_result"),
                ("network", "stage_result")} <= kinds, (app, kinds)
        snap = testcloud.snapshot(cloud, app)
        assert snap is not None, app
        # no application's resources in another's project: its own names and its own CIDRs only
        assert all(n["name"].startswith(app + "-") for n in snap["networks"]), snap["networks"]
        assert sorted(s["cidr"] for s in snap["subnets"]) == sorted(
            "10.%d.%d.0/24" % (OCTET[app], z) for z in (10, 20, 30, 40)), snap["subnets"]
        assert all(g["name"] == "default" or g["name"].startswith(app + "-") for g in snap["security_groups"])

    out = tmp_path / "portfolio"
    proc = subprocess.run(apps.GOVCLOUD + ["portfolio", "--inventories", str(inv), "--evidence-root",
                                           str(tmp_path / "evidence"), "--runs-dir", str(tmp_path / "runs"),
                                           "--out", str(out)], cwd=str(REPO), env=env, capture_output=True,
                          text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    doc = json.loads((out / "portfolio.json").read_text(encoding="utf-8"))
    assert sorted(r["app"] for r in doc["applications"]) == IDS
    phases = {r["app"]: r["phase"] for r in doc["applications"]}
    assert all(phases[a] == "allocated" for a in IDS if a != BAD), phases
    assert phases[BAD] == "none", phases
    html = (out / "portfolio.en.html").read_text(encoding="utf-8")
    assert all('data-app="%s"' % a in html for a in IDS)
