# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this plugin_util is **PRIVATE** to the collection: it can change at any time.

"""Auditor report over the evidence ledger: HTML (zh-CN/en), JSON export, OSCAL assessment-results.

Runs on the controller only (through the govcloud.lifecycle.report action plugin). It reads the ledger
exclusively through the Ledger API of plugin_utils/evidence.py and reads its catalogue and templates from the
collection's data/ directory, located relative to this file.

This file is the report's entry (``run``, ``Report``: inputs, the JSON export, the model handed to the
renderers); its parts live beside it: ``_report_model.py`` (catalogue, times, aggregation, service checks),
``_report_html.py`` (HTML and PDF), ``_report_oscal.py`` (OSCAL results, catalog, profiles) and
``_report_sink.py`` (atomic file writes).
"""

from __future__ import annotations

import datetime
import json
import os

from ansible_collections.govcloud.lifecycle.plugins.module_utils._argspec import FORMATS, LANGUAGES
from ansible_collections.govcloud.lifecycle.plugins.plugin_utils import evidence as ev
from ansible_collections.govcloud.lifecycle.plugins.plugin_utils import _findings as F
from ansible_collections.govcloud.lifecycle.plugins.plugin_utils._report_html import PDF_NAME, HtmlRendering, jinja2
from ansible_collections.govcloud.lifecycle.plugins.plugin_utils._report_model import (
    RECORDS_PER_ROW,
    Aggregator,
    ReportError,
    WorkCalendar,
    _dates,
    _manual_counts,
    _normalise_verification,
    add_months,
    derived_status,
    entity_status,
    iso_z,
    load_catalog,
    parse_offset,
    parse_ts,
    service_checks,
)
from ansible_collections.govcloud.lifecycle.plugins.plugin_utils._report_oscal import (
    OSCAL_CATALOG_FILES,
    OscalResults,
    oscal_catalog_documents,
    oscal_control_id,
)
from ansible_collections.govcloud.lifecycle.plugins.plugin_utils._report_sink import _dumps, _Sink

# What callers (the action plugin, the front end, tests) take from here besides what this file defines.
__all__ = ("FILE_NAMES", "FORMATS", "LANGUAGES", "OSCAL_CATALOG_FILES", "PDF_NAME", "Aggregator", "Report",
           "ReportError", "WorkCalendar", "add_months", "load_catalog", "oscal_catalog_documents", "parse_offset",
           "run", "service_checks")


FILE_NAMES = {
    "html": "evidence-report.html",
    "json": "evidence-records.json",
    "oscal": "oscal-assessment-results.json",
}


def _json_findings(model):
    """The per-control, per-host results and the rectification items of the JSON export."""
    return {
        "as_of": model["as_of"],
        "mlps_level": model["level"],
        "controls": [{"id": c["id"], "status": c["status"], "why": c["why"], "records": c["seqs"],
                      "hosts": [{"host": r["host"], "status": r["state"], "why": r["why"], "decisive_record": r["seq"],
                                 "records": r["seqs"], "attestation": r["attestation"]} for r in c["host_rows"]]}
                     for c in model["controls"]],
        "clauses": [{"id": c["id"], "status": c["status"], "why": c["why"], "records": c["seqs"]}
                    for c in model["clauses"]],
        "rectification": model["rectification"],
        "manual_controls": model["manual"],
    }


class Report(HtmlRendering, OscalResults):
    def __init__(self, params, check_mode=False):
        self.p = params
        self.check_mode = check_mode
        if jinja2 is None:
            raise ReportError("the report needs Jinja2 on the controller")
        self.lang = params["language"]
        if self.lang not in LANGUAGES:
            raise ReportError("language: %r is not one of %s" % (self.lang, ", ".join(LANGUAGES)))
        formats = params.get("formats") or list(FORMATS)
        bad = [f for f in formats if f not in FORMATS]
        if bad:
            raise ReportError("formats: %s not one of %s" % (", ".join(bad), ", ".join(FORMATS)))
        self.formats = [f for f in FORMATS if f in formats]
        self.tz = parse_offset(params.get("utc_offset") or "+08:00")
        self.cal = WorkCalendar(_dates(params.get("holidays") or [], "holidays"),
                                _dates(params.get("extra_workdays") or [], "extra_workdays"))
        for name in ("approval_working_days", "filing_window_days"):
            if params[name] is None or params[name] < 0:
                raise ReportError("%s: must be a number >= 0, got %r" % (name, params[name]))

    # --- inputs

    def _open_ledger(self):
        try:
            ledger_dir = ev.resolve_dir(self.p.get("evidence_dir"), self.p.get("application"))
        except ev.EvidenceError as exc:
            raise ReportError(str(exc))
        self.ledger_dir = ledger_dir
        if not os.path.isdir(ledger_dir):
            raise ReportError("evidence_dir: %s does not exist or is not a directory" % ledger_dir)
        # A report must never create a ledger, so look before the Ledger class is asked to open one.
        if not os.path.isfile(os.path.join(ledger_dir, ev.DB_NAME)):
            raise ReportError("evidence_dir: %s holds no %s (not an evidence ledger)" % (ledger_dir, ev.DB_NAME))
        key_file = self.p.get("evidence_key")
        if key_file and not os.path.isfile(key_file):
            raise ReportError("evidence_key: %s does not exist" % key_file)
        anchor = self.p.get("evidence_anchor")
        try:
            ledger = ev.Ledger(ledger_dir, key_file=key_file, anchor_file=anchor, create=False)
            head = ledger.head()
            verification = ledger.verify(key_file=key_file, anchor_file=anchor)
        except ev.EvidenceError as exc:
            raise ReportError("evidence_dir: %s" % exc)
        except Exception as exc:  # sqlite3.DatabaseError and friends from a damaged file
            raise ReportError("evidence_dir: %s: cannot read the ledger (%s: %s)" % (ledger_dir, type(exc).__name__, exc))
        return ledger, head, verification

    def _dest(self):
        dest = self.p["dest"]
        if os.path.exists(dest) and not os.path.isdir(dest):
            raise ReportError("dest: %s exists and is not a directory" % dest)
        if not self.check_mode:
            try:
                os.makedirs(dest, exist_ok=True)
            except OSError as exc:
                raise ReportError("dest: cannot create %s: %s" % (dest, exc.strerror or exc))
            if not os.access(dest, os.W_OK | os.X_OK):
                raise ReportError("dest: %s is not writable" % dest)
        else:
            parent = dest
            while not os.path.exists(parent):
                parent = os.path.dirname(parent) or "."
            if not os.access(parent, os.W_OK | os.X_OK):
                raise ReportError("dest: %s is not writable" % parent)
        return dest

    # --- main

    def run(self):
        catalog = load_catalog()
        ledger, head, verification = self._open_ledger()
        try:
            return self._run(catalog, ledger, head, verification)
        finally:
            ledger.close()

    def _run(self, catalog, ledger, head, verification):
        dest = self._dest()
        head_seq, head_hash = int(head.get("seq") or 0), head.get("hash") or ""
        if head_seq == 0:
            raise ReportError("evidence_dir: %s holds no records yet; nothing to report" % self.ledger_dir)

        stages = list(ev.STAGES)
        agg = Aggregator(catalog, stages, self.tz, self.p.get("recent_records", 20))
        paths = {f: os.path.join(dest, FILE_NAMES[f]) for f in self.formats}
        files = {}
        sinks = []
        try:
            json_sink = None
            if "json" in self.formats:
                json_sink = _Sink(paths["json"], self.check_mode)
                sinks.append(json_sink)
                json_sink.write(self._json_header(head, verification))
            first = True
            try:
                for rec in ledger.records(application=self.p.get("application")):
                    if rec.get("seq", 0) > head_seq:
                        break
                    agg.add(rec)
                    if json_sink:
                        json_sink.write(("\n" if first else ",\n") + _dumps(rec))
                    first = False
            except ev.EvidenceError as exc:
                raise ReportError("evidence_dir: %s" % exc)
            except (KeyError, TypeError, ValueError) as exc:
                raise ReportError("evidence_dir: %s: a record is malformed (%s)" % (self.ledger_dir, exc))
            except Exception as exc:
                raise ReportError("evidence_dir: %s: cannot read records (%s: %s)"
                                  % (self.ledger_dir, type(exc).__name__, exc))
            if agg.count == 0:
                raise ReportError("application: no records for %r in %s" % (self.p.get("application"), self.ledger_dir))
            model = self._model(catalog, agg, head_seq, head_hash, verification)
            if json_sink:
                json_sink.write("\n],\"record_count\":%d,%s}\n" % (agg.count, _dumps(_json_findings(model))[1:-1]))
                files["json"] = json_sink.finish()
            if "oscal" in self.formats:
                for name, doc in oscal_catalog_documents(catalog).items():
                    sink = _Sink(os.path.join(dest, OSCAL_CATALOG_FILES[name]), self.check_mode)
                    sinks.append(sink)
                    sink.write(json.dumps(doc, ensure_ascii=False, indent=1) + "\n")
                    files["oscal_" + name.replace("-", "")] = sink.finish()
                sink = _Sink(paths["oscal"], self.check_mode)
                sinks.append(sink)
                self._write_oscal(sink, model, agg, head_hash)
                files["oscal"] = sink.finish()
            if "html" in self.formats:
                sink = _Sink(paths["html"], self.check_mode)
                sinks.append(sink)
                model["exports"] = [{"name": os.path.basename(v["path"]), "sha256": v["sha256"]}
                                    for k, v in sorted(files.items())]
                sink.write(self._render_html(model))
                files["html"] = sink.finish()
            if self.p.get("pdf"):
                files["pdf"] = self._pdf(dest, files.get("html"))
        except OSError as exc:
            for s in sinks:
                s.abort()
            raise ReportError("dest: cannot write in %s: %s" % (dest, exc.strerror or exc))
        except ReportError:
            for s in sinks:
                s.abort()
            raise

        summary = {k: sum(1 for r in model["clauses"] + model["controls"] if r["status"] == k)
                   for k in ("met", "attested", "manual_due", "gap", "missing", "not_applicable")}
        return {
            "changed": any(f["changed"] for f in files.values()),
            "dest": dest,
            "evidence_dir": self.ledger_dir,
            "files": {k: {"path": v["path"], "sha256": v["sha256"], "changed": v["changed"]} for k, v in files.items()},
            "diff": {"before": {k: v["before_sha256"] for k, v in files.items()},
                     "after": {k: v["sha256"] for k, v in files.items()}},
            "record_count": agg.count,
            "head": {"seq": head_seq, "hash": head_hash},
            "verification": verification,
            "status_counts": summary,
            "service_checks": model["service_checks"],
            "mlps_level": model["level"],
            "language": self.lang,
            "manual_controls": model["manual"],
            "rectification": {k: model["rectification"][k]
                              for k in ("open", "overdue", "open_blocking", "due_days", "blocking")},
        }

    # --- model

    def _json_header(self, head, verification):
        header = {"format": "govcloud.lifecycle/evidence-export", "format_version": 1,
                  "application": self.p.get("application"), "head": head, "verification": verification}
        text = _dumps(header)
        return text[:-1] + ",\"records\":["

    def _as_of(self, agg):
        value = self.p.get("as_of")
        if not value:
            return parse_ts(agg.last_ts)
        if value == "now":
            return datetime.datetime.now(datetime.timezone.utc)
        try:
            return parse_ts(value)
        except ValueError:
            raise ReportError("as_of: %r is not 'now', a date (YYYY-MM-DD) or an ISO-8601 timestamp" % (value,))

    def _model(self, catalog, agg, head_seq, head_hash, verification):
        as_of = self._as_of(agg)
        today = as_of.astimezone(self.tz).date()
        level = self.p.get("mlps_level")
        level_source = "option" if level else None
        if level is None and agg.level is not None:
            level, level_source = agg.level, "record"
        checks = service_checks(agg, level, self.p, self.cal, today)
        duties = catalog["lifecycle"].get("duties") or {}

        clauses = []
        for c in catalog["lifecycle"]["clauses"]:
            ent = agg.clauses[c["id"]]
            derived = derived_status(c, agg, checks, duties) if ent.count == 0 else None
            if derived:
                status, why, recs = derived
                row = {"count": len(recs), "records": list(reversed(recs[-RECORDS_PER_ROW:])),
                       "seqs": [r["seq"] for r in recs]}
            else:
                status, why = entity_status(ent)
                row = {"count": ent.count, "records": list(reversed(ent.recent)), "seqs": ent.seqs}
            row.update({"id": c["id"], "zh": c["zh"], "en": c["en"], "stages": c.get("stages") or [],
                        "status": status, "why": why, "oscal_id": oscal_control_id("jx", c["id"])})
            clauses.append(row)
        controls, hosts, rectification = self._controls(catalog, agg, level, today)

        stage_terms = getattr(ev, "STAGE_TERMS", {}) or {}
        timeline = []
        for s in agg.stages:
            st = agg.stage_stats[s]
            zh, en = stage_terms.get(s, (s, s))
            timeline.append(dict(st, stage=s, zh=zh, en=en, parties=sorted(st["parties"].items())))
        parties = list(getattr(ev, "PARTIES", ()))
        duty_rows = [{"stage": t["stage"], "zh": t["zh"], "en": t["en"], "expected": duties.get(t["stage"]),
                      "counts": [agg.stage_stats[t["stage"]]["parties"].get(p, 0) for p in parties]}
                     for t in timeline]
        application = self.p.get("application")
        if not application and len(agg.applications) == 1:
            application = next(iter(agg.applications))
        return {
            "lang": self.lang,
            "application": application,
            "applications": sorted((k or "", v) for k, v in agg.applications.items()),
            "level": level, "level_source": level_source,
            "as_of": iso_z(as_of), "as_of_local": as_of.astimezone(self.tz).strftime("%Y-%m-%d %H:%M"),
            "utc_offset": self.p.get("utc_offset"),
            "record_count": agg.count, "first_ts": agg.first_ts, "last_ts": agg.last_ts,
            "results": sorted(agg.results.items(), key=lambda kv: str(kv[0])),
            "head_seq": head_seq, "head_hash": head_hash, "verification": _normalise_verification(verification),
            "timeline": timeline, "clauses": clauses, "controls": controls,
            "hosts": hosts, "rectification": rectification,
            "manual": _manual_counts(controls),
            "clause_only": {k: list(reversed(v[-RECORDS_PER_ROW:])) for k, v in agg.book.clause_only.items()},
            "mlps_clauses": catalog["mlps"]["clauses"],
            "duties": duty_rows, "parties": parties,
            "party_terms": getattr(ev, "PARTY_TERMS", None) or {},
            "result_terms": getattr(ev, "RESULT_TERMS", None) or {},
            "service_checks": checks, "recent": list(reversed(agg.recent)),
            "certificates": [agg.certificates[k] for k in sorted(agg.certificates, key=str)],
            "phases": agg.phases.model(),
            "unmapped": sorted(agg.unmapped.items()), "unknown_stages": sorted(agg.unknown_stages.items()),
            "params": {k: self.p.get(k) for k in ("approval_working_days", "filing_window_days",
                                                  "assessment_interval_months")},
        }

    def _controls(self, catalog, agg, level, today):
        """Control rows (host x result), the host view and the rectification items, from the shared book."""
        book = agg.book
        names = {c["id"]: c for c in catalog["mlps"]["clauses"]}
        try:
            options = F.rectification_options(self.p.get("rectification"))
        except F.FindingsError as exc:
            raise ReportError(str(exc))
        controls = []
        per_host = {}
        for c in catalog["mlps"]["controls"]:
            applicable = level is None or level in c["levels"]
            summary = book.control_summary(c["id"], today, applicable)
            records = book.records.get(c["id"], [])
            latest = {}
            for host, b in records:
                latest.setdefault(book.host_key(host), []).append(b)
            shown = []
            for row in summary["hosts"]:
                row["label"] = row["host"] or "-"
                per_host.setdefault(row["host"], []).append(dict(row, control=c["id"], requirement=c["requirement"],
                                                                 title=c["title"]))
            for host in sorted(latest):
                shown.extend(reversed(latest[host][-2:]))  # the newest two of every host
            shown.sort(key=lambda b: -b["seq"])
            controls.append({"id": c["id"], "clause": c["clause"], "clause_zh": names[c["clause"]]["zh"],
                             "clause_en": names[c["clause"]]["en"], "levels": c["levels"], "title": c["title"],
                             "requirement": c["requirement"], "manual": c.get("manual", False),
                             "status": summary["state"], "why": summary["why"], "count": len(records),
                             "host_rows": summary["hosts"], "met_hosts": summary["met_hosts"],
                             "host_count": summary["host_count"],
                             "records": shown[:max(RECORDS_PER_ROW, 2 * len(latest))],
                             "seqs": sorted(set(b["seq"] for _h, b in records)),
                             "severity": book.severity.get(c["id"], F.DEFAULT_SEVERITY),
                             "oscal_id": oscal_control_id("mlps", c["id"])})
        hosts = [{"host": h, "label": h or "-", "rows": rows,
                  "counts": dict((s, sum(1 for r in rows if r["state"] == s)) for s in F.STATES)}
                 for h, rows in sorted(per_host.items())]
        items = book.items(today, options["due_days"], options["blocking"], level)
        return controls, hosts, {"items": items, "due_days": options["due_days"], "blocking": options["blocking"],
                                 "open": sum(1 for i in items if i["status"] == "open"),
                                 "overdue": sum(1 for i in items if i["overdue"]),
                                 "open_blocking": len(F.open_blocking(items))}


def run(params, check_mode=False):
    """Entry point for the action plugin: returns the result dict or raises ReportError."""
    return Report(params, check_mode).run()
