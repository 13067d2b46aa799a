# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Sample the total RSS of the dev cloud's processes every few seconds; keep the peak.

Our processes are those in the sessions whose leaders run/*.pid and run/sessions name (see lib/proc.sh),
so forked workers and Erlang helpers count too. Writes logs/mem.tsv (time, MiB, processes) and
run/mem.peak (JSON: peak MiB, process count and per-service MiB at the peak, current values).
"""
from __future__ import annotations

import glob
import json
import os
import sys
import time

home, logs, run = sys.argv[1], sys.argv[2], sys.argv[3]
interval = float(sys.argv[4]) if len(sys.argv) > 4 else 2.0


def sessions():
    found = {}
    for path in glob.glob(os.path.join(run, "*.pid")):
        name = os.path.basename(path)[:-4]
        try:
            with open(path) as fh:
                found[int(fh.read().strip())] = name
        except (OSError, ValueError):
            continue
    try:
        with open(os.path.join(run, "sessions")) as fh:
            for line in fh:
                parts = line.split()
                if len(parts) == 2 and parts[1].isdigit():
                    found.setdefault(int(parts[1]), parts[0])
    except OSError:
        pass
    return found


def sample():
    total_kib, count, by_service = 0, 0, {}
    ours = sessions()
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            service = ours.get(int(fields[3]))  # field 6 of stat: session id
            if service is None or service == "memsampler":
                continue
            with open(f"/proc/{pid}/status") as fh:
                rss = next((int(line.split()[1]) for line in fh if line.startswith("VmRSS:")), 0)
        except (OSError, ValueError, IndexError):
            continue
        total_kib += rss
        count += 1
        by_service[service] = by_service.get(service, 0) + rss
    return total_kib // 1024, count, {k: v // 1024 for k, v in by_service.items()}


peak_file = os.path.join(run, "mem.peak")
peak = {"peak_mib": 0}
if os.path.exists(peak_file):
    try:
        with open(peak_file) as fh:
            peak = json.load(fh)
    except (OSError, ValueError):
        pass
with open(os.path.join(logs, "mem.tsv"), "a", buffering=1) as out:
    while True:
        mib, count, by_service = sample()
        now = time.strftime("%Y-%m-%dT%H:%M:%S")
        out.write(f"{now}\t{mib}\t{count}\n")
        current = {"current_mib": mib, "processes": count, "time": now, "by_service_mib": by_service}
        if mib > peak.get("peak_mib", 0):
            peak = {"peak_mib": mib, "processes_at_peak": count, "peak_time": now, "peak_by_service_mib": by_service}
        tmp = peak_file + ".tmp"
        with open(tmp, "w") as fh:
            json.dump({**peak, **current}, fh)
        os.replace(tmp, peak_file)
        time.sleep(interval)
