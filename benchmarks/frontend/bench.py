#!/usr/bin/env python3
# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark (not a test): the govcloud front end.  Prints numbers, asserts nothing.

  overhead     one stage through `govcloud run` vs the same playbook through plain ansible-playbook, side by side
               in one run, --repeats alternated pairs, median (goal: <= 5 %).  Full: onboard of two copies of the
               example on the dev cloud (the first runs once, then re-runs); smoke: intake (no cloud).
  concurrency  N applications in one `govcloud run onboard --all --parallel P` vs one application alone
               (goal: <= 4x the one's wall time).  Full: N=20 on the dev cloud (after intake and approve);
               smoke: intake for 5 applications.
  portfolio    `govcloud portfolio` over 20 applications' ledgers (goal <= 5 s).

  .venv/bin/python benchmarks/frontend/bench.py            # everything, on the dev cloud (~15 min)
  .venv/bin/python benchmarks/frontend/bench.py --smoke    # make test: seconds, no cloud
Every application is generated from the example with its own id (bench-fe-*) and CIDRs, and deleted at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "frontend"))
sys.path.insert(0, str(REPO / "tests" / "unit" / "plugins" / "module_utils"))
sys.path.insert(0, str(REPO / "molecule" / "network_segmentation"))
import apps  # noqa: E402  pylint: disable=wrong-import-position

PLAYBOOK = str(pathlib.Path(sys.executable).parent / "ansible-playbook")


def timed(argv, env, what):
    started = time.monotonic()
    proc = subprocess.run(argv, cwd=str(REPO), env=env, capture_output=True, text=True, check=False)
    took = time.monotonic() - started
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-4000:] + proc.stderr[-3000:])
        raise SystemExit("benchmark step failed: %s" % what)
    return took


def plain(env, inv, stage, app, extra=()):
    e = dict(env, GOVCLOUD_EVIDENCE_DIR=str(pathlib.Path(env["BENCH_WORK"]) / "evidence" / app))
    return timed([PLAYBOOK, "-i", str(inv / app), str(REPO / "playbooks" / (stage + ".yml"))] + list(extra), e,
                 "plain %s %s" % (stage, app))


def front(env, inv, stage, apps_, extra=(), parallel=4):
    work = pathlib.Path(env["BENCH_WORK"])
    argv = apps.GOVCLOUD + ["run", stage, "--inventories", str(inv), "--evidence-root", str(work / "evidence"),
                            "--runs-dir", str(work / "runs"), "--parallel", str(parallel)]
    for app in apps_:
        argv += ["--app", app]
    return timed(argv + list(extra), env, "govcloud %s %s" % (stage, " ".join(apps_)))


def alternated(repeats, plain_run, front_run):
    """REPEATS pairs, the order flipped every pair (drift in a shared machine's load hits both sides alike); the
    load average (1 min) beside each pair."""
    p, r, load = [], [], []
    for n in range(repeats):
        pair = [("p", plain_run), ("r", front_run)]
        for side, run in pair if n % 2 == 0 else pair[::-1]:
            (p if side == "p" else r).append(run())
        load.append(round(os.getloadavg()[0], 2))
    return {"plain_runs_s": [round(x, 3) for x in p], "govcloud_runs_s": [round(x, 3) for x in r], "load_1m": load,
            "plain_s": statistics.median(p), "govcloud_s": statistics.median(r),
            "overhead": statistics.median(r) / statistics.median(p) - 1,
            "added_s": statistics.median([b - a for a, b in zip(p, r)]),
            # per pair: under a load that swings between pairs, the pairs' own ratios say more than the medians' ratio
            "overhead_paired": statistics.median([b / a - 1 for a, b in zip(p, r)])}


def overhead(env, inv, smoke, repeats):
    """Side by side in one run, alternated, median of REPEATS.  Smoke: intake (no cloud; a 3 s stage, so the
    front end's fixed cost shows most).  Full: onboard (the stage the issue measures) for two copies of the example:
    the first runs once each, then REPEATS re-runs each (the same tasks and API calls, changed=0)."""
    if smoke:
        # a new application per run: intake refuses a ledger the witness has seen replaced (a deleted one)
        count = iter(range(1000))

        def fresh(kind):
            app = "bench-fe-%s-%d" % (kind, next(count))
            apps.make_inventory(inv, app, 150)
            return app
        out = alternated(repeats, lambda: plain(env, inv, "intake", fresh("plain")),
                         lambda: front(env, inv, "intake", [fresh("runner")]))
        out["stage"] = "intake"
        return out
    for app, octet in (("bench-fe-plain", 190), ("bench-fe-runner", 191)):
        apps.make_inventory(inv, app, octet)
    plain(env, inv, "intake", "bench-fe-plain")
    plain(env, inv, "approve", "bench-fe-plain", apps.APPROVE)
    front(env, inv, "intake", ["bench-fe-runner"])
    front(env, inv, "approve", ["bench-fe-runner"], apps.APPROVE)
    first = {"plain_s": plain(env, inv, "onboard", "bench-fe-plain"),
             "govcloud_s": front(env, inv, "onboard", ["bench-fe-runner"]), "load_1m": round(os.getloadavg()[0], 2)}
    out = alternated(repeats, lambda: plain(env, inv, "onboard", "bench-fe-plain"),
                     lambda: front(env, inv, "onboard", ["bench-fe-runner"]))
    out.update(stage="onboard (re-runs)", first_run=first)
    return out


def concurrency(env, inv, smoke, count, parallel):
    ids = ["bench-fe-%02d" % n for n in range(1, count + 1)]
    for n, app in enumerate(ids):
        apps.make_inventory(inv, app, 160 + n)
    if smoke:
        one = front(env, inv, "intake", ids[:1])
        many = front(env, inv, "intake", ids, parallel=parallel)
        return {"stage": "intake", "apps": count, "parallel": parallel, "one_s": one, "all_s": many,
                "ratio": many / one}
    front(env, inv, "intake", ids, parallel=parallel)
    front(env, inv, "approve", ids, apps.APPROVE, parallel=parallel)
    one = front(env, inv, "onboard", ids[:1])
    many = front(env, inv, "onboard", ids[1:], parallel=parallel)
    return {"stage": "onboard", "apps": count - 1, "parallel": parallel, "one_s": one, "all_s": many,
            "ratio": many / one}


def portfolio(env, work, count):
    import report_cases as C  # pylint: disable=import-outside-toplevel
    inv = work / "portfolio-inventories"
    inv.mkdir()
    for n in range(count):
        app = "bench-pf-%02d" % n
        apps.make_inventory(inv, app, 100 + n)
        C.build_ledger(work / "portfolio-evidence" / app, C.lifecycle(app=app, filing_date=None if n % 4 else "2026-05-20"),
                       extra=200)
    argv = apps.GOVCLOUD + ["portfolio", "--inventories", str(inv), "--evidence-root", str(work / "portfolio-evidence"),
                            "--runs-dir", str(work / "runs"), "--out", str(work / "portfolio")]
    took = timed(argv, env, "portfolio")
    doc = json.loads((work / "portfolio" / "portfolio.json").read_text(encoding="utf-8"))
    return {"apps": len(doc["applications"]), "records_per_app": 200 + len(C.lifecycle()), "seconds": took}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--apps", type=int, default=None, help="applications for the concurrency part")
    ap.add_argument("--parallel", type=int, default=5)
    ap.add_argument("--only", choices=("overhead", "concurrency", "portfolio"), action="append")
    args = ap.parse_args()
    work = pathlib.Path(tempfile.mkdtemp(prefix="bench-frontend-"))
    env = apps.env(work, BENCH_WORK=str(work))
    os.environ.update({k: env[k] for k in ("GOVCLOUD_EVIDENCE_KEY", "GOVCLOUD_WITNESS_DIR", "GOVCLOUD_WITNESS_KEY")})
    inv = work / "inventories"
    inv.mkdir()
    parts = args.only or ["overhead", "concurrency", "portfolio"]
    results = {}
    conn = None
    try:
        if not args.smoke and ("overhead" in parts or "concurrency" in parts):
            import openstack  # pylint: disable=import-outside-toplevel
            import cloud as testcloud  # pylint: disable=import-outside-toplevel
            os.environ.setdefault("OS_CLIENT_CONFIG_FILE", env["OS_CLIENT_CONFIG_FILE"])
            conn = openstack.connect(cloud="devcloud-admin")
        if "overhead" in parts:
            results["overhead"] = overhead(env, inv, args.smoke, args.repeats)
        if "concurrency" in parts:
            count = args.apps or (5 if args.smoke else 21)
            results["concurrency"] = concurrency(env, inv, args.smoke, count, args.parallel)
        if "portfolio" in parts:
            results["portfolio"] = portfolio(env, work, 20)
    finally:
        if conn is not None:
            for entry in sorted(os.listdir(inv)):
                testcloud.purge(conn, entry)
        shutil.rmtree(work, ignore_errors=True)
    if "overhead" in results:
        o = results["overhead"]
        print("runner overhead (%s, median of %d alternated pairs): plain %.2f s, govcloud %.2f s, overhead %+.1f %%"
              " (goal <= 5 %%); per pair: median %+.1f %%, added %.2f s per run; load average %s"
              % (o["stage"], len(o["plain_runs_s"]), o["plain_s"], o["govcloud_s"], 100 * o["overhead"],
                 100 * o["overhead_paired"], o["added_s"],
                 " ".join(str(x) for x in o["load_1m"])))
        print("  plain    %s\n  govcloud %s" % (o["plain_runs_s"], o["govcloud_runs_s"]))
        if "first_run" in o:
            f = o["first_run"]
            print("  first onboard: plain %.2f s, govcloud %.2f s (%+.1f %%, load %s)"
                  % (f["plain_s"], f["govcloud_s"], 100 * (f["govcloud_s"] / f["plain_s"] - 1), f["load_1m"]))
    if "concurrency" in results:
        c = results["concurrency"]
        print("concurrency (%s): one %.1f s, %d at once (parallel %d) %.1f s, ratio %.2f (goal <= 4)"
              % (c["stage"], c["one_s"], c["apps"], c["parallel"], c["all_s"], c["ratio"]))
    if "portfolio" in results:
        p = results["portfolio"]
        print("portfolio: %d applications (%d records each) in %.2f s (goal <= 5 s)"
              % (p["apps"], p["records_per_app"], p["seconds"]))
    print(json.dumps(results, sort_keys=True))


if __name__ == "__main__":
    main()
