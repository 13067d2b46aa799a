#!/usr/bin/env python3
# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Kill the decommission playbook for real (SIGKILL to ansible-playbook and its workers) at a point named by
its output, then run it again to completion.

  killtest.py POINT -- ansible-playbook ARGS...

POINT: after-servers (the servers step finished), mid-networks (the first network of several deleted) or
before-project (every step but the project's done). Exit 0 when the first run was killed at that point, the
project still had something left at the kill, and the rerun completed (rc 0)."""

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

# Each point is a sequence of output patterns; the run is killed on the line matching the last one.
POINTS = {
    "after-servers": [r"Read what is left \(floating_ips\)"],
    "mid-networks": [r"Delete by id \(networks\)", r"^changed: \[controller\] => \(item="],
    "before-project": [r"Read what is left \(project\)"],
}


def networks_left(c, app):
    proj = cloud.project(c, app)
    return None if proj is None else len(list(c.network.networks(project_id=proj.id)))


def main(argv):
    point, cmd = argv[0], argv[argv.index("--") + 1:]
    patterns = [re.compile(p) for p in POINTS[point]]
    app = os.environ.get("KILLTEST_APP", "dc-app")
    c = cloud.conn()
    nets_before = networks_left(c, app)
    env = dict(os.environ, PYTHONUNBUFFERED="1", ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0")
    started = time.monotonic()
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
        print("killtest: the playbook ended (rc %s) before reaching %s" % (proc.returncode, point))
        return 1
    proj = cloud.project(c, app)
    nets = networks_left(c, app)
    print("killtest: at the kill project %s, networks %s of %s" % (
        "present" if proj else "absent", nets, nets_before))
    if proj is None:
        print("killtest: nothing was left to resume")
        return 1
    if point == "mid-networks" and not (nets_before and 0 < nets < nets_before):
        print("killtest: not killed in the middle of the network deletion")
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
