#!/usr/bin/env python
# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""block_wipe benchmark: prints numbers, asserts nothing. Needs root (losetup).

  Write throughput of block_wipe's zero pass (module_utils/_wipe.py, as the module runs it, fsync included)
  beside `dd if=/dev/zero of=DEV bs=4M count=N oflag=direct` on the same loop device over a file, alternating
  in the same run; the ratio (goal >= 0.9x dd), the full read-back time and wipe+verify time; optionally a
  random pass. The loop device and its file are removed at the end, also after an error or Ctrl-C.

  .venv/bin/python benchmarks/wipe/bench.py                     # 512 MiB, 3 rounds
  .venv/bin/python benchmarks/wipe/bench.py --size-mib 1024 --rounds 5 --random
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


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size-mib", type=int, default=512)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--dir", default=os.environ.get("TMPDIR", "/var/tmp"),
                    help="where the backing file goes (a real disk, not tmpfs)")
    ap.add_argument("--loop-direct-io", action="store_true",
                    help="losetup --direct-io=on: the loop device writes its file with O_DIRECT, like a real disk")
    ap.add_argument("--random", action="store_true", help="also time one random pass with full verification")
    args = ap.parse_args()
    size = args.size_mib * 1024 * 1024

    workdir = tempfile.mkdtemp(prefix="wipe-bench-", dir=args.dir)
    backing = os.path.join(workdir, "disk.img")
    dev = None
    try:
        with open(backing, "wb") as f:
            f.truncate(size)
        losetup = ["losetup", "-f", "--show"] + (["--direct-io=on"] if args.loop_direct_io else []) + [backing]
        dev = subprocess.run(losetup, check=True, capture_output=True, text=True).stdout.strip()
        print("device %s over %s, %d MiB, block size 4 MiB, %d rounds" % (dev, backing, args.size_mib, args.rounds))
        # allocate the backing file first, so neither side pays for it
        run_dd(dev, size)
        dd_s, ddsync_s, wipe_s, verify_s = [], [], [], []
        for i in range(args.rounds):
            dd_s.append(run_dd(dev, size))
            # block_wipe ends with fsync (the data must be on the media before it is verified); dd does not
            ddsync_s.append(run_dd(dev, size, fsync=True))
            seconds, direct = _wipe.write_pass(dev, size, "zero", b"", BS)
            wipe_s.append(seconds)
            check = _wipe.verify(dev, size, "zero", b"", "full", block_size=BS)
            assert check["result"] == "pass", check
            verify_s.append(check["seconds"])
            print("round %d: dd %.1f MB/s, dd conv=fsync %.1f MB/s, block_wipe %.1f MB/s (direct_io=%s), full verify %.1f MB/s" % (
                i + 1, _wipe.mb_per_s(size, dd_s[-1]), _wipe.mb_per_s(size, ddsync_s[-1]), _wipe.mb_per_s(size, seconds), direct,
                _wipe.mb_per_s(size, check["seconds"])))
        dd_mb = _wipe.mb_per_s(size, statistics.median(dd_s))
        wipe_mb = _wipe.mb_per_s(size, statistics.median(wipe_s))
        ddsync_mb = _wipe.mb_per_s(size, statistics.median(ddsync_s))
        print("median: dd %.1f MB/s, block_wipe %.1f MB/s, ratio %.2fx dd (goal >= 0.9x); dd conv=fsync %.1f MB/s, "
              "ratio %.2fx" % (dd_mb, wipe_mb, wipe_mb / dd_mb, ddsync_mb, wipe_mb / ddsync_mb))
        print("median wipe+verify (zero, full read-back): %.2f s for %d MiB (write %.2f s + verify %.2f s)" % (
            statistics.median(wipe_s) + statistics.median(verify_s), args.size_mib, statistics.median(wipe_s),
            statistics.median(verify_s)))
        if args.random:
            facts = _wipe.wipe(dev, size, "random", 1, "full", block_size=BS)
            print("random pass: write %.1f MB/s (%.2f s), full verify %.2f s, result %s" % (
                facts["throughput_mb_s"], facts["write_seconds"], facts["verification"]["seconds"],
                facts["verification"]["result"]))
    finally:
        if dev:
            subprocess.run(["losetup", "-d", dev], check=False)
        if os.path.exists(backing):
            os.unlink(backing)
        os.rmdir(workdir)


if __name__ == "__main__":
    main()
