# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this plugin_util is **PRIVATE** to the collection: it can change at any time.

"""The attestations file of an application (人工核查 / 风险接受), checked whole before anything is recorded.

``plan(path, manifest, today)`` reads the file with bounded YAML, checks every entry against the control
catalogue and the manifest (contacts, the unit leader) and returns every problem, each naming its field, and
the ledger records (kinds ``attestation`` and ``risk_acceptance``) to append when there is none.
playbooks/record_attestations.yml is the front end; the file's fields are described in docs/evidence.md.
"""

from __future__ import annotations

import datetime
import os

from ansible_collections.govcloud.lifecycle.plugins.plugin_utils import evidence as ev
from ansible_collections.govcloud.lifecycle.plugins.plugin_utils._findings import FindingsError, load_mlps_catalog
from ansible_collections.govcloud.lifecycle.plugins.module_utils._yaml_bounds import YamlBoundsError, load_file

DEFAULT_VALIDITY_DAYS = 365
MAX_FILE_BYTES = 1024 * 1024
MAX_ENTRIES = 1000
TOP_KEYS = ("validity_days", "assessors", "attestations", "risk_acceptances")
ATTESTATION_KEYS = ("control", "result", "by", "role", "date", "reference", "method", "files", "hosts", "reason",
                    "valid_until", "validity_days", "notes")
ACCEPTANCE_KEYS = ("control", "hosts", "accepted_by", "reason", "date", "expires", "reference")


class AttestationError(Exception):
    """The file cannot be read at all (missing, too big, not YAML); the message names it."""


def _text(value):
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()[:10]
    if value is None or isinstance(value, (bool, dict, list)):
        return ""
    return str(value).strip()


def _date(value, path, problems, today=None, not_future=True):
    text = _text(value)
    if not text:
        problems.append("%s: missing (a date YYYY-MM-DD)" % path)
        return None
    try:
        day = datetime.date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        day = None
    if day is None:
        problems.append("%s: %r is not a date YYYY-MM-DD" % (path, text))
        return None
    if not_future and today is not None and day > today:
        problems.append("%s: %s is in the future (today is %s)" % (path, text, today.isoformat()))
        return None
    return day


def _strings(value, path, problems):
    if value is None:
        return []
    if not isinstance(value, list) or any(not _text(v) for v in value):
        problems.append("%s: must be a list of non-empty strings" % path)
        return []
    return [_text(v) for v in value]


def _unknown(entry, known, path, problems):
    for key in sorted(set(entry) - set(known), key=str):
        problems.append("%s.%s: unknown field (known: %s)" % (path, key, ", ".join(known)))


def plan(path, manifest, today, catalog=None):
    """{'problems': [...], 'records': [...], 'attestations': n, 'risk_acceptances': n} for one file."""
    if isinstance(today, str):
        today = datetime.date.fromisoformat(today[:10])
    try:
        doc = load_file(path, what="attestations file", max_bytes=MAX_FILE_BYTES)
    except (OSError, YamlBoundsError) as exc:
        raise AttestationError("attestations file %s: %s" % (path, getattr(exc, "strerror", None) or exc))
    try:
        catalog = catalog or load_mlps_catalog()
    except FindingsError as exc:
        raise AttestationError(str(exc))
    base = os.path.dirname(os.path.abspath(path))
    problems = []
    if doc is None:
        doc = {}
    if not isinstance(doc, dict):
        return {"problems": ["%s: must be a mapping with attestations and/or risk_acceptances" % path],
                "records": [], "attestations": 0, "risk_acceptances": 0}
    _unknown(doc, TOP_KEYS, "(top level)", problems)
    app = manifest or {}
    app_id = app.get("id")
    contacts = dict((p.get("id"), p) for p in app.get("contacts") or () if isinstance(p, dict))
    unit_leader = (app.get("responsible") or {}).get("unit_leader")
    assessors = _strings(doc.get("assessors"), "assessors", problems)
    controls = dict((c["id"], c) for c in catalog["controls"])
    default_days = doc.get("validity_days", DEFAULT_VALIDITY_DAYS)
    if isinstance(default_days, bool) or not isinstance(default_days, int) or default_days < 1:
        problems.append("validity_days: %r is not a number of days >= 1" % (default_days,))
        default_days = DEFAULT_VALIDITY_DAYS

    records = []
    attestations = doc.get("attestations") or []
    acceptances = doc.get("risk_acceptances") or []
    for name, value in (("attestations", attestations), ("risk_acceptances", acceptances)):
        if not isinstance(value, list):
            problems.append("%s: must be a list" % name)
        elif len(value) > MAX_ENTRIES:
            problems.append("%s: %d entries, more than %d" % (name, len(value), MAX_ENTRIES))
    if not isinstance(attestations, list) or len(attestations) > MAX_ENTRIES:
        attestations = []
    if not isinstance(acceptances, list) or len(acceptances) > MAX_ENTRIES:
        acceptances = []
    if not attestations and not acceptances and not problems:
        problems.append("%s: holds no attestations and no risk_acceptances" % path)

    def control(entry, where):
        cid = _text(entry.get("control"))
        if not cid:
            problems.append("%s.control: missing (a control id of data/catalog/mlps_controls.yml)" % where)
        elif cid not in controls:
            problems.append("%s.control: %r is not a control of the catalogue (data/catalog/mlps_controls.yml)"
                            % (where, cid))
            cid = None
        return cid or None

    for i, entry in enumerate(attestations):
        where = "attestations[%d]" % i
        if not isinstance(entry, dict):
            problems.append("%s: must be a mapping" % where)
            continue
        before = len(problems)
        _unknown(entry, ATTESTATION_KEYS, where, problems)
        cid = control(entry, where)
        result = _text(entry.get("result"))
        if result not in ev.ATTESTATION_RESULTS:
            problems.append("%s.result: %r is not one of %s" % (where, result or None, ", ".join(ev.ATTESTATION_RESULTS)))
        who = _text(entry.get("by"))
        if not who:
            problems.append("%s.by: missing (a contact id of the manifest or an organisation listed under "
                            "assessors)" % where)
        elif who not in contacts and who not in assessors:
            problems.append("%s.by: %r is neither a contact id of the manifest (%s) nor an assessor organisation "
                            "listed under assessors" % (where, who, ", ".join(sorted(str(k) for k in contacts))))
        role = _text(entry.get("role"))
        if not role:
            problems.append("%s.role: missing (the attester's role, e.g. 系统管理员 or 测评师)" % where)
        day = _date(entry.get("date"), where + ".date", problems, today)
        reference = _text(entry.get("reference"))
        if not reference:
            problems.append("%s.reference: missing (the document reference: report number, 文号, file name)" % where)
        method = _text(entry.get("method")) or "examine"
        if method not in ev.ATTESTATION_METHODS:
            problems.append("%s.method: %r is not one of %s" % (where, method, ", ".join(ev.ATTESTATION_METHODS)))
        reason = _text(entry.get("reason"))
        if result == "not_applicable" and not reason:
            problems.append("%s.reason: missing (not_applicable needs the reason)" % where)
        hosts = _strings(entry.get("hosts"), where + ".hosts", problems)
        files = _strings(entry.get("files"), where + ".files", problems)
        artifacts = []
        for j, rel in enumerate(files):
            full = rel if os.path.isabs(rel) else os.path.join(base, rel)
            if not os.path.isfile(full):
                problems.append("%s.files[%d]: %s not found (paths are relative to %s)" % (where, j, rel, base))
                continue
            try:
                artifacts.append({"name": rel, "sha256": ev.hash_file(full)})
            except (OSError, ev.EvidenceError) as exc:
                problems.append("%s.files[%d]: %s cannot be read: %s" % (where, j, rel, exc))
        valid_until = None
        if entry.get("valid_until") is not None:
            valid_until = _date(entry.get("valid_until"), where + ".valid_until", problems, not_future=False)
            if valid_until and day and valid_until < day:
                problems.append("%s.valid_until: %s is before date %s" % (where, valid_until, day))
        else:
            days = entry.get("validity_days", default_days)
            if isinstance(days, bool) or not isinstance(days, int) or days < 1:
                problems.append("%s.validity_days: %r is not a number of days >= 1" % (where, days))
            elif day:
                valid_until = day + datetime.timedelta(days=days)
        if len(problems) > before:
            continue
        person = contacts.get(who) or {}
        name = _text(person.get("name")) or who
        details = {"control": cid, "result": result, "attested_by": who, "role": role, "date": day.isoformat(),
                   "reference": reference, "valid_until": valid_until.isoformat(), "method": method, "name": name}
        if reason:
            details["reason"] = reason
        if hosts:
            details["hosts"] = hosts
        if _text(entry.get("notes")):
            details["notes"] = _text(entry.get("notes"))
        title = controls[cid]["title"]
        records.append({
            "kind": "attestation", "clauses": [cid], "targets": hosts,
            "party": "customer" if who in contacts else "management_unit", "actor": name,
            "summary": "人工核查 manual check %s %s: %s — %s (%s), %s, ref. %s%s" % (
                cid, title, result, name, role, day.isoformat(), reference,
                (", hosts " + ", ".join(hosts)) if hosts else ""),
            "details": details, "artifacts": artifacts,
        })

    for i, entry in enumerate(acceptances):
        where = "risk_acceptances[%d]" % i
        if not isinstance(entry, dict):
            problems.append("%s: must be a mapping" % where)
            continue
        before = len(problems)
        _unknown(entry, ACCEPTANCE_KEYS, where, problems)
        cid = control(entry, where)
        who = _text(entry.get("accepted_by"))
        if not who:
            problems.append("%s.accepted_by: missing (the unit leader's contact id, application.responsible."
                            "unit_leader)" % where)
        elif who != unit_leader:
            problems.append("%s.accepted_by: %r is not the unit leader named in the manifest "
                            "(application.responsible.unit_leader: %s); only the unit leader accepts a risk"
                            % (where, who, unit_leader))
        reason = _text(entry.get("reason"))
        if not reason:
            problems.append("%s.reason: missing (why the risk is accepted)" % where)
        day = _date(entry.get("date"), where + ".date", problems, today)
        expires = _date(entry.get("expires"), where + ".expires", problems, not_future=False)
        if day and expires and expires < day:
            problems.append("%s.expires: %s is before date %s" % (where, expires, day))
        hosts = _strings(entry.get("hosts"), where + ".hosts", problems)
        reference = _text(entry.get("reference"))
        if len(problems) > before:
            continue
        name = _text((contacts.get(who) or {}).get("name")) or who
        details = {"control": cid, "accepted_by": who, "name": name, "reason": reason, "date": day.isoformat(),
                   "expires": expires.isoformat(), "role": "unit_leader"}
        if hosts:
            details["hosts"] = hosts
        if reference:
            details["reference"] = reference
        records.append({
            "kind": "risk_acceptance", "clauses": [cid], "targets": hosts, "party": "customer", "actor": name,
            "summary": "风险接受 risk accepted for %s%s by %s (unit leader) on %s until %s: %s" % (
                cid, (" on " + ", ".join(hosts)) if hosts else "", name, day.isoformat(), expires.isoformat(), reason),
            "details": details,
        })
    for rec in records:
        try:  # the ledger's own checks, before anything is written
            ev.build_record(dict(rec, application=app_id or "unknown"))
        except ev.EvidenceError as exc:
            problems.append("%s %s: %s" % (rec["kind"], rec["details"]["control"], exc))
    return {"problems": problems, "records": [] if problems else records,
            "attestations": len(attestations), "risk_acceptances": len(acceptances)}
