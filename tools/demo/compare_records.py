#!/usr/bin/env python3
# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The demo's record shape (which record kinds cite which clauses), kept across refactorings of the house:

  compare_records.py dump LEDGER_SQLITE [--since SEQ] > tools/demo/records.json
  compare_records.py check LEDGER_SQLITE [--since SEQ] [--shape tools/demo/records.json]

A shape is the set of distinct (stage, kind, clauses) of the records written by evidence modules, and of
(stage, task, clauses) of the callback's task records (a task records only when it changed, so a run that
finds a task done has no record of it: a task seen on one side only is listed, not counted as a difference).

``check`` compares the ledger's records after ``--since`` with the checked-in shape and exits 1 naming every
difference, except the corrections this file allows:

- a task led by a control id (``8.1.4.1.a | ...``, ``JX-2.7 | ...``) may cite that control and its ancestors
  (and the same clause at the other MLPS level, 7.x beside 8.x), which it did not always before (issue 14:
  tags derived from the control id that leads the name);
- the corrections listed in ``tools/demo/record-corrections.yml``, each with its reason: a record kind cited
  differently (``kind``, ``before``, ``after``), a record kind citing clauses it never cited before (``kind``,
  ``added``: a new kind of evidence, e.g. a switched-off control's record), or clauses the tasks of one task
  file may now cite besides
  (``task_file``, ``gain``: e.g. the import that includes the file is named after two controls and now carries
  both tags).

A task is known by its stage and its name without the role prefix (``tenant : ``), so that a task moved from a
playbook into a role is still compared.

Read-only: the ledger is opened with ``mode=ro``.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import re
import sqlite3
import sys

import yaml

HERE = pathlib.Path(__file__).resolve().parent
_LEAD = re.compile(r"^(?:[\w.]+ : )?((?:[78](?:\.\d+)+(?:\.[a-z])?)|JX-\d+(?:\.\d+)*)(?:-\d+)? \|")
_ON_HOST = re.compile(r" on [^ ]+$")
_ROLE = re.compile(r"^[\w.]+ : ")
_IN_COLLECTION = re.compile(r"^.*/ansible_collections/[^/]+/[^/]+/")


def task_key(stage, name):
    """How a task is known across refactorings: stage and name, without the role prefix and the host."""
    return "%s|%s" % (stage, _ROLE.sub("", _ON_HOST.sub("", name or "")))


def task_file(path):
    """The task file of a task_path, relative to the collection (roles/x/tasks/y.yml), without the line."""
    return _IN_COLLECTION.sub("", (path or "").rsplit(":", 1)[0])


def shape(ledger, since=0):
    """{"records": [[stage, kind, clauses]], "tasks": {"stage|task": [clauses sets]}, "files": {"stage|task":
    [task files]}} of a ledger's records."""
    conn = sqlite3.connect("file:%s?mode=ro" % ledger, uri=True)
    try:
        rows = conn.execute("SELECT stage, kind, clauses, details FROM records WHERE seq > ? ORDER BY seq",
                            (since,)).fetchall()
    finally:
        conn.close()
    records, tasks, files = set(), {}, {}
    for stage, kind, clauses, details in rows:
        cited = tuple(sorted(json.loads(clauses)))
        if kind == "task":
            info = json.loads(details)
            key = task_key(stage, info.get("task"))
            tasks.setdefault(key, set()).add(cited)
            files.setdefault(key, set()).add(task_file(info.get("task_path")))
        else:
            records.add((stage, kind, cited))
    return {"records": sorted(list(r[:2]) + [list(r[2])] for r in records),
            "tasks": {k: sorted(list(c) for c in v) for k, v in sorted(tasks.items())},
            "files": {k: sorted(v) for k, v in sorted(files.items())}}


def _other_level(clause):
    return ("7" + clause[1:]) if clause.startswith("8.") else ("8" + clause[1:]) if clause.startswith("7.") else clause


def lead_clauses(task):
    """The clauses a task name's leading control id lets it cite: the id, its ancestors, both MLPS levels."""
    m = _LEAD.match(task)
    if not m:
        return set()
    lead = m.group(1)
    if lead.startswith("JX-"):
        return {lead}
    parts = lead.split(".")
    out = {".".join(parts[:i]) for i in range(2, len(parts) + 1)}
    return out | {_other_level(c) for c in out}


def _load(path):
    with open(path, encoding="utf-8") as handle:
        items = yaml.safe_load(handle) or []
    for item in items:
        if not str(item.get("why") or "").strip():
            raise ValueError("%s: a correction without its reason (why): %r" % (path, item))
    return items


def _corrections(path):
    """Record kinds cited differently: {(stage, kind, before clauses): after clauses}."""
    return {(i["stage"], i["kind"], tuple(sorted(i["before"]))): tuple(sorted(i["after"]))
            for i in _load(path) if "kind" in i and "before" in i}


def _added(path):
    """Record kinds citing clauses the shape had not: {(stage, kind, clauses)}."""
    return {(i["stage"], i["kind"], tuple(sorted(i["added"]))) for i in _load(path) if "added" in i}


def _gains(path):
    """Clauses the tasks of a task file may cite besides: {task file: set of clauses}."""
    out = {}
    for item in _load(path):
        if "task_file" in item:
            out.setdefault(item["task_file"], set()).update(item["gain"])
    return out


def compare(before, after, corrections, gains=None, added=None):
    """Differences (strings) between two shapes, and the tasks seen on one side only."""
    problems, one_side = [], []
    old_tasks = {}
    for key, sets in before["tasks"].items():
        stage, name = key.split("|", 1)
        old_tasks.setdefault(task_key(stage, name), []).extend(sets)
    before = dict(before, tasks=old_tasks)
    expected = set()
    for stage, kind, cited in before["records"]:
        key = (stage, kind, tuple(cited))
        expected.add((stage, kind, corrections.get(key, key[2])))
    seen = {(stage, kind, tuple(cited)) for stage, kind, cited in after["records"]}
    for stage, kind, cited in sorted(expected - seen):
        problems.append("missing: %s %s citing %s" % (stage, kind, list(cited) or "nothing"))
    for stage, kind, cited in sorted(seen - expected - set(added or ())):
        problems.append("new: %s %s citing %s" % (stage, kind, list(cited) or "nothing"))
    for key in sorted(set(before["tasks"]) | set(after["tasks"])):
        if key not in before["tasks"] or key not in after["tasks"]:
            one_side.append("%s (%s only)" % (key, "before" if key in before["tasks"] else "now"))
            continue
        allowed = set(lead_clauses(key.split("|", 1)[1]))
        for path in (after.get("files") or {}).get(key, ()):
            allowed |= (gains or {}).get(path, set())
        for cited in after["tasks"][key]:
            if not any(set(old) <= set(cited) and set(cited) - set(old) <= allowed
                       for old in before["tasks"][key]):
                problems.append("task %s cites %s; before %s" % (key, cited, before["tasks"][key]))
    return problems, one_side


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=["dump", "check"])
    parser.add_argument("ledger")
    parser.add_argument("--since", type=int, default=0, help="only records after this sequence number")
    parser.add_argument("--shape", default=str(HERE / "records.json"))
    parser.add_argument("--corrections", default=str(HERE / "record-corrections.yml"))
    opts = parser.parse_args(argv)
    now = shape(opts.ledger, opts.since)
    if opts.action == "dump":
        json.dump(now, sys.stdout, indent=1, ensure_ascii=False, sort_keys=True)
        sys.stdout.write("\n")
        return 0
    with open(opts.shape, encoding="utf-8") as handle:
        before = json.load(handle)
    problems, one_side = compare(before, now, _corrections(opts.corrections), _gains(opts.corrections),
                                 _added(opts.corrections))
    print("record shape: %d record kinds/clauses, %d tasks now; %d tasks on one side only (not run or unchanged)"
          % (len(now["records"]), len(now["tasks"]), len(one_side)))
    for line in one_side:
        print("  one side: " + line)
    for line in problems:
        print("DIFFERENT " + line)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
