# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this plugin_util is **PRIVATE** to the collection: it can change at any time.

"""Control results per host, manual checks (人工核查) and rectification items (整改项), derived from the ledger.

The one place that decides which record is evidence for which GB/T 22239 control on which host, what a
control's state is on a host at a given date, and which rectification items are open.  The report
(plugin_utils/_report.py) and the promotion gate (plugin_utils/_evidence_gates.py) feed it the same records
and read the same answers; nothing is stored besides the ledger.  docs/evidence.md explains the rules.

Rules in short:

- A record is evidence for a control when ``details.control`` names it, or when ``clauses`` cite the control
  id itself (or its level-2 id), or a sub-clause that has that one control only.  A sub-clause citation of a
  sub-clause with several controls is evidence for none of them (it is shown under the clause, never under a
  sibling).
- The host of a record: ``details.host``, else its only target; a record without one host applies to every
  host (system-level evidence, e.g. an attestation of the backup policy).  A task on a cloud resource
  (``details.resource``: a project, a network) names no host (it ran on the controller) and is evidence for
  its sub-clause only, unless it cites a control id itself: the catalogue's controls are host checks.
- Per control and host the newest of: a decisive automated result (pass/changed met, fail/gap not met), a
  "manual" automated result (the check cannot decide: a valid attestation decides, else "manual check due"),
  and an attestation valid on the date (met / not met / not applicable).  Records of one assessment run
  (``details.assessment_id``) count as one result, the worst of them.
- No record on a host: "missing" there; a control is "met" only when every host is met. A control the
  operator switched off on a host (baseline_hardening's record naming the variable) is "missing" there too,
  with that reason.
- A rectification item opens at a not-met result of a control on a host (and at a failed assessor's report)
  and closes by evidence at the next met result of the same control on the same host, or by a risk
  acceptance valid on the date; an expired acceptance reopens it.
"""

from __future__ import annotations

import datetime
import os
import re

from ansible_collections.govcloud.lifecycle.plugins.module_utils._yaml_bounds import YamlBoundsError, load_file

DEFAULT_DUE_DAYS = 30
SEVERITIES = ("high", "medium", "low")
DEFAULT_BLOCKING = ("high",)
DEFAULT_SEVERITY = "medium"
# A failed assessor's report (安全测评 / 等保测评) is an item of its own, closed by a later passed report.
REPORT_KINDS = {"security_assessment": "high", "mlps_assessment": "high"}
APP_HOST = ""  # system-level evidence: no single host

MET = ("pass", "changed")
NOT_MET = ("fail", "gap")
# Host states, worst first: the control's state is the worst of its hosts' states.
STATES = ("gap", "missing", "manual_due", "attested", "met", "not_applicable")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class FindingsError(Exception):
    """A problem with the rectification options or the catalogue; the message names the field."""


# ------------------------------------------------------------------------------------------------ catalogue

def collection_root():
    # plugins/plugin_utils/_findings.py -> collection root, both installed and in a source checkout
    return os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def data_path(*parts):
    return os.path.join(collection_root(), "data", *parts)


def load_data(*parts):
    """A YAML data file of the collection, read with bounds like every YAML file the collection reads."""
    path = data_path(*parts)
    try:
        return load_file(path, what="collection data file")
    except (OSError, YamlBoundsError) as exc:
        raise FindingsError("cannot read the collection data file %s: %s" % (path, exc))


def load_mlps_catalog():
    return load_data("catalog", "mlps_controls.yml")


def rectification_options(options):
    """Check the manifest's ``rectification`` block: ``due_days`` (int >= 1), ``blocking`` (severities)."""
    options = options or {}
    if not isinstance(options, dict):
        raise FindingsError("rectification: must be a mapping with due_days and blocking")
    unknown = sorted(set(options) - {"due_days", "blocking"})
    if unknown:
        raise FindingsError("rectification.%s: unknown field (known: due_days, blocking)" % unknown[0])
    due = options.get("due_days", DEFAULT_DUE_DAYS)
    if due is None:
        due = DEFAULT_DUE_DAYS
    if isinstance(due, str) and due.strip().isdigit():
        due = int(due)
    if isinstance(due, bool) or not isinstance(due, int) or due < 1:
        raise FindingsError("rectification.due_days: %r is not a number of days >= 1" % (due,))
    blocking = options.get("blocking", list(DEFAULT_BLOCKING))
    if blocking is None:
        blocking = list(DEFAULT_BLOCKING)
    if isinstance(blocking, str):
        blocking = [blocking]
    if not isinstance(blocking, (list, tuple)) or any(b not in SEVERITIES for b in blocking):
        raise FindingsError("rectification.blocking: %r must list severities of %s" % (blocking, ", ".join(SEVERITIES)))
    return {"due_days": due, "blocking": [s for s in SEVERITIES if s in blocking]}


# ------------------------------------------------------------------------------------------------ helpers

def _day(value):
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.timezone.utc).date()
    if isinstance(value, datetime.date):
        return value
    text = str(value or "")[:10]
    return datetime.date.fromisoformat(text) if _DATE.match(text) else None


def event_date(rec):
    """The day an event happened: details.date when the record carries one, else its timestamp's (UTC) date."""
    details = rec.get("details") if isinstance(rec.get("details"), dict) else {}
    return _day(details.get("date")) or _day(rec.get("ts"))


def about_cloud_resource(rec):
    """True for a record of a task that acted on a cloud resource (the callback's ``details.resource``)."""
    details = rec.get("details") if isinstance(rec.get("details"), dict) else {}
    return isinstance(details.get("resource"), dict)


def record_host(rec):
    """The host a record is about; APP_HOST for system-level evidence.

    A task on a cloud resource runs on the controller (``details.host`` is the inventory host that ran the API
    call, e.g. localhost): it is about the resource, never about a host of the application.
    """
    details = rec.get("details") if isinstance(rec.get("details"), dict) else {}
    if about_cloud_resource(rec):
        return APP_HOST
    host = details.get("host")
    if isinstance(host, str) and host.strip():
        return host.strip()
    targets = rec.get("targets") or []
    if len(targets) == 1 and isinstance(targets[0], str) and targets[0].strip():
        return targets[0].strip()
    return APP_HOST


def brief(rec):
    return {"seq": rec.get("seq"), "ts": rec.get("ts"), "stage": rec.get("stage"), "kind": rec.get("kind"),
            "party": rec.get("party"), "actor": rec.get("actor"), "result": rec.get("result"),
            "summary": rec.get("summary") or "", "hash": rec.get("hash") or "", "host": record_host(rec)}


class _Event:
    __slots__ = ("seq", "seqs", "day", "kind", "result", "batch", "valid_until", "detail")

    def __init__(self, rec, result, batch=None, valid_until=None, detail=None):
        self.seq = rec.get("seq")
        self.seqs = [self.seq]
        self.day = event_date(rec)
        self.kind = rec.get("kind")
        self.result = result
        self.batch = batch
        self.valid_until = valid_until
        self.detail = detail


def _worse(a, b):
    order = ("fail", "gap", "manual", "pass", "changed")
    return a if order.index(a) <= order.index(b) else b


# ------------------------------------------------------------------------------------------------ the book

class ControlBook:
    """Fed every record of one application in ledger order (``add``); answers per control and host."""

    def __init__(self, mlps_catalog, duties=None):
        self.controls = [c["id"] for c in mlps_catalog["controls"]]
        self.catalog = dict((c["id"], c) for c in mlps_catalog["controls"])
        self.index = {}
        by_item = {}
        for c in mlps_catalog["controls"]:
            self.index[c["id"]] = c["id"]
            if c.get("l2_id"):
                self.index[c["l2_id"]] = c["id"]
            item = "%s.%s" % (c["clause"], c["item"]) if c.get("item") else c["clause"]
            by_item.setdefault(item, []).append(c["id"])
        # a sub-clause names a control only when it has exactly that one (e.g. 8.1.4.1.d -> 8.1.4.1.d-01)
        for item, ids in by_item.items():
            if len(ids) == 1:
                self.index.setdefault(item, ids[0])
                self.index.setdefault("7" + item[1:], ids[0])
        self.sub_clauses = set(by_item) | set("7" + i[1:] for i in by_item)
        sev = mlps_catalog.get("severity") or {}
        self.severity = {}
        for level in SEVERITIES:
            for cid in sev.get(level) or ():
                self.severity[cid] = level
        self.duties = duties or {}
        self.hosts = set()
        self.cells = {}         # (control, host) -> [_Event] automated results, ledger order
        self.attestations = {}  # control -> [(_Event, hosts or None)]
        self.acceptances = {}   # control -> [(_Event, hosts or None)]
        self.records = {}       # control -> [(host, brief)] every record that is evidence for the control
        self.clause_only = {}   # sub-clause -> [brief]: cited without a control
        self.switched_off = {}  # (control, host) -> _Event: the newest record saying the control was switched off
        self.reports = {}       # kind -> [_Event] assessor's reports
        self.stage_of = {}      # control -> stage of its newest not-met record (for the responsible party)

    def control_of(self, rec):
        """The controls a record is evidence for (a list: a record citing two control ids counts for both)."""
        details = rec.get("details") if isinstance(rec.get("details"), dict) else {}
        named = details.get("control")
        if isinstance(named, str) and named in self.index:
            return [self.index[named]]
        # A task on a cloud resource (a project, a network) is cloud-layer evidence of its sub-clause: the
        # catalogue's controls are host checks, so only a control id it cites itself makes it theirs.
        cloud = about_cloud_resource(rec)
        out = []
        for ref in rec.get("clauses") or ():
            cid = self.index.get(ref)
            if cid and cid not in out and not (cloud and ref in self.sub_clauses):
                out.append(cid)
        return out

    def add(self, rec):
        """Take one record; returns the control ids it is evidence for."""
        kind = rec.get("kind")
        result = rec.get("result")
        if kind in REPORT_KINDS and result in MET + NOT_MET:
            self.reports.setdefault(kind, []).append(_Event(rec, result))
        cids = self.control_of(rec)
        if not cids:
            for ref in rec.get("clauses") or ():
                if ref in self.sub_clauses:
                    self.clause_only.setdefault(ref, []).append(brief(rec))
            return []
        details = rec.get("details") if isinstance(rec.get("details"), dict) else {}
        host = record_host(rec)
        b = brief(rec)
        if kind in ("attestation", "risk_acceptance"):
            hosts = [h for h in details.get("hosts") or () if isinstance(h, str)] or None
            for h in hosts or ():
                self.hosts.add(h)
            if kind == "attestation":
                ev = _Event(rec, details.get("result"), valid_until=_day(details.get("valid_until")), detail={
                    "by": details.get("attested_by"), "name": details.get("name"), "role": details.get("role"),
                    "date": details.get("date"), "reference": details.get("reference"),
                    "valid_until": details.get("valid_until"), "method": details.get("method") or "examine",
                    "reason": details.get("reason")})
                target = self.attestations
            else:
                ev = _Event(rec, "accepted", valid_until=_day(details.get("expires")), detail={
                    "by": details.get("accepted_by"), "name": details.get("name"), "reason": details.get("reason"),
                    "date": details.get("date"), "expires": details.get("expires"),
                    "reference": details.get("reference")})
                target = self.acceptances
            for cid in cids:
                target.setdefault(cid, []).append((ev, hosts))
                for h in hosts or [APP_HOST]:
                    self.records.setdefault(cid, []).append((h, b))
            return cids
        if result not in MET + NOT_MET + ("manual",):
            for cid in cids:
                self.records.setdefault(cid, []).append((host, b))
                if details.get("switched_off") and host:
                    # the operator switched the control off on this host: no result, but a reason to show
                    self.hosts.add(host)
                    self.switched_off[(cid, host)] = _Event(rec, result)
            return cids
        # Hosts are what host-level checks name (baseline_hardening's details.control, or details.host); any
        # other single target (a project, a network) makes the record system-level, see host_key().
        if host and (details.get("control") or details.get("host")):
            self.hosts.add(host)
        batch = details.get("assessment_id")
        for cid in cids:
            self.records.setdefault(cid, []).append((host, b))
            cell = self.cells.setdefault((cid, host), [])
            if batch and cell and cell[-1].batch == batch:
                last = cell[-1]
                last.result = _worse(result, last.result)
                last.seqs.append(rec.get("seq"))
                last.seq = rec.get("seq")
            else:
                cell.append(_Event(rec, result, batch=batch))
            if result in NOT_MET:
                self.stage_of[cid] = rec.get("stage")
        return cids

    # --- answers

    def _host_list(self):
        return sorted(self.hosts) or [APP_HOST]

    def host_key(self, host):
        """The host a record's target stands for: a known host, else system-level (APP_HOST)."""
        return host if host in self.hosts else APP_HOST

    def _events(self, cid, host):
        """Automated results of the control on the host (own and system-level), ledger order."""
        out = []
        for (c, h), events in self.cells.items():
            if c == cid and (h == host or self.host_key(h) == APP_HOST):
                out.extend(events)
        return sorted(out, key=lambda e: e.seq)

    @staticmethod
    def _applies(hosts, host):
        return hosts is None or host in hosts or host == APP_HOST

    def _attested(self, cid, host):
        return sorted((e for e, hosts in self.attestations.get(cid, ()) if self._applies(hosts, host)),
                      key=lambda e: e.seq)

    def host_state(self, cid, host, today):
        """(state, why, decisive event or None, attestation shown or None) of one control on one host."""
        autos = self._events(cid, host)
        atts = self._attested(cid, host)
        valid = [a for a in atts if a.valid_until is None or today is None or a.valid_until >= today]
        expired = [a for a in atts if a not in valid]
        candidates = autos + valid
        if not candidates:
            if expired:
                return "manual_due", "attestation_expired", None, expired[-1]
            if self.catalog[cid].get("manual"):
                return "manual_due", "manual_no_record", None, None
            if (cid, host) in self.switched_off:
                return "missing", "switched_off", self.switched_off[(cid, host)], None
            return "missing", "no_records", None, None
        newest = max(candidates, key=lambda e: e.seq)
        if newest.kind != "attestation" and newest.result == "manual":
            if valid:
                newest = valid[-1]
            elif expired:
                return "manual_due", "attestation_expired", autos[-1], expired[-1]
            else:
                return "manual_due", "manual_check_due", newest, None
        if newest.kind == "attestation":
            state = {"met": "attested", "not_met": "gap", "not_applicable": "not_applicable"}.get(newest.result, "gap")
            return state, "attestation_" + str(newest.result), newest, newest
        if newest.result in MET:
            return "met", "newest_pass", newest, None
        return "gap", "newest_fail", newest, None

    def control_summary(self, cid, today, applicable=True):
        """Every host's state of one control and the control's state (the worst of them)."""
        if not applicable:
            return {"state": "not_applicable", "why": "not_applicable_level", "hosts": [], "met_hosts": 0,
                    "host_count": 0}
        rows = []
        for host in self._host_list():
            state, why, ev, att = self.host_state(cid, host, today)
            rows.append({"host": host, "state": state, "why": why,
                         "seq": ev.seq if ev else None, "seqs": list(ev.seqs) if ev else [],
                         "day": ev.day.isoformat() if ev and ev.day else None,
                         "result": ev.result if ev else None,
                         "attestation": dict(att.detail, seq=att.seq) if att else None})
        states = [r["state"] for r in rows]
        state = next(s for s in STATES if s in states)
        if state == "not_applicable" and len(set(states)) > 1:
            state = next(s for s in STATES if s in states and s != "not_applicable")
        why = next(r["why"] for r in rows if r["state"] == state)
        good = sum(1 for s in states if s in ("met", "attested", "not_applicable"))
        return {"state": state, "why": why, "hosts": rows, "met_hosts": good, "host_count": len(rows)}

    # --- rectification

    def _acceptance(self, cid, host, today):
        best = None
        for ev, hosts in self.acceptances.get(cid, ()):
            if self._applies(hosts, host) and (best is None or ev.seq > best[0].seq):
                best = (ev, ev.valid_until is None or today is None or ev.valid_until >= today)
        return best

    def items(self, today, due_days=DEFAULT_DUE_DAYS, blocking=DEFAULT_BLOCKING, level=None):
        """Every rectification item, oldest first: dicts with id, control/host, severity, party, due, status."""
        out = []
        for cid in self.controls:
            levels = self.catalog[cid].get("levels") or ()
            if level is not None and level not in levels:
                continue
            hosts = self._host_list()
            for host in hosts:
                timeline = self._events(cid, host) + [e for e in self._attested(cid, host)
                                                      if e.result in ("met", "not_met")]
                timeline.sort(key=lambda e: e.seq)
                current = None
                for ev in timeline:
                    bad = ev.result in NOT_MET or ev.result == "not_met"
                    good = ev.result in MET or ev.result == "met"
                    if bad and current is None:
                        current = self._item(cid, host, ev, due_days, blocking)
                    elif good and current is not None:
                        current.update(status="closed_by_evidence", closed_seq=ev.seq,
                                       closed=ev.day.isoformat() if ev.day else None)
                        out.append(current)
                        current = None
                if current is not None:
                    self._finish(current, self._acceptance(cid, host, today), today)
                    out.append(current)
        for kind, events in sorted(self.reports.items()):
            current = None
            for ev in events:
                if ev.result in NOT_MET and current is None:
                    current = self._item(kind, APP_HOST, ev, due_days, blocking, severity=REPORT_KINDS[kind])
                elif ev.result in MET and current is not None:
                    current.update(status="closed_by_evidence", closed_seq=ev.seq,
                                   closed=ev.day.isoformat() if ev.day else None)
                    out.append(current)
                    current = None
            if current is not None:
                self._finish(current, None, today)
                out.append(current)
        out.sort(key=lambda i: (i["opened_seq"], i["control"], i["host"]))
        return out

    def _item(self, cid, host, ev, due_days, blocking, severity=None):
        severity = severity or self.severity.get(cid, DEFAULT_SEVERITY)
        stage = "security_assessment" if cid in REPORT_KINDS else self.stage_of.get(cid, "hardening")
        opened = ev.day
        return {"id": "RC-%s%s-%d" % (cid, "@" + host if host else "", ev.seq), "control": cid, "host": host,
                "severity": severity, "blocking": severity in blocking, "party": self.duties.get(stage),
                "stage": stage, "opened_seq": ev.seq, "opened": opened.isoformat() if opened else None,
                "due": (opened + datetime.timedelta(days=due_days)).isoformat() if opened else None,
                "status": "open", "overdue": False, "closed_seq": None, "closed": None, "acceptance": None}

    @staticmethod
    def _finish(item, acceptance, today):
        if acceptance is not None:
            ev, valid = acceptance
            item["acceptance"] = dict(ev.detail, seq=ev.seq, valid=valid)
            if valid:
                item.update(status="closed_by_acceptance", closed_seq=ev.seq,
                            closed=ev.day.isoformat() if ev.day else None)
                return
        if today is not None and item["due"] and today.isoformat() > item["due"]:
            item["overdue"] = True


def open_blocking(items):
    return [i for i in items if i["status"] == "open" and i["blocking"]]
