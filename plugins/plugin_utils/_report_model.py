# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this plugin_util is **PRIVATE** to the collection: it can change at any time.

"""The report's model: catalogue and data, times and the work calendar, the aggregation of records into
controls and clauses, the service-time checks and the derived status of a clause."""

from __future__ import annotations

import calendar
import datetime
import re
from collections import deque

from ansible_collections.govcloud.lifecycle.plugins.plugin_utils import _findings as F
from ansible_collections.govcloud.lifecycle.plugins.plugin_utils._promotion_report import PhaseCollector


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


def _method(rec):
    """How an observation was made (OSCAL methods): automated checks TEST, a manual check as its attestation
    says (EXAMINE documents / INTERVIEW people / TEST), everything else EXAMINE."""
    if rec.get("kind") == "control_check":
        return "TEST"
    details = rec.get("details") if isinstance(rec.get("details"), dict) else {}
    if rec.get("kind") == "attestation" and details.get("method") in ("examine", "interview", "test"):
        return details["method"].upper()
    return "EXAMINE"
