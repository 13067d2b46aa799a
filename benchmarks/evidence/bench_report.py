#!/usr/bin/env python3
# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Time the auditor report (HTML + JSON export + OSCAL) over a ledger of N records (default 100,000).

Prints numbers only; the target is <= 10 s for 100,000 records. Tests never assert timings.
Usage: .venv/bin/python benchmarks/evidence/bench_report.py [N] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import pathlib
import sys
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / ".work" / "collections"))
sys.path.insert(0, str(REPO / "tests" / "unit" / "plugins" / "module_utils"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("records", nargs="?", type=int, default=100_000)
    ap.add_argument("--keep", help="reuse/keep the ledger in this directory")
    args = ap.parse_args()
    os.environ.setdefault("GOVCLOUD_EVIDENCE_KEY", os.path.join(tempfile.gettempdir(), "bench-report-no-key.pem"))
    import report_cases as C

    work = pathlib.Path(args.keep or tempfile.mkdtemp(prefix="bench-report-"))
    ledger = work / "ledger"
    if not (ledger / "ledger.sqlite").exists():
        t0 = time.perf_counter()
        base = len(C.lifecycle())
        C.build_ledger(ledger, extra=max(args.records - base, 0))
        print("build ledger: %d records in %.2f s (not part of the report time)"
              % (max(args.records, base), time.perf_counter() - t0))
    for run in (1, 2):
        out = work / ("out%d" % run)
        t0 = time.perf_counter()
        result = C.render(ledger, out)
        took = time.perf_counter() - t0
        sizes = ", ".join("%s %.1f MB" % (k, os.path.getsize(v["path"]) / 1e6) for k, v in result["files"].items())
        print("report run %d: %d records -> %.2f s (%s)" % (run, result["record_count"], took, sizes))
    print("target: <= 10 s for 100000 records")


if __name__ == "__main__":
    main()
