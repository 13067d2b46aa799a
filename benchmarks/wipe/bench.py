#!/usr/bin/env python
# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""block_wipe benchmark: prints numbers, asserts nothing but the verification. Needs root (losetup).

  Method and the last numbers: README.md beside this file.
  On a loop device over a file on the control node, in the same run, each contender from a clean page cache and
  their order rotated round by round:
    dd         `dd if=/dev/zero of=DEV bs=4M count=N oflag=direct`   (the issue's baseline)
    dd+fsync   the same with conv=fsync
    block_wipe a zero pass as the module runs it (module_utils/_wipe.write_pass: O_DIRECT, 4 MiB page-aligned
               blocks, DEFAULT_DEPTH writes in flight, closing fsync included), then its full read-back
    depth 1    the same with one request in flight (what block_wipe did before, and what dd does)
  Two loop devices are measured one after the other: `buffered` (losetup default: the loop driver writes the
  backing file through the page cache, so dd's oflag=direct only reaches RAM and the cost comes at the next
  flush) and `direct` (losetup --direct-io=on: writes reach the file's disk as on a real disk).
  Prints per round and the medians, the ratio block_wipe / dd (goal >= 0.9x), the write loop without the fsync
  (like for like with dd), wipe+verify time, and the load average before and after.

  .venv/bin/python benchmarks/wipe/bench.py                         # 512 MiB, 5 rounds, both loop modes
  .venv/bin/python benchmarks/wipe/bench.py --size-mib 1024 --rounds 3 --loop direct --random
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(REPO, ".work", "collections"))

from ansible_collections.govcloud.lifecycle.plugins.module_utils import _wipe  # noqa: E402

BS = 4 * 1024 * 1024


def run_dd(dev, size, fsync=False):
    start = time.monotonic()
    subprocess.run(["dd", "if=/dev/zero", "of=" + dev, "bs=4M", "count=%d" % (size // BS), "oflag=direct",
                    "status=none"] + (["conv=fsync"] if fsync else []), check=True)
    return time.monotonic() - start


def load():
    return "%.2f %.2f %.2f" % os.getloadavg()


def flush(dev):
    fd = os.open(dev, os.O_WRONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def bench_device(dev, size, rounds, depth):
    """The contenders on dev, each from a clean page cache (an untimed fsync first), their order rotated from
    round to round so that none always follows the same one. Returns {name: [seconds per round]}."""
    t = {k: [] for k in ("dd", "dd+fsync", "block_wipe", "block_wipe loop", "verify", "depth 1", "verify depth 1")}

    def block_wipe(d, name, verify_name):
        w = _wipe.write_pass(dev, size, "zero", b"", BS, depth=d)
        t[name].append(w["seconds"])
        if d == depth:
            t["block_wipe loop"].append(w["seconds"] - w["flush_seconds"])
        check = _wipe.verify(dev, size, "zero", b"", "full", block_size=BS, depth=d)
        assert check["result"] == "pass" and check["bytes_checked"] == size and w["direct_io"], (check, w)
        t[verify_name].append(check["seconds"])

    contenders = [lambda: t["dd"].append(run_dd(dev, size)),
                  lambda: t["dd+fsync"].append(run_dd(dev, size, fsync=True)),
                  lambda: block_wipe(depth, "block_wipe", "verify"),
                  lambda: block_wipe(1, "depth 1", "verify depth 1")]
    for i in range(rounds):
        for k in range(len(contenders)):
            flush(dev)
            contenders[(i + k) % len(contenders)]()
        print("  round %d: %s" % (i + 1, ", ".join("%s %.0f MB/s" % (k, _wipe.mb_per_s(size, v[-1])) for k, v in t.items())))
    return t


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size-mib", type=int, default=512)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--depth", type=int, default=_wipe.DEFAULT_DEPTH, help="block_wipe's requests in flight")
    ap.add_argument("--loop", choices=("buffered", "direct", "both"), default="both")
    ap.add_argument("--dir", default=os.environ.get("TMPDIR", "/var/tmp"),
                    help="where the backing file goes (a real disk, not tmpfs)")
    ap.add_argument("--random", action="store_true", help="also time one random pass with full verification")
    args = ap.parse_args()
    size = args.size_mib * 1024 * 1024
    modes = ("buffered", "direct") if args.loop == "both" else (args.loop,)
    print("%d MiB, block size 4 MiB, %d rounds, block_wipe depth %d, %d CPUs, load average %s" % (
        args.size_mib, args.rounds, args.depth, os.cpu_count(), load()))
    for mode in modes:
        workdir = tempfile.mkdtemp(prefix="wipe-bench-", dir=args.dir)
        backing = os.path.join(workdir, "disk.img")
        dev = None
        try:
            with open(backing, "wb") as f:
                f.truncate(size)
            dev = subprocess.run(["losetup", "-f", "--show", "--direct-io=%s" % ("on" if mode == "direct" else "off"),
                                  backing], check=True, capture_output=True, text=True).stdout.strip()
            print("loop %s: %s over %s" % (mode, dev, backing))
            run_dd(dev, size, fsync=True)  # allocate the backing file first, so no contender pays for it
            t = bench_device(dev, size, args.rounds, args.depth)
            med = {k: statistics.median(v) for k, v in t.items()}
            mb = {k: _wipe.mb_per_s(size, v) for k, v in med.items()}
            print("  median MB/s: " + ", ".join("%s %.0f" % kv for kv in mb.items()))
            print("  block_wipe / dd oflag=direct: %.2fx (goal >= 0.9x); / dd conv=fsync: %.2fx; write loop without "
                  "its fsync / dd: %.2fx; depth 1 / dd: %.2fx" % (
                      mb["block_wipe"] / mb["dd"], mb["block_wipe"] / mb["dd+fsync"],
                      mb["block_wipe loop"] / mb["dd"], mb["depth 1"] / mb["dd"]))
            print("  wipe+verify (zero, full read-back): %.2f s for %d MiB (write %.2f s + verify %.2f s); "
                  "depth 1: %.2f s" % (med["block_wipe"] + med["verify"], args.size_mib, med["block_wipe"],
                                       med["verify"], med["depth 1"] + med["verify depth 1"]))
            if args.random:
                facts = _wipe.wipe(dev, size, "random", 1, "full", block_size=BS, depth=args.depth)
                print("  random pass: write %.1f MB/s (%.2f s), full verify %.2f s, result %s" % (
                    facts["throughput_mb_s"], facts["write_seconds"], facts["verification"]["seconds"],
                    facts["verification"]["result"]))
        finally:
            if dev:
                subprocess.run(["losetup", "-d", dev], check=False)
            if os.path.exists(backing):
                os.unlink(backing)
            os.rmdir(workdir)
    print("load average after: %s" % load())


if __name__ == "__main__":
    main()
