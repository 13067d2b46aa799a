#!/usr/bin/env python3
# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Why a scenario failed, in a few lines: the last failed tasks of a Molecule or pytest log, each with its
message and the last lines of its stderr (a CI record often keeps only the tail of the whole output).

  why_failed.py LOG [N]     the last N (default 3) failures
"""

from __future__ import annotations

import json
import re
import sys

ANSI = re.compile(r"\x1b\[[0-9;]*m")
BOX = re.compile(r"^ *│ ?")


def failures(lines):
    task, out = "", []
    for line in lines:
        line = BOX.sub("", ANSI.sub("", line.rstrip("\n")))
        if line.startswith("TASK ["):
            task = line.rstrip("* ")
        elif line.startswith("...ignoring") and out:
            out.pop()
        elif line.startswith(("fatal: ", "failed: ")) and "=> " in line:
            head, _, payload = line.partition("=> ")
            try:
                result = json.loads(payload)
            except ValueError:
                out.append((task, [line[:600]]))
                continue
            detail = [head.strip() + " " + str(result.get("msg", ""))[:600]]
            detail += ["stderr: " + x[:300] for x in (result.get("stderr_lines") or [])[-6:]]
            out.append((task, detail))
        elif line.startswith(("E   ", "ERROR! ", "CRITICAL ")) and "glob failed" not in line:
            # (Molecule's "CRITICAL 'molecule/default/molecule.yml' glob failed" opens every log: not a failure)
            out.append((task or "pytest", [line[:600]]))
    return out


def main(argv):
    count = int(argv[2]) if len(argv) > 2 else 3
    with open(argv[1], encoding="utf-8", errors="replace") as log:
        found = failures(log)
    for task, detail in found[-count:]:
        print("  | " + (task or "(no task)"))
        for line in detail:
            print("  |   " + line)
    if not found:
        print("  | no failed task in the log; its last lines:")
        with open(argv[1], encoding="utf-8", errors="replace") as log:
            for line in log.readlines()[-5:]:
                print("  |   " + ANSI.sub("", line.rstrip())[:300])


if __name__ == "__main__":
    main(sys.argv)
