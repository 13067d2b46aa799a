# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Run one command and measure it and every process it starts; write the numbers as JSON.

    python measure_child.py RESULT.json OUTPUT.txt TIMEOUT_SECONDS -- command args...

A launcher of its own, so that the numbers are the command's alone: a child forked from a big test process
inherits that process's resident-set high-water mark in wait4()'s ru_maxrss.  Reports the exit code, wall
seconds, CPU seconds and maximum resident set of the command and its waited-for descendants (wait4), and the
peak of the summed resident memory of the whole process tree, sampled from /proc every 20 ms (Ansible's
workers start sessions of their own, so the tree is followed by parent pid).  Every process of the tree is
killed at the end, and at the timeout.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time

PAGE = os.sysconf("SC_PAGE_SIZE")


class Tree(object):
    def __init__(self, root):
        self.pids = {root}
        self.peak = 0
        self.done = False

    def sample(self):
        while not self.done:
            stats = {}
            for name in os.listdir("/proc"):
                if not name.isdigit():
                    continue
                try:
                    with open("/proc/%s/stat" % name, encoding="ascii", errors="replace") as handle:
                        fields = handle.read().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                stats[int(name)] = (int(fields[1]), int(fields[21]) * PAGE)
            grew = True
            while grew:
                grew = False
                for pid, (ppid, dummy) in stats.items():
                    if ppid in self.pids and pid not in self.pids:
                        self.pids.add(pid)
                        grew = True
            self.peak = max(self.peak, sum(stats[pid][1] for pid in self.pids if pid in stats))
            time.sleep(0.02)

    def kill(self):
        for pid in sorted(self.pids, reverse=True):
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass


def main(argv):
    result_path, output_path, timeout = argv[1], argv[2], float(argv[3])
    command = argv[argv.index("--") + 1:]
    start = time.monotonic()
    with open(output_path, "w", encoding="utf-8") as out:
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    tree = Tree(proc.pid)
    sampler = threading.Thread(target=tree.sample, daemon=True)
    sampler.start()
    killer = threading.Timer(timeout, tree.kill)
    killer.start()
    dummy, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - start
    killer.cancel()
    tree.done = True
    sampler.join(5)
    tree.kill()
    proc.returncode = os.waitstatus_to_exitcode(status)
    with open(result_path, "w", encoding="utf-8") as handle:
        json.dump({"rc": proc.returncode, "wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
                   "maxrss": usage.ru_maxrss * 1024, "tree_peak": tree.peak, "timed_out": wall >= timeout}, handle)


if __name__ == "__main__":
    main(sys.argv)
