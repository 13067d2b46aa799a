#!/usr/bin/env python
# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Bounded YAML benchmark: prints numbers, asserts nothing.

  1. _yaml_bounds.load_text / load_file against the inputs, median of --rounds: the example manifest, a 1 MiB and
     a 3.9 MiB legitimate document (within the limits: the cost of reading the largest allowed file), a
     billion-laughs, a 50 MB file (refused on stat()).
  2. `ansible-playbook -i <copy of the example inventory> playbooks/intake.yml` for each hostile manifest, measured
     by tests/playbooks/measure_child.py (wall, CPU, max RSS, process-tree peak): with the project's ansible.cfg
     (vars plugin + preflight), with the vars plugin disabled (preflight only), and with both disabled (what
     main did before: `--unbounded`, killed after --timeout seconds).

  .venv/bin/python benchmarks/yaml_bounds/bench.py
  .venv/bin/python benchmarks/yaml_bounds/bench.py --unbounded --timeout 60
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(REPO, ".work", "collections"))
from ansible_collections.govcloud.lifecycle.plugins.module_utils import _yaml_bounds as B  # noqa: E402

EXAMPLE = os.path.join(REPO, "inventories", "example")
MANIFEST = os.path.join(EXAMPLE, "group_vars", "all", "application.yml")
MEASURE = os.path.join(REPO, "tests", "playbooks", "measure_child.py")
PLAYBOOK_BIN = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")


def bomb(levels=9, width=10):
    lines = ['l0: &l0 "lol"'] + ["l%d: &l%d [%s]" % (n, n, ", ".join(["*l%d" % (n - 1)] * width)) for n in range(1, levels)]
    return "\n".join(lines + ["application: {id: jx-bomb, bomb: *l%d}" % (levels - 1)]) + "\n"


def padded(size):
    with open(MANIFEST, encoding="utf-8") as handle:
        head = handle.read().rstrip("\n") + "\n  padding:\n"
    line = "    - {name: item, value: %s}\n" % ("x" * 60)
    return head + line * max(0, (size - len(head)) // len(line))


def timed(function, rounds):
    times = []
    for dummy in range(rounds):
        start = time.perf_counter()
        try:
            function()
            outcome = "loaded"
        except B.YamlBoundsError as exc:
            outcome = "refused (%s)" % exc.limit
        times.append(time.perf_counter() - start)
    return statistics.median(times), outcome


def reader(rounds, workdir):
    print("== _yaml_bounds, median of %d" % rounds)
    big = os.path.join(workdir, "big.yml")
    with open(big, "wb") as handle:
        handle.truncate(50 * 1000 * 1000)
    with open(MANIFEST, encoding="utf-8") as handle:
        example = handle.read()
    cases = [("example manifest (%d bytes)" % len(example.encode("utf-8")), lambda: B.load_text(example, "example"))]
    for size in (1024 * 1024, B.MAX_BYTES - 300 * 1024):
        text = padded(size)
        cases.append(("legitimate %.1f MiB" % (len(text) / 1048576.0), lambda text=text: B.load_text(text, "t")))
    text = bomb()
    cases.append(("billion laughs (%d bytes)" % len(text), lambda: B.load_text(text, "bomb")))
    cases.append(("50 MB file", lambda: B.load_file(big)))
    for name, function in cases:
        seconds, outcome = timed(function, rounds)
        print("  %-32s %9.4f s  %s" % (name, seconds, outcome))


def playbooks(workdir, unbounded, timeout):
    print("== intake.yml (ansible-playbook, measured with measure_child.py)")
    modes = [("ansible.cfg (vars plugin + preflight)", {})]
    modes.append(("preflight only", {"ANSIBLE_VARS_ENABLED": "host_group_vars"}))
    inputs = [("billion laughs", bomb()), ("50 MB", None)]
    for label, text in inputs:
        inventory = os.path.join(workdir, "inv-" + label.replace(" ", "-"))
        shutil.copytree(EXAMPLE, inventory)
        with open(os.path.join(inventory, "group_vars", "all", "application.yml"), "w", encoding="utf-8") as handle:
            if text is None:
                handle.write(padded(50 * 1000 * 1000))
            else:
                handle.write(text)
        runs = list(modes)
        if unbounded:
            runs.append(("unbounded (no plugin, no preflight)", "unbounded"))
        for mode, env_extra in runs:
            playbook = os.path.join(REPO, "playbooks", "intake.yml")
            env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(REPO, "ansible.cfg"), ANSIBLE_NOCOLOR="1",
                       GOVCLOUD_EVIDENCE_DIR=os.path.join(workdir, "evidence"),
                       GOVCLOUD_EVIDENCE_KEY=os.path.join(workdir, "key.pem"))
            if env_extra == "unbounded":
                env["ANSIBLE_VARS_ENABLED"] = "host_group_vars"
                playbook = os.path.join(workdir, "intake-unbounded.yml")
                with open(os.path.join(REPO, "playbooks", "manifest.yml"), encoding="utf-8") as handle:
                    plays = handle.read().replace("      govcloud.lifecycle.manifest_preflight:\n",
                                                  "      ansible.builtin.meta: noop\n")
                with open(os.path.join(workdir, "manifest.yml"), "w", encoding="utf-8") as handle:
                    handle.write(plays)
                with open(os.path.join(REPO, "playbooks", "intake.yml"), encoding="utf-8") as handle:
                    intake = handle.read()
                with open(playbook, "w", encoding="utf-8") as handle:
                    handle.write(intake)
            else:
                env.update(env_extra)
            result, output = os.path.join(workdir, "r.json"), os.path.join(workdir, "o.txt")
            subprocess.run([sys.executable, MEASURE, result, output, str(timeout), "--", PLAYBOOK_BIN, "-i",
                            inventory, playbook], cwd=REPO, env=env,
                           check=True)
            with open(result, encoding="utf-8") as handle:
                run = json.load(handle)
            with open(output, encoding="utf-8") as handle:
                lines = [line for line in handle.read().splitlines() if "[ERROR]" in line]
            print("  %-15s %-40s rc %-4s wall %6.2f s  CPU %6.2f s  max RSS %5.0f MiB  tree peak %5.0f MiB%s" % (
                label, mode, run["rc"], run["wall"], run["cpu"], run["maxrss"] / 1048576.0, run["tree_peak"] / 1048576.0,
                "  (killed at the timeout)" if run["timed_out"] else ""))
            if lines:
                print("      %s" % lines[0][:220])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--unbounded", action="store_true", help="also run intake without any bound (slow)")
    parser.add_argument("--timeout", type=float, default=60)
    args = parser.parse_args()
    print("load average before: %.2f %.2f %.2f" % os.getloadavg())
    workdir = tempfile.mkdtemp(prefix="yaml-bounds-bench-")
    try:
        reader(args.rounds, workdir)
        playbooks(workdir, args.unbounded, args.timeout)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print("load average after: %.2f %.2f %.2f" % os.getloadavg())


if __name__ == "__main__":
    main()
