#!/usr/bin/env python
# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Evidence ledger benchmark: prints numbers, asserts nothing.

  append rate (one record per transaction, as the callback and the modules write; batched, as a module's records=;
  with a signed checkpoint after every append), verify time of the whole ledger, optional report time
  (--report-cmd, run with {evidence_dir} and {key} substituted), and the overhead of the callback on a
  playbook of N changed tasks against the same playbook without it.

Goals (issue 3): >= 2,000 records/s appended, verify of 100k <= 5 s, callback overhead <= 5 %.

  .venv/bin/python benchmarks/evidence/bench.py                # everything, 100k records, 500 tasks
  .venv/bin/python benchmarks/evidence/bench.py --skip-playbook --records 20000
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
COLLECTIONS = os.path.join(REPO, ".work", "collections")
sys.path.insert(0, COLLECTIONS)

from ansible_collections.govcloud.lifecycle.plugins.plugin_utils.evidence import Ledger  # noqa: E402


def fields(i):
    return dict(application="bench", stage="hardening", kind="control_check", clauses=["8.1.4.%d.a" % (i % 6 + 1)],
                party="cloud_service_provider", actor="bench@controller", targets=["vm-%d" % (i % 50)],
                result=("pass", "fail", "gap")[i % 3], summary="Check %d: ensure something is configured" % i,
                details={"host": "vm-%d" % (i % 50), "task": "8.1.4.1.a | Check %d" % i,
                         "action": "ansible.builtin.command", "args": {"cmd": "grep -q x /etc/login.defs"},
                         "duration_s": 0.042, "tags": ["mlps_8_1_4_1_a"]})


def bench_ledger(work, records, checkpoint_sample):
    key = os.path.join(work, "key.pem")
    single = os.path.join(work, "single")
    with Ledger(single, key_file=key) as ledger:
        start, cpu = time.perf_counter(), time.process_time()
        for i in range(records):
            ledger.append(**fields(i))
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        ledger.checkpoint()
    # the callback's way since records are committed as results arrive; the CPU rate is what one free core does
    # (on a shared machine the wall rate says more about the neighbours)
    print("append, one transaction per record : %8d records in %6.2f s = %7.0f records/s (CPU %.3f ms each = "
          "%.0f records/s on one free core; load %.1f)"
          % (records, elapsed, records / elapsed, 1000 * cpu / records, records / cpu, os.getloadavg()[0]))

    batched = os.path.join(work, "batched")
    with Ledger(batched, key_file=key) as ledger:
        start, cpu = time.perf_counter(), time.process_time()
        for first in range(0, records, 200):
            ledger.append_many([fields(i) for i in range(first, min(records, first + 200))])
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        ledger.checkpoint()
    print("append, batches of 200 (modules)    : %8d records in %6.2f s = %7.0f records/s (CPU: %.0f records/s)"
          % (records, elapsed, records / elapsed, records / cpu))

    signed = os.path.join(work, "signed")
    with Ledger(signed, key_file=key) as ledger:
        start = time.perf_counter()
        for i in range(checkpoint_sample):
            ledger.append(**fields(i))
            ledger.checkpoint()
        elapsed = time.perf_counter() - start
    print("append + signed checkpoint each     : %8d records in %6.2f s = %7.0f records/s (%.2f ms each)"
          % (checkpoint_sample, elapsed, checkpoint_sample / elapsed, 1000 * elapsed / checkpoint_sample))

    with Ledger(single, key_file=key) as ledger:
        start = time.perf_counter()
        report = ledger.verify()
        elapsed = time.perf_counter() - start
    print("verify (chain + anchor)             : %8d records in %6.2f s (ok=%s)"
          % (report["count"], elapsed, report["ok"]))
    size = sum(os.path.getsize(os.path.join(single, f)) for f in os.listdir(single))
    print("ledger size                         : %8.1f MB (%d bytes per record)" % (size / 1e6, size // records))
    return single, key


def run_report(cmd, evidence_dir, key):
    argv = [a.format(evidence_dir=evidence_dir, key=key) for a in shlex.split(cmd)]
    start = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    print("report (%s)    : %6.2f s, rc=%d" % (argv[0], elapsed, proc.returncode))


PLAYBOOK_TASK = {
    "debug": {"name": "Task {i}", "ansible.builtin.debug": {"msg": "step {i}"}, "changed_when": True,
              "tags": ["mlps_8_1_4_1_a"]},
    "command": {"name": "Task {i}", "ansible.builtin.command": "true", "tags": ["mlps_8_1_4_1_a"]},
}


def bench_playbook(work, tasks, kind, repeats):
    template = json.dumps(PLAYBOOK_TASK[kind])
    play = [{"name": "Benchmark", "hosts": "localhost", "gather_facts": False,
             "tasks": [json.loads(template.replace("{i}", str(i))) for i in range(tasks)]}]
    playbook = os.path.join(work, "playbook.yml")
    with open(playbook, "w") as handle:
        json.dump(play, handle)
    with open(os.path.join(work, "hosts"), "w") as handle:
        handle.write('localhost ansible_connection=local ansible_python_interpreter="%s"\n' % sys.executable)
    timings = {"without": [], "with": []}
    for run in range(repeats):
        for variant in (("without", "with") if run % 2 == 0 else ("with", "without")):
            cfg = os.path.join(work, "ansible-%s.cfg" % variant)
            with open(cfg, "w") as handle:
                handle.write("[defaults]\ncollections_path = %s\nstdout_callback = ansible.builtin.null\n"
                             "retry_files_enabled = False\n%s\n[callback_evidence]\napplication = bench\n"
                             % (COLLECTIONS, "callbacks_enabled = govcloud.lifecycle.evidence"
                                if variant == "with" else ""))
            env = dict(os.environ, ANSIBLE_CONFIG=cfg, GOVCLOUD_EVIDENCE_KEY=os.path.join(work, "pb-key.pem"),
                       GOVCLOUD_EVIDENCE_DIR=os.path.join(work, "pb-evidence"))
            start = time.perf_counter()
            proc = subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i",
                                   os.path.join(work, "hosts"), playbook], cwd=work, env=env, capture_output=True,
                                  text=True, check=False)
            timings[variant].append(time.perf_counter() - start)
            if proc.returncode:
                print(proc.stdout[-2000:], proc.stderr[-2000:])
                raise SystemExit("playbook failed")
    without, with_cb = statistics.median(timings["without"]), statistics.median(timings["with"])
    with Ledger(os.path.join(work, "pb-evidence"), key_file=os.path.join(work, "pb-key.pem")) as ledger:
        recorded = ledger.count()
    print("playbook, %d %s tasks, median of %d : without callback %6.2f s, with %6.2f s -> overhead %+.1f %% "
          "(%.2f ms per task; %d records written)" % (tasks, kind, repeats, without, with_cb,
                                                      100 * (with_cb - without) / without,
                                                      1000 * (with_cb - without) / tasks, recorded))
    print("  runs without: %s" % ", ".join("%.2f" % t for t in timings["without"]))
    print("  runs with   : %s" % ", ".join("%.2f" % t for t in timings["with"]))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=100000)
    parser.add_argument("--checkpoint-sample", type=int, default=500)
    parser.add_argument("--tasks", type=int, default=500)
    parser.add_argument("--task-kind", choices=sorted(PLAYBOOK_TASK), default="debug")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--skip-ledger", action="store_true")
    parser.add_argument("--skip-playbook", action="store_true")
    parser.add_argument("--report-cmd", help="report command to time, e.g. 'tools/report --dir {evidence_dir}'")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="evidence-bench-") as work:
        if not args.skip_ledger:
            evidence_dir, key = bench_ledger(work, args.records, args.checkpoint_sample)
            if args.report_cmd:
                run_report(args.report_cmd, evidence_dir, key)
        if not args.skip_playbook:
            bench_playbook(work, args.tasks, args.task_kind, args.repeats)


if __name__ == "__main__":
    main()
