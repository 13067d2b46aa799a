#!/usr/bin/env python3
# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark (not a test): baseline_hardening on one nspawn test host, first enforce run vs idempotent re-run.

Starts one nspawn host with tools/testhosts, creates the Ansible account (untimed), then times
benchmarks/hardening/enforce.yml twice with the variables of molecule/hardening_nspawn (level 3, disruptive,
evidence on, into a temporary ledger). Prints both wall times and the ratio re-run / first (goal <= 0.5), and
the changed count of the re-run (should be 0). The re-runs use the role's defaults: the host is stamped as
converged, so they take the fast path (one evaluation, no enforcement task). One more re-run with
baseline_hardening_fast_rerun=false shows what walking every enforcement task costs (what a changed variable or
a drifted host costs). The host is removed at the end, also after a failure.
Run from the repository root with the Makefile's environment:  .venv/bin/python benchmarks/hardening/bench.py
Options: --runs N (re-runs after the first, default 1), --keep-output DIR (ansible-playbook logs),
--profile (add ansible.posix.profile_tasks to the logs: where the time goes).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
BIN = os.path.dirname(sys.executable)
TESTHOSTS = os.path.join(REPO, "tools", "testhosts", "testhosts")
SCENARIO_VARS = os.path.join(REPO, "molecule", "hardening_nspawn", "group_vars", "all.yml")
HOST = "bench-hardening"
OPS_ACCOUNT = os.path.join(REPO, "tools", "testhosts", "ops-account.yml")


def env_for(work):
    cache = os.environ.get("GOVCLOUD_CACHE") or os.path.expanduser("~/.cache/govcloud-lifecycle")
    env = dict(os.environ)
    env.setdefault("GOVCLOUD_CACHE", cache)
    env.setdefault("TESTHOSTS_HOME", os.path.join(cache, "testhosts"))
    env.setdefault("ANSIBLE_CONFIG", os.path.join(REPO, "ansible.cfg"))
    env["PATH"] = BIN + os.pathsep + env.get("PATH", "")
    # a throw-away ledger and key: the benchmark must not write into anyone's evidence
    env["GOVCLOUD_EVIDENCE_DIR"] = os.path.join(work, "evidence")
    env["GOVCLOUD_EVIDENCE_KEY"] = os.path.join(work, "signing.pem")
    return env


def playbook(name, inventory, env, log, *extra):
    argv = [os.path.join(BIN, "ansible-playbook"), "-i", inventory, "-e", "@" + SCENARIO_VARS, *extra,
            os.path.join(HERE, name)]
    started = time.monotonic()
    proc = subprocess.run(argv, cwd=REPO, env=env, capture_output=True, text=True)
    took = time.monotonic() - started
    with open(log, "w", encoding="utf-8") as handle:
        handle.write(proc.stdout + proc.stderr)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-6000:] + proc.stderr[-3000:])
        raise SystemExit("benchmark step %s failed (log: %s)" % (name, log))
    recap = re.search(r"changed=(\d+)", proc.stdout.rsplit("PLAY RECAP", 1)[-1])
    return took, int(recap.group(1)) if recap else None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--keep-output")
    parser.add_argument("--profile", action="store_true")
    opts = parser.parse_args()
    work = tempfile.mkdtemp(prefix="bench-hardening-")
    logs = opts.keep_output or work
    os.makedirs(logs, exist_ok=True)
    env = env_for(work)
    if opts.profile:
        env["ANSIBLE_CALLBACKS_ENABLED"] = "govcloud.lifecycle.evidence,ansible.posix.profile_tasks"
        env["PROFILE_TASKS_TASK_OUTPUT_LIMIT"] = "25"
    started = False
    try:
        up = subprocess.run([TESTHOSTS, "up", "--kind", "nspawn", HOST], env=env, capture_output=True, text=True)
        if up.returncode != 0:
            raise SystemExit("testhosts up failed: %s" % up.stderr.strip())
        started = True
        host = json.loads(up.stdout)
        inventory = os.path.join(work, "inventory.yml")
        with open(inventory, "w", encoding="utf-8") as handle:
            json.dump({"all": {"hosts": {HOST: {
                "ansible_host": host["address"], "ansible_port": host["port"], "ansible_user": "opsadmin",
                "ansible_become": True, "ansible_ssh_private_key_file": host["identity_file"],
                # the host key tools/testhosts made for the host, pinned in its known_hosts
                "ansible_ssh_common_args": "-o StrictHostKeyChecking=yes -o UserKnownHostsFile=%s"
                                           % host["known_hosts"]}}}}, handle)
        playbook(OPS_ACCOUNT, inventory, env, os.path.join(logs, "prepare.log"))
        first, first_changed = playbook("enforce.yml", inventory, env, os.path.join(logs, "first.log"))
        reruns = [playbook("enforce.yml", inventory, env, os.path.join(logs, "rerun%d.log" % i))
                  for i in range(1, opts.runs + 1)]
        full = playbook("enforce.yml", inventory, env, os.path.join(logs, "rerun-full.log"),
                        "-e", "baseline_hardening_fast_rerun=false")
    finally:
        if started:
            subprocess.run([TESTHOSTS, "down", HOST], env=env, check=False)
    best = min(t for t, _ in reruns)
    print("baseline_hardening on one nspawn host (level 3, enforce, disruptive, evidence on)")
    print("first run:  %7.1f s  (changed=%s)" % (first, first_changed))
    for i, (took, changed) in enumerate(reruns, 1):
        print("re-run %d:   %7.1f s  (changed=%s)" % (i, took, changed))
    print("ratio re-run / first: %.2f (goal <= 0.50)" % (best / first))
    print("re-run, every enforcement task (fast_rerun=false): %7.1f s  (changed=%s), %.2f of first"
          % (full[0], full[1], full[0] / first))
    print("logs: %s" % logs)
    return 0 if all(changed == 0 for _, changed in reruns + [full]) else 1


if __name__ == "__main__":
    sys.exit(main())
