#!/usr/bin/env python3
# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What an assessor checks first in a report, checked where `make demo` ends (and by the report tests):

  check_report.py REPORT_DIR

- every control row (HTML and JSON) lists only records about that very control: the record's
  ``details.control``, the control id among its clauses, or a sub-clause that has that one control;
- no control that needs a manual check (人工核查) is shown as a gap: attested, not applicable, or "manual check due".

Prints the counts; exit 1 naming every row and record that breaks a rule."""

from __future__ import annotations

import json
import os
import pathlib
import re
import sys

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / ".work" / "collections"))

from ansible_collections.govcloud.lifecycle.plugins.plugin_utils import _report as R  # noqa: E402

_ROW = re.compile(r'<tr id="control-([^"]+)"[^>]*>(.*?)</tr>', re.S)
_MANUAL_OK = ("attested", "not_applicable", "manual_due")


def control_rows(html):
    """control id -> the record sequence numbers its HTML row lists."""
    rows = {}
    for m in _ROW.finditer(html):
        cell = re.search(r'<td class="ev">(.*?)</td>', m.group(2), re.S)
        rows[m.group(1)] = [int(s) for s in re.findall(r"<li><b>#(\d+)</b>", cell.group(1) if cell else "")]
    return rows


def check(out):
    """(summary, problems) for the report files in directory out."""
    out = pathlib.Path(out)
    export = json.loads((out / R.FILE_NAMES["json"]).read_text(encoding="utf-8"))
    html = (out / R.FILE_NAMES["html"]).read_text(encoding="utf-8")
    by_seq = {r["seq"]: r for r in export["records"]}
    catalog = R.load_catalog()["mlps"]["controls"]
    items = {}
    for c in catalog:
        items.setdefault("%s.%s" % (c["clause"], c["item"]) if c["item"] else c["clause"], []).append(c["id"])
    sole = {item: ids[0] for item, ids in items.items() if len(ids) == 1}

    def about(seq, cid):
        rec = by_seq.get(seq)
        if rec is None:
            return False
        control = rec["details"].get("control")
        return control == cid or cid in rec["clauses"] or (
            not control and any(sole.get(ref) == cid for ref in rec["clauses"]))

    problems = []
    rows = control_rows(html)
    if len(rows) != len(catalog):
        problems.append("the HTML has %d control rows, the catalog %d controls" % (len(rows), len(catalog)))
    listed = 0
    for where, pairs in (("HTML", rows.items()), ("JSON", ((c["id"], c["records"]) for c in export["controls"]))):
        for cid, seqs in pairs:
            for seq in seqs:
                listed += 1
                if not about(seq, cid):
                    problems.append("%s row %s lists record #%s, which is not about it" % (where, cid, seq))
    status = {c["id"]: c["status"] for c in export["controls"]}
    manual = export.get("manual_controls") or {}
    for cid in manual.get("ids") or []:
        if status.get(cid) not in _MANUAL_OK:
            problems.append("manual control %s is shown as %s" % (cid, status.get(cid)))
    summary = {"controls": len(rows), "record_links": listed, "manual": {
        k: manual.get(k) for k in ("total", "attested", "not_applicable", "due", "other")}}
    return summary, problems


def main(argv):
    if len(argv) != 1 or not os.path.isdir(argv[0]):
        print(__doc__)
        return 2
    summary, problems = check(argv[0])
    m = summary["manual"]
    print("report check: %d control rows, %d record links, each about its own control; manual controls %s: "
          "%s attested, %s not applicable, %s manual check due, %s other" % (
              summary["controls"], summary["record_links"], m["total"], m["attested"], m["not_applicable"],
              m["due"], m["other"]))
    for problem in problems:
        print("report check: " + problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
