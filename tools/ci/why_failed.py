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


def _parse(payload):
    """The JSON of a failed result. Molecule wraps long lines in its box, at a space (which it drops) or inside a
    word: glued back without a space the JSON stays valid (only words of a string may run together)."""
    for text in ("".join(payload), " ".join(payload)):
        try:
            return json.loads(text)
        except ValueError:
            continue
    found = re.search(r'"msg": "((?:[^"\\]|\\.)*)"', " ".join(payload))
    return {"msg": found.group(1) if found else " ".join(payload)[:600]}


def failures(lines):
    task, out, pending = "", [], None
    lines = [BOX.sub("", ANSI.sub("", line.rstrip("\n"))) for line in lines] + [""]
    for line in lines:
        if pending is not None:
            if line.startswith("  "):
                pending[2].append(line.strip())
                continue
            head, ptask, payload = pending
            result = _parse(payload)
            detail = [head + " " + str(result.get("msg", ""))[:600]]
            stderr = [ANSI.sub("", x).strip() for x in result.get("stderr_lines") or []]
            detail += ["stderr: " + x[:300] for x in [x for x in stderr if x][-5:]]
            out.append((ptask, detail))
            pending = None
        if line.startswith("TASK ["):
            task = line.rstrip("* ")
        elif line.startswith("...ignoring") and out:
            out.pop()
        elif line.startswith(("fatal: ", "failed: ")) and "=> " in line:
            head, _, payload = line.partition("=> ")
            pending = (head.strip(), task, [payload])
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
