# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Auditor report over the evidence ledger: HTML (zh-CN/en), JSON export, OSCAL assessment-results.

Runs on the controller only (through the govcloud.lifecycle.report action plugin). It reads the ledger
exclusively through the Ledger API of evidence.py and reads its catalogue and templates from the
collection's data/ directory, located relative to this file.
"""

from __future__ import annotations

import calendar
import datetime
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import uuid
from collections import deque

from ansible_collections.govcloud.lifecycle.plugins.plugin_utils import evidence as ev
from ansible_collections.govcloud.lifecycle.plugins.plugin_utils import _findings as F
from ansible_collections.govcloud.lifecycle.plugins.module_utils._argspec import FORMATS, LANGUAGES
from ansible_collections.govcloud.lifecycle.plugins.plugin_utils._promotion_report import PhaseCollector

try:
    import jinja2
except ImportError:  # the controller always has it (ansible-core dependency); guarded for sanity import tests
    jinja2 = None


OSCAL_VERSION = "1.1.2"
FILE_NAMES = {
    "html": "evidence-report.html",
    "json": "evidence-records.json",
    "oscal": "oscal-assessment-results.json",
}
# Written beside the assessment results whenever OSCAL is asked for: the catalog of our control ids and the
# level-2 / level-3 profiles the results reference (docs/report.md).
OSCAL_CATALOG_FILES = {
    "catalog": "oscal-catalog.json",
    "profile-2": "oscal-profile-level2.json",
    "profile-3": "oscal-profile-level3.json",
}
PDF_NAME = "evidence-report.pdf"
# Namespace of every OSCAL uuid: uuid5(this, "<head hash>/<what>") makes two renders of one ledger identical.
UUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:govcloud-lifecycle:report")
PROP_NS = "urn:govcloud-lifecycle:evidence"

DECISIVE_MET = ("pass", "changed")
DECISIVE_GAP = ("fail", "gap")
# Share of an allowed period after which an open deadline is reported as due soon.
DUE_SOON_SHARE = 0.8
RECORDS_PER_ROW = 5


class ReportError(Exception):
    """A problem the operator can fix; its message names the option and the reason."""


# ---------------------------------------------------------------------------------------------- data

collection_root = F.collection_root
data_path = F.data_path


def _load_data(*parts):
    try:
        return F.load_data(*parts)
    except F.FindingsError as exc:
        raise ReportError(str(exc))


def load_catalog():
    return {"mlps": _load_data("catalog", "mlps_controls.yml"), "lifecycle": _load_data("catalog", "lifecycle_clauses.yml")}


# -------------------------------------------------------------------------------------------- times

def parse_ts(value):
    """ISO-8601 timestamp (with Z or offset) or date -> aware UTC datetime."""
    if isinstance(value, datetime.datetime):
        return value if value.tzinfo else value.replace(tzinfo=datetime.timezone.utc)
    text = str(value).strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return datetime.datetime.fromisoformat(text + "T00:00:00+00:00")
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    dt = datetime.datetime.fromisoformat(text)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=datetime.timezone.utc)
    return dt.astimezone(datetime.timezone.utc)


def iso_z(dt):
    return dt.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_offset(text):
    m = re.fullmatch(r"([+-])(\d{2}):?(\d{2})", text or "")
    if not m:
        raise ReportError("utc_offset: %r is not of the form +HH:MM" % (text,))
    minutes = int(m.group(2)) * 60 + int(m.group(3))
    return datetime.timezone(datetime.timedelta(minutes=minutes if m.group(1) == "+" else -minutes))


def add_months(day, months):
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class WorkCalendar:
    """Mon-Fri working days, minus declared holidays, plus declared make-up working days (调休)."""

    def __init__(self, holidays, extra_workdays):
        self.holidays = set(holidays)
        self.extra = set(extra_workdays)

    def is_workday(self, day):
        if day in self.extra:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def add(self, day, count):
        while count > 0:
            day += datetime.timedelta(days=1)
            if self.is_workday(day):
                count -= 1
        return day

    def between(self, start, end):
        """Working days after `start` up to and including `end`."""
        n, day = 0, start
        while day < end:
            day += datetime.timedelta(days=1)
            if self.is_workday(day):
                n += 1
        return n


def _dates(values, name):
    out = []
    for v in values:
        try:
            out.append(datetime.date.fromisoformat(str(v)))
        except ValueError:
            raise ReportError("%s: %r is not a date (YYYY-MM-DD)" % (name, v))
    return out


# ------------------------------------------------------------------------------------- aggregation

class _Entity:
    """One row of a status table (a lifecycle clause or an MLPS control)."""

    __slots__ = ("key", "count", "recent", "decisive", "newest", "seqs")

    def __init__(self, key):
        self.key = key
        self.count = 0
        self.recent = deque(maxlen=RECORDS_PER_ROW)
        self.decisive = None
        self.newest = None
        self.seqs = []

    def add(self, brief):
        self.count += 1
        self.recent.append(brief)
        self.newest = brief
        self.seqs.append(brief["seq"])
        if brief["result"] in DECISIVE_MET or brief["result"] in DECISIVE_GAP:
            self.decisive = brief


_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TS_RE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z")


def _event_date(rec, tz, cache):
    """The date an event happened: details.date when the record carries one, else its timestamp's local date."""
    details = rec.get("details")
    value = details.get("date") if isinstance(details, dict) else None
    if isinstance(value, str) and _DATE_RE.fullmatch(value):
        return datetime.date.fromisoformat(value)
    ts = rec["ts"]
    # The local date depends only on the UTC minute (offsets are whole minutes): parse each minute once.
    key = ts[:16]
    day = cache.get(key)
    if day is None:
        day = cache[key] = parse_ts(ts).astimezone(tz).date()
    return day


class Aggregator:
    SERVICE_STAGES = ("application", "approval", "formal_operation", "filing", "mlps_assessment", "decommission")

    def __init__(self, catalog, stages, tz, recent_limit):
        self.tz = tz
        self.stages = stages
        self.count = 0
        self.first_ts = None
        self.last_ts = None
        self.applications = {}
        self.results = {}
        self.stage_stats = {s: {"count": 0, "first": None, "last": None, "last_result": None,
                                "last_seq": None, "parties": {}, "first_day": None, "last_day": None}
                            for s in stages}
        self.unknown_stages = {}
        self.recent = deque(maxlen=max(recent_limit, 0))
        self.service = {s: [] for s in self.SERVICE_STAGES}
        self.level = None
        self.level_seq = None
        self.unmapped = {}
        self.phases = PhaseCollector()
        self.observations = []
        self.certificates = {}
        self._days = {}

        self.clauses = {}
        self.stage_to_clauses = {}
        for c in catalog["lifecycle"]["clauses"]:
            self.clauses[c["id"]] = _Entity(c["id"])
            for s in c.get("stages") or []:
                self.stage_to_clauses.setdefault(s, []).append(c["id"])
        # which record proves which control on which host: plugin_utils/_findings.py, shared with the gate
        self.book = F.ControlBook(catalog["mlps"], catalog["lifecycle"].get("duties"))
        self.party_first = {}   # (stage, party) -> brief of its first record: the evidence behind JX-4
        self.briefs = {}        # seq -> brief of the records the service-time checks (JX-5) rest on

    def add(self, rec):
        seq, ts, stage, result = rec.get("seq"), rec.get("ts"), rec.get("stage"), rec.get("result")
        self.count += 1
        if self.first_ts is None:
            self.first_ts = ts
        self.last_ts = ts
        app = rec.get("application")
        self.applications[app] = self.applications.get(app, 0) + 1
        self.results[result] = self.results.get(result, 0) + 1
        brief = F.brief(rec)
        self.phases.add(rec)
        if rec.get("kind") == "stage_result" and (rec.get("details") or {}).get("document") == \
                "certificate_of_sanitization":
            self.certificates[app] = rec  # the latest certificate of sanitization per application
        st = self.stage_stats.get(stage)
        if st is None:
            self.unknown_stages[stage] = self.unknown_stages.get(stage, 0) + 1
        else:
            st["count"] += 1
            if st["first"] is None:
                st["first"] = ts
            st["last"], st["last_result"], st["last_seq"] = ts, result, seq
            day = _event_date(rec, self.tz, self._days)
            if st["first_day"] is None or day < st["first_day"]:
                st["first_day"] = day
            if st["last_day"] is None or day > st["last_day"]:
                st["last_day"] = day
            party = rec.get("party")
            st["parties"][party] = st["parties"].get(party, 0) + 1
            if (stage, party) not in self.party_first:
                self.party_first[(stage, party)] = brief
        if self.recent.maxlen:
            self.recent.append(brief)
        if stage in self.service:
            self.briefs[seq] = brief
            self.service[stage].append((day if st is not None else _event_date(rec, self.tz, self._days), seq, result))
        details = rec.get("details")
        if isinstance(details, dict):
            level = details.get("mlps_level")
            if level is None and rec.get("kind") in ("mlps_assessment", "filing"):
                level = details.get("level")
            if isinstance(level, int) and not isinstance(level, bool):
                self.level, self.level_seq = level, seq

        # Control checks roll up into the MLPS table; counting them under their stage's clause as well would
        # let one passing check hide another failing one.
        kind = rec.get("kind")
        manual_kinds = ("control_check", "attestation", "risk_acceptance")
        clause_hits = set() if kind in manual_kinds else set(self.stage_to_clauses.get(stage, ()))
        control_hits = self.book.add(rec)
        for ref in rec.get("clauses") or ():
            if ref in self.clauses:
                clause_hits.add(ref)
            elif ref not in self.book.index and ref not in self.book.sub_clauses:
                self.unmapped[ref] = self.unmapped.get(ref, 0) + 1
        for cid in clause_hits:
            self.clauses[cid].add(brief)
        self.observations.append((seq, ts, stage, kind, rec.get("party"), rec.get("actor"), result,
                                  brief["summary"], brief["hash"], rec.get("artifacts") or (),
                                  F.record_host(rec), control_hits, _method(rec)))


def _manual_counts(controls):
    """The controls a host check cannot decide: attested vs manual check due (the report's closing note)."""
    manual = [c for c in controls
              if c["manual"] or any(r["result"] == "manual" or r["attestation"] for r in c["host_rows"])]
    return {"total": len(manual),
            "attested": sum(1 for c in manual if c["status"] in ("attested", "met")),
            "due": sum(1 for c in manual if c["status"] == "manual_due"),
            "not_applicable": sum(1 for c in manual if c["status"] == "not_applicable"),
            "other": sum(1 for c in manual if c["status"] in ("gap", "missing")),
            "ids": [c["id"] for c in manual]}


def entity_status(entity, applicable=True):
    if not applicable:
        return "not_applicable", "not_applicable_level"
    if entity.count == 0:
        return "missing", "no_records"
    if entity.decisive is None:
        return "gap", "no_decisive_result"
    return ("met", "newest_pass") if entity.decisive["result"] in DECISIVE_MET else ("gap", "newest_fail")


# ------------------------------------------------------------------------------------ service times

def _check(cid, status, start=None, deadline=None, done=None, seqs=(), **extra):
    out = {"id": cid, "status": status, "start": start.isoformat() if start else None,
           "deadline": deadline.isoformat() if deadline else None, "done": done.isoformat() if done else None,
           "records": [s for s in seqs if s is not None], "limit": None, "reason": None}
    out.update(extra)
    return out


def _deadline_status(start, deadline, done, today, total_days):
    if done is not None:
        return "met" if done <= deadline else "late"
    if today > deadline:
        return "overdue"
    elapsed = (today - start).days
    return "due_soon" if total_days <= 0 or elapsed >= DUE_SOON_SHARE * total_days else "open"


def service_checks(agg, level, params, cal, today):
    svc = agg.service
    ok_results = ("pass", "changed", "info")
    checks = []

    # approval processing time (审批时限), in working days
    limit = params["approval_working_days"]
    apps = svc["application"]
    if not apps:
        checks.append(_check("approval_time", "not_applicable", limit=limit, reason="no_application"))
    else:
        start, s_seq = apps[0][0], apps[0][1]
        deadline = cal.add(start, limit)
        decided = next(((d, q) for d, q, _r in svc["approval"] if q > s_seq), None)
        done = decided[0] if decided else None
        total = max((deadline - start).days, 1)
        status = _deadline_status(start, deadline, done, today, total)
        if done is None and status == "open" and cal.between(start, today) >= limit - 1:
            status = "due_soon"
        checks.append(_check("approval_time", status, start, deadline, done,
                             (s_seq, decided[1] if decided else None), limit=limit,
                             elapsed=cal.between(start, done or today)))

    formal = next(((d, q) for d, q, r in svc["formal_operation"] if r in ok_results), None)
    ended = next((d for d, _q, r in svc["decommission"] if r in ("pass", "changed")), None)
    as_of = min(today, ended) if ended else today

    # 备案 within N days of formal operation for level >= 2
    days = params["filing_window_days"]
    if level is None:
        checks.append(_check("filing_deadline", "unknown", limit=days, reason="level_unknown"))
    elif level < 2:
        checks.append(_check("filing_deadline", "not_applicable", limit=days, reason="level_below_2"))
    elif formal is None:
        checks.append(_check("filing_deadline", "not_applicable", limit=days, reason="not_in_operation"))
    else:
        deadline = formal[0] + datetime.timedelta(days=days)
        filed = next(((d, q) for d, q, r in svc["filing"] if r in ok_results), None)
        done = filed[0] if filed else None
        status = _deadline_status(formal[0], deadline, done, as_of, days)
        checks.append(_check("filing_deadline", status, formal[0], deadline, done,
                             (formal[1], filed[1] if filed else None), limit=days))

    # periodic 等保测评: level 3 yearly, level 4 half-yearly (defaults; a variable)
    intervals = {}
    for k, v in (params["assessment_interval_months"] or {}).items():
        try:
            intervals[int(k)] = int(v)
        except (TypeError, ValueError):
            raise ReportError("assessment_interval_months: %r: %r must map a level to a number of months" % (k, v))
    months = intervals.get(level) if level is not None else None
    if level is None:
        checks.append(_check("mlps_assessment_interval", "unknown", reason="level_unknown"))
    elif not months:
        checks.append(_check("mlps_assessment_interval", "not_applicable", reason="no_interval_for_level"))
    else:
        done_list = [(d, q) for d, q, _r in svc["mlps_assessment"]]
        if done_list:
            last = max(done_list)
            deadline = add_months(last[0], months)
            status = _deadline_status(last[0], deadline, None, as_of, (deadline - last[0]).days)
            checks.append(_check("mlps_assessment_interval", status, last[0], deadline, None, (last[1],),
                                 limit=months))
        elif formal is not None:
            checks.append(_check("mlps_assessment_interval", "overdue", formal[0], formal[0], None, (formal[1],),
                                 limit=months, reason="no_assessment_before_operation"))
        else:
            checks.append(_check("mlps_assessment_interval", "open", limit=months, reason="not_in_operation"))
    return checks


def _normalise_verification(v):
    v = dict(v or {})
    for key in ("ok", "count", "head_seq", "head_hash", "first_bad_seq", "reason", "key_id", "pinned_key_id",
                "sealed_seq", "ledger_id"):
        v.setdefault(key, None)
    anchor = dict(v.get("anchor") or {})
    for key in ("checked", "ok", "signed_seq", "reason"):
        anchor.setdefault(key, None)
    v["anchor"] = anchor
    witness = dict(v.get("witness") or {})
    for key in ("checked", "ok", "witnessed_seq", "reason"):
        witness.setdefault(key, None)
    v["witness"] = witness
    return v


def derived_status(clause, agg, checks, duties):
    """(status, why, records) of a clause derived from other tables (JX-4 duties, JX-5 service times).

    The records are the ones the derivation rests on; without any the clause is never met.
    """
    if clause.get("derived") == "service_times":
        seqs = sorted(set(s for c in checks for s in c["records"]))
        records = [agg.briefs[s] for s in seqs if s in agg.briefs]
        states = [c["status"] for c in checks]
        if any(s in ("late", "overdue") for s in states):
            return "gap", "service_time_exceeded", records
        if records and any(s in ("met", "open", "due_soon") for s in states):
            return "met", "service_times_kept", records
        return "missing", "no_service_time_computable", records
    if clause.get("derived") == "duties":
        active = [s for s, st in agg.stage_stats.items() if st["count"]]
        records = sorted((agg.party_first[(s, duties[s])] for s in active
                          if duties.get(s) and (s, duties[s]) in agg.party_first), key=lambda b: b["seq"])
        if not active:
            return "missing", "no_records", []
        wrong = [s for s in active if duties.get(s) and not agg.stage_stats[s]["parties"].get(duties[s])]
        if wrong:
            return "gap", "expected_party_absent", records
        if not records:
            return "missing", "no_records", []
        return "met", "expected_parties_acted", records
    return None


# ------------------------------------------------------------------------------------------ output

class _Sink:
    """Writes text to a temporary file beside the target (or only hashes it in check mode)."""

    def __init__(self, path, check_mode):
        self.path = path
        self.sha = hashlib.sha256()
        self.buf = []
        self.size = 0
        self.fh = None
        self.tmp = None
        if not check_mode:
            fd, self.tmp = tempfile.mkstemp(prefix=".%s." % os.path.basename(path), dir=os.path.dirname(path))
            self.fh = os.fdopen(fd, "wb")

    def write(self, text):
        self.buf.append(text)
        self.size += len(text)
        if self.size > 1 << 20:
            self.flush()

    def flush(self):
        data = "".join(self.buf).encode("utf-8")
        self.buf, self.size = [], 0
        self.sha.update(data)
        if self.fh:
            self.fh.write(data)

    def finish(self):
        self.flush()
        digest = self.sha.hexdigest()
        before = _file_sha256(self.path)
        changed = before != digest
        if self.fh:
            self.fh.close()
            if changed:
                os.chmod(self.tmp, 0o644)
                os.replace(self.tmp, self.path)
            else:
                os.unlink(self.tmp)
        return {"path": self.path, "sha256": digest, "changed": changed, "before_sha256": before}

    def abort(self):
        if self.fh:
            self.fh.close()
            try:
                os.unlink(self.tmp)
            except OSError:
                pass


def _file_sha256(path):
    try:
        h = hashlib.sha256()
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
        return h.hexdigest()
    except OSError:
        return None


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


def _dumps(obj):
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _compact(obj):
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def _uuid(head_hash, what):
    return str(uuid.uuid5(UUID_NAMESPACE, "%s/%s" % (head_hash, what)))


def oscal_control_id(kind, cid):
    # OSCAL tokens must start with a letter: GB/T ids get a prefix, JX ids are lower-cased.
    return ("gbt22239-" + cid) if kind == "mlps" else cid.lower()


def _prop(name, value):
    value = " ".join(str(value).split())
    return {"name": name, "ns": PROP_NS, "value": value} if value else None


def _props(*pairs):
    return [p for p in (_prop(n, v) for n, v in pairs) if p]


def _method(rec):
    """How an observation was made (OSCAL methods): automated checks TEST, a manual check as its attestation
    says (EXAMINE documents / INTERVIEW people / TEST), everything else EXAMINE."""
    if rec.get("kind") == "control_check":
        return "TEST"
    details = rec.get("details") if isinstance(rec.get("details"), dict) else {}
    if rec.get("kind") == "attestation" and details.get("method") in ("examine", "interview", "test"):
        return details["method"].upper()
    return "EXAMINE"


class Report:
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

    # --- PDF

    def _pdf(self, dest, html):
        """The HTML report printed to PDF by headless Chromium (its print stylesheet), beside the HTML.

        Chromium stamps the creation time into every PDF, so the PDF is printed again only when the HTML
        changed or the PDF is missing: a rerun over the same ledger changes nothing.
        """
        if html is None:
            raise ReportError("pdf: the PDF is printed from the HTML report; add html to formats")
        path = os.path.join(dest, PDF_NAME)
        browser = self.p.get("chromium") or "/usr/bin/chromium"
        if not (os.path.isfile(browser) and os.access(browser, os.X_OK)):
            found = shutil.which(os.path.basename(browser)) if os.sep not in browser else None
            if not found:
                raise ReportError(
                    "pdf: no Chromium at %s to print the PDF (install the Debian package chromium, as "
                    "tools/bootstrap/apt-packages.txt does, or set the chromium option); the HTML, JSON and "
                    "OSCAL files were written" % browser)
            browser = found
        before = _file_sha256(path)
        if before is not None and not html["changed"]:
            return {"path": path, "sha256": before, "changed": False, "before_sha256": before}
        if self.check_mode:
            return {"path": path, "sha256": None, "changed": True, "before_sha256": before}
        work = tempfile.mkdtemp(prefix=".pdf.", dir=dest)
        try:
            tmp = os.path.join(work, PDF_NAME)
            cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                   "--disable-background-networking", "--disable-component-update", "--disable-sync",
                   "--user-data-dir=" + os.path.join(work, "profile"), "--no-pdf-header-footer",
                   "--print-to-pdf=" + tmp, "file://" + os.path.abspath(html["path"])]
            try:
                # the report runs on the controller inside an action plugin: there is no AnsibleModule here
                proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300,  # pylint: disable=ansible-bad-function
                                      check=False)
            except (OSError, subprocess.TimeoutExpired) as exc:
                raise ReportError("pdf: %s could not print the report: %s" % (browser, exc))
            if proc.returncode != 0 or not os.path.isfile(tmp) or os.path.getsize(tmp) == 0:
                tail = " ".join((proc.stderr or "").strip().splitlines()[-3:])
                raise ReportError("pdf: %s exited %d without a PDF: %s" % (browser, proc.returncode, tail))
            os.chmod(tmp, 0o644)
            os.replace(tmp, path)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        after = _file_sha256(path)
        return {"path": path, "sha256": after, "changed": True, "before_sha256": before}

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

    # --- HTML

    def _render_html(self, model):
        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(data_path("report")),
            autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
            keep_trailing_newline=True)
        i18n = _load_data("report", "i18n.yml")
        lang = self.lang

        def t(key, *args):
            entry = i18n.get(key)
            if entry is None:
                return key
            text = entry.get(lang) or entry.get("en") or key
            return text % args if args else text

        idx = 0 if lang == "zh-CN" else 1
        terms = {"result": model["result_terms"], "party": model["party_terms"]}

        def term(value, group):
            pair = terms[group].get(value)
            return pair[idx] if pair else str(value)

        env.globals.update(t=t, term=term)
        try:
            return env.get_template("report.html.j2").render(m=model)
        except jinja2.TemplateError as exc:
            raise ReportError("report template error: %s" % exc)

    # --- OSCAL

    def _write_oscal(self, sink, model, agg, head_hash):
        party_uuid = {p: _uuid(head_hash, "party/" + p) for p in model["parties"]}
        terms = model["party_terms"]
        ledger_res = _uuid(head_hash, "resource/ledger")
        v = model["verification"]
        anchor = v.get("anchor") or {}
        include = [{"control-id": r["oscal_id"]} for r in model["clauses"] + model["controls"]
                   if r["status"] != "not_applicable"]
        exclude = [{"control-id": r["oscal_id"]} for r in model["controls"] if r["status"] == "not_applicable"]
        selection = {"description": "Lifecycle clauses (JX-*) of the Jiangxi e-government cloud standard and "
                                    "GB/T 22239-2019 computing-environment controls (gbt22239-*).",
                     "include-controls": include}
        if exclude:
            selection["exclude-controls"] = exclude
        parties = []
        for p in model["parties"]:
            zh, en = terms.get(p, (p, p.replace("_", " ")))
            name = "%s %s" % (zh, en)
            parties.append({"uuid": party_uuid[p], "type": "organization", "name": name,
                            "props": _props(("party-role", p))})
        title = "Evidence assessment results" + (" - %s" % model["application"] if model["application"] else "")
        level = model["level"]
        profile_name = OSCAL_CATALOG_FILES["profile-%d" % (level if level in (2, 3) else 3)]
        refs = {"catalog": _uuid(head_hash, "resource/catalog"), "profile": _uuid(head_hash, "resource/profile")}
        host_uuid = {h["host"]: _uuid(head_hash, "host/" + h["host"]) for h in model["hosts"] if h["host"]}
        inventory = [{"uuid": host_uuid[h], "description": "Host %s (inventory hostname)" % h,
                      "props": _props(("inventory-hostname", h))} for h in sorted(host_uuid)]
        doc = {"assessment-results": {
            "uuid": _uuid(head_hash, "assessment-results"),
            "metadata": {
                "title": title,
                "last-modified": model["as_of"],
                "version": "ledger-seq-%d" % model["head_seq"],
                "oscal-version": OSCAL_VERSION,
                "props": _props(("ledger-head-hash", head_hash), ("ledger-head-seq", model["head_seq"])),
                "links": [{"href": "#" + refs["catalog"], "rel": "reference"},
                          {"href": "#" + refs["profile"], "rel": "reference"}],
                "parties": parties,
            },
            "import-ap": {"href": "#" + ledger_res,
                          "remarks": "No separate assessment plan: the evidence ledger is the plan of record."},
            "results": [{
                "uuid": _uuid(head_hash, "result"),
                "title": title,
                "description": "Status of every lifecycle clause and GB/T 22239-2019 control, derived from the "
                               "newest decisive evidence record (pass/changed = satisfied; fail/gap or no record "
                               "= not satisfied).",
                "start": iso_z(parse_ts(model["first_ts"])),
                "end": iso_z(parse_ts(model["last_ts"])),
                "props": _props(("chain-verified", "true" if v.get("ok") else "false"),
                                ("chain-reason", v.get("reason") or ""),
                                ("ledger-head-hash", head_hash),
                                ("anchor-checked", "true" if anchor.get("checked") else "false"),
                                ("anchor-ok", {True: "true", False: "false"}.get(anchor.get("ok"), "unknown")),
                                ("evidence-key-id", v.get("key_id") or ""),
                                ("pinned-key-id", v.get("pinned_key_id") or ""),
                                ("sealed-seq", str(v.get("sealed_seq") or 0)),
                                ("witness-ok", {True: "true", False: "false"}.get(
                                    (v.get("witness") or {}).get("ok"), "unknown"))),
                "reviewed-controls": {"description": "Controls of the profile %s (catalog %s)." % (
                    profile_name, OSCAL_CATALOG_FILES["catalog"]), "control-selections": [selection]},
                "observations": "@@OBSERVATIONS@@",
                "findings": "@@FINDINGS@@",
            }],
            "back-matter": {"resources": [{
                "uuid": ledger_res,
                "title": "Evidence ledger (SHA-256 hash chain)",
                "description": "Append-only evidence ledger; every observation cites the hash of its record.",
                "props": _props(("ledger-head-hash", head_hash), ("ledger-head-seq", model["head_seq"])),
            }, {
                "uuid": refs["catalog"], "title": "Control catalog (OSCAL)",
                "description": "The catalog the reviewed control ids resolve in.",
                "rlinks": [{"href": OSCAL_CATALOG_FILES["catalog"], "media-type": "application/oscal.catalog+json"}],
            }, {
                "uuid": refs["profile"], "title": "Baseline profile of the application's MLPS level (OSCAL)",
                "rlinks": [{"href": profile_name, "media-type": "application/oscal.profile+json"}],
            }]},
        }}
        result = doc["assessment-results"]["results"][0]
        if inventory:
            result["local-definitions"] = {"inventory-items": inventory}
        for key in ("props",):
            if not result[key]:
                del result[key]
        text = json.dumps(doc, ensure_ascii=False, indent=1)
        head, rest = text.split('"@@OBSERVATIONS@@"')
        middle, tail = rest.split('"@@FINDINGS@@"')
        # One compact object per line keeps 100,000 observations fast to write and still diffable.
        sink.write(head + "[")
        sep = "\n"
        obs_uuid = {}
        for obs in agg.observations:
            obs_uuid[obs[0]] = u = _uuid(head_hash, "observation/%d" % obs[0])
            sink.write(sep + _compact(self._observation(obs, u, party_uuid, host_uuid)))
            sep = ",\n"
        sink.write("\n  ]" + middle + "[")
        sep = "\n"
        for row in model["clauses"]:
            if row["status"] != "not_applicable":
                sink.write(sep + _compact(self._finding(row, head_hash, obs_uuid)))
                sep = ",\n"
        for row in model["controls"]:
            if row["status"] == "not_applicable":
                continue
            for hrow in row["host_rows"]:
                if hrow["state"] != "not_applicable":
                    seqs = [b["seq"] for host, b in agg.book.records.get(row["id"], ())
                            if agg.book.host_key(host) in (hrow["host"], "")]
                    sink.write(sep + _compact(self._host_finding(row, hrow, seqs, head_hash, obs_uuid)))
                    sep = ",\n"
        sink.write("\n  ]" + tail + "\n")

    @staticmethod
    def _observation(obs, obs_uuid, party_uuid, host_uuid):
        # Kept lean: 100,000 of these make up most of the document. Stage and kind are in the title, the
        # clauses a record supports are the findings' related-observations.
        seq, ts, stage, kind, party, actor, result, summary, rhash, artifacts, host, _controls, method = obs
        evidence = [{"description": "Evidence ledger record #%d" % seq,
                     "props": [{"name": "record-hash", "ns": PROP_NS, "value": rhash}]}]
        for a in artifacts:
            if isinstance(a, dict) and a.get("sha256"):
                evidence.append({"description": "Artifact %s" % (a.get("name") or "-"),
                                 "props": [{"name": "artifact-sha256", "ns": PROP_NS, "value": a["sha256"]}]})
        out = {
            "uuid": obs_uuid,
            "title": "#%d %s/%s" % (seq, stage, kind),
            "description": summary or "%s %s" % (stage, kind),
            "props": _props(("result", result), ("actor", actor or "")),
            "methods": [method],
            "collected": ts if _TS_RE.fullmatch(ts or "") else iso_z(parse_ts(ts)),
            "relevant-evidence": evidence,
        }
        if party in party_uuid:
            out["origins"] = [{"actors": [{"type": "party", "actor-uuid": party_uuid[party]}]}]
        if host in host_uuid:
            out["subjects"] = [{"subject-uuid": host_uuid[host], "type": "inventory-item"}]
        return out

    @staticmethod
    def _host_finding(row, hrow, seqs, head_hash, obs_uuid):
        """One finding per control per host: the host's latest result, the records behind it."""
        host = hrow["host"] or "application (system-level)"
        state = "satisfied" if hrow["state"] in ("met", "attested") else "not-satisfied"
        att = hrow["attestation"]
        text = "%s on %s: %s (%s)" % (row["id"], host, hrow["state"], hrow["why"])
        if att and hrow["state"] in ("attested", "gap", "not_applicable"):
            text += "; attested by %s (%s) on %s, ref %s, valid until %s" % (
                att.get("by"), att.get("role"), att.get("date"), att.get("reference"), att.get("valid_until"))
        if hrow["seq"]:
            text += "; decisive record #%d" % hrow["seq"]
        out = {
            "uuid": _uuid(head_hash, "finding/%s/%s" % (row["oscal_id"], hrow["host"])),
            "title": "%s %s — %s" % (row["id"], row["title"], host),
            "description": text,
            "props": _props(("status", hrow["state"]), ("control", row["id"]), ("host", hrow["host"] or "-"),
                            ("control-status", row["status"])),
            "target": {"type": "objective-id", "target-id": row["oscal_id"], "status": {"state": state}},
        }
        if seqs:
            out["related-observations"] = [{"observation-uuid": obs_uuid[s]} for s in sorted(set(seqs))]
        return out

    @staticmethod
    def _finding(row, head_hash, obs_uuid):
        state = "satisfied" if row["status"] == "met" else "not-satisfied"
        name = "%s %s (%s)" % (row["id"], row.get("zh") or row.get("clause_zh", ""), row.get("en") or
                               row.get("requirement", ""))
        out = {
            "uuid": _uuid(head_hash, "finding/" + row["oscal_id"]),
            "title": " ".join(name.split()),
            "description": "Status %s (%s) from %d evidence record(s)." % (row["status"], row["why"], row["count"]),
            "props": _props(("status", row["status"]), ("control", row["id"])),
            "target": {"type": "objective-id", "target-id": row["oscal_id"],
                       "status": {"state": state}},
        }
        if row["seqs"]:
            out["related-observations"] = [{"observation-uuid": obs_uuid[s]} for s in row["seqs"]]
        return out


def _catalog_uuid(catalog, what):
    cat = catalog["mlps"].get("catalog") or {}
    return str(uuid.uuid5(UUID_NAMESPACE, "catalog/%s/%s/%s" % (cat.get("version"), cat.get("last_modified"), what)))


def oscal_catalog_documents(catalog):
    """OSCAL 1.1.2 catalog of the GB/T 22239 controls and the JX lifecycle clauses, with level-2/3 profiles.

    Ids, titles and requirement wording are this collection's own paraphrase (data/catalog), never the
    standard's text.
    """
    mlps, life = catalog["mlps"], catalog["lifecycle"]
    head = mlps.get("catalog") or {}
    modified = iso_z(parse_ts(head.get("last_modified") or "2026-01-01T00:00:00Z"))
    version = str(head.get("version") or "1")
    sev = {}
    for level, ids in (mlps.get("severity") or {}).items():
        for cid in ids or ():
            sev[cid] = level
    remarks = ("Control ids, titles and requirement statements are govcloud.lifecycle's own paraphrase for "
               "assessing a Linux guest; they are not the text of GB/T 22239-2019 or of the Jiangxi standard.")
    groups = []
    for clause in mlps["clauses"]:
        controls = []
        for c in mlps["controls"]:
            if c["clause"] != clause["id"]:
                continue
            cid = oscal_control_id("mlps", c["id"])
            controls.append({
                "id": cid, "class": "mlps-control", "title": c["title"],
                "props": [{"name": "label", "value": c["id"]}] + _props(
                    ("levels", " ".join("L%d" % lv for lv in c["levels"])), ("level-2-id", c.get("l2_id") or ""),
                    ("assessment", "manual" if c.get("manual") else "automated"),
                    ("severity", sev.get(c["id"], F.DEFAULT_SEVERITY))),
                "parts": [{"id": cid + "_smt", "name": "statement", "prose": c["requirement"]}],
            })
        groups.append({"id": oscal_control_id("mlps", clause["id"]), "class": "clause",
                       "title": "%s %s %s" % (clause["id"], clause["zh"], clause["en"]), "controls": controls})
    groups.append({"id": "jx", "class": "lifecycle", "title": "电子政务云平台应用系统上线规范 lifecycle clauses (JX ids)",
                   "controls": [{"id": oscal_control_id("jx", c["id"]), "class": "lifecycle-clause",
                                 "title": "%s %s" % (c["zh"], c["en"]),
                                 "props": [{"name": "label", "value": c["id"]}],
                                 "parts": [{"id": oscal_control_id("jx", c["id"]) + "_smt", "name": "statement",
                                            "prose": "Evidence of the lifecycle step %s (%s) for stages: %s." % (
                                                c["en"], c["zh"], ", ".join(c.get("stages") or []) or
                                                "derived (%s)" % c.get("derived"))}]}
                                for c in life["clauses"]]})
    docs = {"catalog": {"catalog": {
        "uuid": _catalog_uuid(catalog, "catalog"),
        "metadata": {"title": "GB/T 22239-2019 computing-environment controls (Linux guest) and Jiangxi lifecycle "
                              "clauses, as govcloud.lifecycle assesses them",
                     "last-modified": modified, "version": version, "oscal-version": OSCAL_VERSION,
                     "remarks": remarks},
        "groups": groups,
        "back-matter": {"resources": [{"uuid": _catalog_uuid(catalog, "source"),
                                       "title": "GB/T 22239-2019 信息安全技术 网络安全等级保护基本要求",
                                       "description": "The standard these controls are derived from (not "
                                                      "reproduced here)."}]},
    }}}
    for level in (2, 3):
        ids = [oscal_control_id("mlps", c["id"]) for c in mlps["controls"] if level in c["levels"]]
        ids += [oscal_control_id("jx", c["id"]) for c in life["clauses"]]
        docs["profile-%d" % level] = {"profile": {
            "uuid": _catalog_uuid(catalog, "profile-%d" % level),
            "metadata": {"title": "MLPS level %d (等保%s级) baseline of govcloud.lifecycle" % (level, "二三"[level - 2]),
                         "last-modified": modified, "version": version, "oscal-version": OSCAL_VERSION,
                         "remarks": "%d GB/T 22239 controls required at level %d, and the lifecycle clauses. %s"
                                    % (len(ids) - len(life["clauses"]), level, remarks)},
            "imports": [{"href": OSCAL_CATALOG_FILES["catalog"], "include-controls": [{"with-ids": ids}]}],
            "merge": {"as-is": True},
        }}
    return docs


def run(params, check_mode=False):
    """Entry point for the action plugin: returns the result dict or raises ReportError."""
    return Report(params, check_mode).run()
