# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Each application's state from its ledger and runs (govcloud status), and the management unit's portfolio.

Deadlines use the auditor report's own rules (plugins/plugin_utils/_report.py: service_checks, the phase
collector), so the portfolio and the per-application report never disagree about a due date.
"""

from __future__ import annotations

import datetime
import html
import json
import os

import jinja2

from . import runs as runs_mod
from .project import UsageError

PHASES = ("none", "application", "approved", "rejected", "allocated", "trial", "formal_operation", "decommissioned")
PHASE_TERMS = {
    "none": ("无记录", "No records"), "application": ("已申请", "Applied"), "approved": ("已审批", "Approved"),
    "rejected": ("未通过审批", "Rejected"), "allocated": ("已分配资源", "Resources allocated"),
    "trial": ("试运行", "Trial run"), "formal_operation": ("正式运行", "Formal operation"),
    "decommissioned": ("已下线", "Decommissioned"),
}
DEADLINE_TERMS = {
    "approval_time": ("审批时限", "Approval time limit"),
    "trial_end": ("试运行结束", "End of trial run"),
    "filing_deadline": ("备案期限（正式运行后30日）", "Filing due (30 days after formal operation)"),
    "mlps_assessment_interval": ("下次等保测评", "Next MLPS assessment"),
}
STATUS_TERMS = {
    "overdue": ("已逾期", "overdue"), "due_soon": ("即将到期", "due soon"), "open": ("未到期", "open"),
    "late": ("超时完成", "done late"), "met": ("按时完成", "met"),
}
URGENCY = {"overdue": 0, "due_soon": 1, "open": 2}
TRIAL_SOON_DAYS = 7
REPORT_PARAMS = {"approval_working_days": 5, "filing_window_days": 30, "assessment_interval_months": {"3": 12, "4": 6}}


def _date(value):
    try:
        return datetime.date.fromisoformat(str(value)[:10])
    except (TypeError, ValueError):
        return None


_CATALOG = {}


def _catalog(rep):
    # the clause and control catalogue is the same for every application: read it once per process
    if "catalog" not in _CATALOG:
        _CATALOG["catalog"] = rep.load_catalog()
    return _CATALOG["catalog"]


def summarise(project, inv, today, verify=True):
    """One application's stage, phase, deadlines, open items, chain verification and last run."""
    ev = project.plugin_utils("evidence")
    rep = project.plugin_utils("_report")
    manifest = project.manifest(inv)
    app_id = manifest["id"]
    level = (manifest.get("mlps") or {}).get("level")
    row = {"app": app_id, "inventory": inv, "name": manifest.get("name") or {}, "level": level, "phase": "none",
           "stage": None, "records": 0, "last_record": None, "verification": None, "deadlines": [], "breaches": [],
           "next_deadline": None, "urgency": 3, "open_items": [], "last_run": None}
    ledger_dir = project.ledger_dir(inv)
    runs = runs_mod.app_runs(project.runs_dir(inv))
    if runs:
        last = runs[0]
        row["last_run"] = {k: last.get(k) for k in ("ident", "stage", "status", "rc", "started", "finished", "check")}
    if not os.path.isfile(os.path.join(ledger_dir, ev.DB_NAME)):
        return row
    ledger = ev.Ledger(ledger_dir, create=False)
    try:
        tz = rep.parse_offset("+08:00")
        agg = rep.Aggregator(_catalog(rep), list(ev.STAGES), tz, 0)
        furthest = -1
        decisions = []
        applied = False
        for rec in ledger.records(application=app_id):
            agg.add(rec)
            row["records"] += 1
            row["last_record"] = rec["ts"]
            if rec["result"] != "fail" and rec["stage"] in ev.STAGES:
                furthest = max(furthest, ev.STAGES.index(rec["stage"]))
            if rec["kind"] == "application" and rec["result"] != "fail":
                applied = True
            if rec["kind"] == "approval" and (rec.get("details") or {}).get("subject", "application") == "application":
                decisions.append(rec["result"])
        if verify:
            result = ledger.verify()
            row["verification"] = {"ok": bool(result.get("ok")), "count": result.get("count"),
                                   "reason": result.get("reason"), "first_bad_seq": result.get("first_bad_seq")}
    finally:
        ledger.close()
    row["stage"] = ev.STAGES[furthest] if furthest >= 0 else None
    stats = agg.stage_stats
    phases = agg.phases

    def passed(stage):
        return stats[stage]["count"] > 0 and stats[stage]["last_result"] in ("pass", "changed", "info")

    if passed("decommission"):
        row["phase"] = "decommissioned"
    elif phases.promotion and any(p["result"] == "pass" for p in phases.promotion):
        row["phase"] = "formal_operation"
    elif phases.trial or stats["deployment"]["count"] or stats["trial"]["count"]:
        row["phase"] = "trial"
    elif passed("resource_allocation"):
        row["phase"] = "allocated"
    elif decisions:
        row["phase"] = "rejected" if decisions[-1] == "fail" else "approved"
    elif applied:  # a refused intake leaves task records under 'application', but no application record
        row["phase"] = "application"
    level = agg.level or level
    row["level"] = level

    checks = rep.service_checks(agg, level, REPORT_PARAMS, rep.WorkCalendar(set(), set()), today)
    for check in checks:
        if check["status"] in ("overdue", "due_soon", "open") and check.get("deadline"):
            row["deadlines"].append({"id": check["id"], "date": check["deadline"], "status": check["status"]})
        elif check["status"] == "late":
            row["breaches"].append({"id": check["id"], "deadline": check["deadline"], "done": check["done"]})
    if row["phase"] == "trial":
        trial = phases.trial[-1] if phases.trial else None
        end = _date(trial.get("end")) if trial else _date((manifest.get("trial") or {}).get("end"))
        completed = phases.trial_completion and (not trial or phases.trial_completion[-1]["seq"] > trial["seq"])
        if end and not completed:
            status = "overdue" if today > end else "due_soon" if (end - today).days <= TRIAL_SOON_DAYS else "open"
            row["deadlines"].append({"id": "trial_end", "date": end.isoformat(), "status": status})
    if phases.runs and phases.runs[-1]["result"] != "pass":
        latest = phases.runs[-1]
        row["open_items"] = [{"item": b, "source": "security_assessment", "seq": latest["seq"]}
                             for b in latest["blocking"]]
        row["open_items_total"] = latest["blocking_total"]
    row["deadlines"].sort(key=lambda d: (URGENCY[d["status"]], d["date"]))
    if row["deadlines"]:
        row["next_deadline"] = row["deadlines"][0]
        row["urgency"] = URGENCY[row["deadlines"][0]["status"]]
    return row


def collect(project, invs, today, stage=None, level=None, verify=True):
    rows = []
    for inv in invs:
        row = summarise(project, inv, today, verify=verify)
        if stage and row["stage"] != stage and row["phase"] != stage:
            continue
        if level and row["level"] != level:
            continue
        rows.append(row)
    # overdue first, then due soon, each by date; then the rest by their next date; then those without deadlines
    rows.sort(key=lambda r: (r["urgency"], (r["next_deadline"] or {}).get("date") or "9999", r["app"]))
    return rows


# -------------------------------------------------------------------------------------------- charts

def _bar_chart(bars, title, width=520, height=200):
    """An inline SVG bar chart (no script, no network): bars = [(label, value, css_class)]."""
    top = max([v for _l, v, _c in bars] + [1])
    n = max(len(bars), 1)
    left, bottom, gap = 8, 40, 6
    bw = (width - left * 2 - gap * (n - 1)) / n
    parts = ['<svg xmlns="http://www.w3.org/2000/svg" role="img" width="%d" height="%d" viewBox="0 0 %d %d">'
             % (width, height, width, height), "<title>%s</title>" % html.escape(title)]
    for i, (label, value, cls) in enumerate(bars):
        h = (height - bottom - 16) * value / top
        x = left + i * (bw + gap)
        y = height - bottom - h
        parts.append('<rect class="%s" x="%.1f" y="%.1f" width="%.1f" height="%.1f"><title>%s: %d</title></rect>'
                     % (cls, x, y, bw, h, html.escape(label), value))
        parts.append('<text x="%.1f" y="%.1f" text-anchor="middle" class="v">%d</text>' % (x + bw / 2, y - 3, value))
        parts.append('<text x="%.1f" y="%d" text-anchor="middle" class="l">%s</text>'
                     % (x + bw / 2, height - bottom + 14, html.escape(label)))
    parts.append("</svg>")
    return "".join(parts)


def charts(rows, today, lang):
    i = 0 if lang == "zh-CN" else 1
    per_phase = [(PHASE_TERMS[p][i], sum(1 for r in rows if r["phase"] == p), "phase")
                 for p in PHASES if any(r["phase"] == p for r in rows)]
    weeks = []
    for w in range(13):
        start = today + datetime.timedelta(days=7 * w)
        end = start + datetime.timedelta(days=6)
        count = sum(1 for r in rows for d in r["deadlines"] if start <= _date(d["date"]) <= end)
        weeks.append(((start.strftime("%m-%d")), count, "week"))
    overdue = sum(1 for r in rows for d in r["deadlines"] if d["status"] == "overdue")
    weeks.insert(0, ("逾期" if i == 0 else "overdue", overdue, "overdue"))
    return {
        "phases": _bar_chart(per_phase, "各阶段应用数" if i == 0 else "Applications per phase"),
        "deadlines": _bar_chart(weeks, "未来90天到期事项（按周）" if i == 0 else "Deadlines over the next 90 days, by week",
                                width=720),
    }


def render(rows, today, lang, generated):
    env = jinja2.Environment(loader=jinja2.PackageLoader("govcloud_frontend", "templates"), autoescape=True)
    i = 0 if lang == "zh-CN" else 1
    return env.get_template("portfolio.html.j2").render(
        rows=rows, lang=lang, i=i, today=today.isoformat(), generated=generated, charts=charts(rows, today, lang),
        phase_terms=PHASE_TERMS, deadline_terms=DEADLINE_TERMS, status_terms=STATUS_TERMS,
        phases=[p for p in PHASES if any(r["phase"] == p for r in rows)],
        levels=sorted({r["level"] for r in rows if r["level"] is not None}),
        overdue=sum(1 for r in rows if r["urgency"] == 0), due_soon=sum(1 for r in rows if r["urgency"] == 1),
        chain_bad=sum(1 for r in rows if r["verification"] and not r["verification"]["ok"]))


def write(rows, dest, today, languages=("zh-CN", "en")):
    """portfolio.json and portfolio.<lang>.html in DEST; returns the paths written."""
    generated = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    if os.path.exists(dest) and not os.path.isdir(dest):
        raise UsageError("--out: %s exists and is not a directory" % dest)
    os.makedirs(dest, exist_ok=True)
    paths = []
    doc = {"generated": generated, "as_of": today.isoformat(), "applications": rows,
           "counts": {"applications": len(rows), "overdue": sum(1 for r in rows if r["urgency"] == 0),
                      "due_soon": sum(1 for r in rows if r["urgency"] == 1)}}
    path = os.path.join(dest, "portfolio.json")
    _atomic(path, json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    paths.append(path)
    for lang in languages:
        path = os.path.join(dest, "portfolio.%s.html" % lang)
        _atomic(path, render(rows, today, lang, generated))
        paths.append(path)
    return paths


def _atomic(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, path)
