#!/usr/bin/env python3
# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Kill the decommission playbook for real (SIGKILL to ansible-playbook and its workers) at each of the points
named by its output, one run per point, then run it again to completion.

  killtest.py POINT[,POINT...] -- ansible-playbook ARGS...

POINTS: after-servers (the servers step finished), mid-networks / mid-volumes / mid-security-groups (the first of
several deleted), keypair-unrecorded (the keypairs deleted, their records not yet written: the next run must
reconcile them) or before-project (every step but the project's done). Exit 0 when every run was killed at its
point with the project still there and, for a mid- point, on the first deletion of several of that kind, and the
last run completed (rc 0)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "network_segmentation"))

import cloud  # noqa: E402
import workload  # noqa: E402

# Each point is a sequence of output patterns; the run is killed on the line matching the last one.
_DELETED = r"^changed: \[controller\] => \(item="
POINTS = {
    "after-servers": [r"Read what is left \(floating_ips\)"],
    "mid-networks": [r"Delete by id \(networks\)", _DELETED],
    "mid-security-groups": [r"Delete by id \(security_groups\)", _DELETED],
    "mid-volumes": [r"Delete by id \(volumes\)", _DELETED],
    "keypair-unrecorded": [r"Delete each \(keypairs\)", r"Record what was deleted \(keypairs\)"],
    "before-project": [r"Read what is left \(project\)"],
}
# the kind a mid- point must find partly deleted at the kill (workload.listing's keys)
PARTLY = {"mid-networks": "networks", "mid-security-groups": "security_groups", "mid-volumes": "volumes"}


def left(c, app):
    proj = cloud.project(c, app)
    return None if proj is None else workload.listing(c, proj, identity=False)


def kill_at(point, cmd, env, c, app, started):
    """One run killed at point; None when it was, else why not."""
    patterns = [re.compile(p) for p in POINTS[point]]
    before = left(c, app)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
                            start_new_session=True)
    step = 0
    killed = False
    for line in proc.stdout:
        if patterns[step].search(line):
            step += 1
            if step == len(patterns):
                os.killpg(proc.pid, signal.SIGKILL)
                killed = True
                print("killtest: SIGKILL to the playbook's process group at %s (%.1f s): %s"
                      % (point, time.monotonic() - started, line.strip()))
                break
    proc.wait()
    for _ in range(50):  # the workers of the group die with it; make sure none still talks to the cloud
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    if not killed:
        return "the playbook ended (rc %s) before reaching %s" % (proc.returncode, point)
    now = left(c, app)
    if now is None:
        return "killed at %s with nothing left to resume" % point
    print("killtest: at the kill %s" % ", ".join("%s %d of %d" % (k, len(now[k]), len(before[k]))
                                                 for k in sorted(before) if before[k]))
    kind = PARTLY.get(point)
    # killed on the first item's result of a loop over several: inside the loop. The worker may already have sent
    # the next deletion, which the cloud then finishes (a deletion without its record: the rerun must reconcile it)
    if kind and not (len(before[kind]) > 1 and len(now[kind]) < len(before[kind])):
        return "not killed inside the %s deletion loop (%d of %d left)" % (kind, len(now[kind]), len(before[kind]))
    return None


def main(argv):
    points, cmd = argv[0].split(","), argv[argv.index("--") + 1:]
    app = os.environ.get("KILLTEST_APP", "dc-app")
    c = cloud.conn()
    # as an operator runs it: with the evidence callback (ansible.cfg) recording each deletion as it happens;
    # Molecule's own ansible.cfg has it off, and then only the next run's reconciliation would name them
    env = dict(os.environ, PYTHONUNBUFFERED="1", ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0",
               ANSIBLE_CALLBACKS_ENABLED="govcloud.lifecycle.evidence")
    started = time.monotonic()
    for point in points:
        why = kill_at(point, cmd, env, c, app, started)
        if why:
            print("killtest: %s" % why)
            return 1
    rerun = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    print("killtest: rerun rc %d after %.1f s in all" % (rerun.returncode, time.monotonic() - started))
    if rerun.returncode != 0:
        print(rerun.stdout[-6000:])
        return 1
    print("\n".join(line for line in rerun.stdout.splitlines() if line.startswith("PLAY RECAP") or "controller" in line
                    and "ok=" in line))
    return 0

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
