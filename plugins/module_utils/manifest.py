# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The application manifest: its one schema, its checks, its normal form and the applicant conditions.

Every stage reads the manifest through ``validate()``; roles get the plain data it returns and never parse
the manifest themselves.  This file is the public entry (other code imports only it); the parts live in
private files: ``_manifest_schema`` (``SCHEMA``, the single definition of the structure, rendered to
``docs/manifest.schema.json`` by ``render_schema()``; a unit test keeps the two equal), ``_manifest_validator``
(the schema interpreter), ``_manifest_policy`` (a cloud's policy) and ``_manifest_checks`` (the semantic
checks).  Here: the derived facts, the normal form, the digest, the applicant conditions and the one request
of ``manifest_validate``.

Only the standard library is used, so the same code works in the action plugin on the controller and in the
module on a target.
"""

from __future__ import annotations

import copy
import datetime
import hashlib
import ipaddress
import json

from ansible_collections.govcloud.lifecycle.plugins.module_utils._manifest_schema import (
    BASTION_MIN_PREFIX,
    DEFAULT_ANYWHERE_ZONES,
    DEFAULT_FLAVORS,
    DEFAULT_MANAGEMENT_SERVICES,
    DEFAULT_MAX_TRIAL_DAYS,
    DEFAULT_RESERVED_CIDRS,
    DEFAULT_SOURCE_MIN_PREFIX,
    DEFAULT_ZONE_PREFIX,
    INTERNET_ZONE,
    PLACEHOLDER_NAMES,
    POLICY_KEYS,
    ROOT,
    RULE_ANYWHERE,
    RULE_BASTION_PREFIX,
    RULE_CLAUSES,
    RULE_MANAGEMENT,
    RULE_SOURCE_PREFIX,
    RULE_ZONE_PREFIX,
    SCHEMA,
    SCHEMA_ID,
    SUPPORTED_KEYWORDS,
    ZONE_TERMS,
    ZONES,
    render_schema,
)
from ansible_collections.govcloud.lifecycle.plugins.module_utils._manifest_validator import (
    _date,
    _dicts,
    _get,
    _is_date,
    _json_type,
    Problem,
    plain,
    schema_problems,
    _show,
)
from ansible_collections.govcloud.lifecycle.plugins.module_utils._manifest_policy import (
    default_policy,
    management_reason,
    resolve_policy,
)
from ansible_collections.govcloud.lifecycle.plugins.module_utils._manifest_checks import (
    options_problems,
    resource_needs,
    semantic_problems,
)

# The public names: what other code may use (the parts above are private files).
__all__ = [
    "BASTION_MIN_PREFIX", "DEFAULT_ANYWHERE_ZONES", "DEFAULT_FLAVORS", "DEFAULT_MANAGEMENT_SERVICES",
    "DEFAULT_MAX_TRIAL_DAYS", "DEFAULT_RESERVED_CIDRS", "DEFAULT_SOURCE_MIN_PREFIX", "DEFAULT_ZONE_PREFIX",
    "DUTY_ACCOUNTS", "HARDENING_LEVELS", "INTERNET_ZONE", "PLACEHOLDER_NAMES", "POLICY_KEYS", "QUOTA_OPTIONS",
    "ROOT", "RULE_ANYWHERE", "RULE_BASTION_PREFIX", "RULE_CLAUSES", "RULE_MANAGEMENT", "RULE_SOURCE_PREFIX",
    "RULE_ZONE_PREFIX", "SCHEMA", "SCHEMA_ID", "SUPPORTED_KEYWORDS", "ZONES", "ZONE_TERMS", "Problem",
    "applicant_conditions", "check_request", "default_policy", "derived", "digest", "duty_accounts",
    "hardening_level", "management_reason", "normalise", "options_problems", "plain", "quota_options",
    "render_schema", "resolve_policy", "resource_needs", "responsible_persons", "schema_problems",
    "semantic_problems", "validate",
]


def responsible_persons(app):
    """Duty -> {id, name, title} of a valid manifest: who the tenant's separated accounts are for."""
    people = dict((p["id"], p) for p in app["contacts"])
    return dict((duty, dict((k, people[pid][k]) for k in ("id", "name", "title") if k in people[pid]))
                for duty, pid in app["responsible"].items())


# Manifest quota names -> openstack.cloud.quota option names (the only one that differs); every quota the
# collection sets (tenant, trial, promotion) goes through quota_options().
QUOTA_OPTIONS = {"ram_mb": "ram"}
# 三权分立: duty in the manifest -> (account name suffix, tenant duty); the auditor account only when named.
DUTY_ACCOUNTS = (("system_admin", "sysadmin", "admin"), ("security_officer", "secadmin", "operator"),
                 ("auditor", "auditor", "auditor"))
# The levels baseline_hardening knows; a level-4 system is hardened to level 3 and the rest by hand.
HARDENING_LEVELS = (2, 3)


def quota_options(quotas):
    """Manifest quotas (``ram_mb``, ...) -> openstack.cloud.quota options (``ram``, ...), sorted by name."""
    return dict((QUOTA_OPTIONS.get(k, k), v) for k, v in sorted((quotas or {}).items()))


def duty_accounts(app):
    """The tenant's separated accounts (三权分立) of a valid manifest: one per responsible person's duty.

    Each is ``{name, duty, person, email}``: ``<id>-sysadmin`` administers the project, ``<id>-secadmin``
    operates it, ``<id>-auditor`` (when an auditor is named) only reads.
    """
    people = dict((p["id"], p) for p in app["contacts"])
    return [{"name": "%s-%s" % (app["id"], suffix), "duty": duty, "person": app["responsible"][key],
             "email": people.get(app["responsible"][key], {}).get("email")}
            for key, suffix, duty in DUTY_ACCOUNTS if key in app["responsible"]]


def hardening_level(app):
    """The baseline_hardening level of the manifest's MLPS level, clamped to the levels the role knows."""
    return min(max(int(app["mlps"]["level"]), HARDENING_LEVELS[0]), HARDENING_LEVELS[-1])


def derived(app):
    """What the stage playbooks take from a valid manifest beyond its own fields, computed here once."""
    return {
        "tenant_users": duty_accounts(app),
        "tenant_description": "%s / %s (%s)" % (app["name"]["zh"], app["name"]["en"], app["owning_unit"]["zh"]),
        "hardening_level": hardening_level(app),
        "quotas": quota_options(app.get("quotas")),
        "trial_quotas": quota_options((app.get("trial") or {}).get("quotas")),
    }


def normalise(app):
    """The canonical form of a valid manifest: canonical CIDR text, optional lists present."""
    app = copy.deepcopy(app)
    for key in ("services", "flows", "approvals"):
        app.setdefault(key, [])
    app["bastion_cidrs"] = [str(ipaddress.ip_network(c)) for c in app["bastion_cidrs"]]
    for zone in app["zones"]:
        zone["cidr"] = str(ipaddress.ip_network(zone["cidr"]))
    for server in app["servers"]:
        server.setdefault("volumes", [])
    for service in app["services"]:
        service["sources"] = [str(ipaddress.ip_network(c)) for c in service["sources"]]
    return app


def _canonical(app):
    try:
        return normalise(app)
    except (KeyError, TypeError, ValueError, AttributeError):
        return app


def digest(app):
    """sha256 of the canonical JSON of a (normalised) manifest; approvals are bound to it."""
    text = json.dumps(app, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def validate(manifest, flavors=None, reserved_cidrs=DEFAULT_RESERVED_CIDRS, cloud_reserved_cidrs=(),
             occupied_cidrs=(), max_trial_days=DEFAULT_MAX_TRIAL_DAYS, policy=None):
    """Check a manifest (the value of the ``application`` variable) under the cloud's ``policy`` (None: defaults).

    Returns ``(normalised, problems)``: ``problems`` is every problem as ``path: reason`` text (empty when
    valid), ``normalised`` is None unless the manifest is valid.
    """
    flavors = DEFAULT_FLAVORS if flavors is None else flavors
    option_errors = options_problems(flavors, reserved_cidrs, cloud_reserved_cidrs, occupied_cidrs, max_trial_days)
    option_errors += resolve_policy(plain(policy))[1]
    if option_errors:
        return None, _texts(option_errors)
    document = {ROOT: plain(manifest)} if manifest is not None else {}
    problems = schema_problems(document)
    problems += semantic_problems(document.get(ROOT), flavors, reserved_cidrs, cloud_reserved_cidrs,
                                  occupied_cidrs, max_trial_days, policy=plain(policy))
    if problems:
        return None, _texts(problems)
    return normalise(document[ROOT]), []


def _texts(problems):
    seen = []
    for problem in problems:
        text = str(problem)
        if text not in seen:
            seen.append(text)
    return seen


def applicant_conditions(manifest, records=None, today=None):
    """Unmet 上线申请 conditions, as ``path: reason`` texts (empty when all are met).

    ``records`` are the evidence records of stage ``approval`` for this application, oldest first (as
    ``Ledger.records(application=..., stage="approval")`` yields them).  Pass None before the application
    is submitted: the approval condition is then not evaluated.  The manifest should be valid; the
    function does not fail on one that is not.
    """
    today = today or datetime.date.today()
    app = plain(manifest) if isinstance(manifest, dict) else {}
    unmet = []
    people = dict((p["id"], p) for dummy, p in _dicts(app.get("contacts")) if isinstance(p.get("id"), str))
    responsible = app.get("responsible") if isinstance(app.get("responsible"), dict) else {}
    level = _get(app, "mlps", "level")
    level = level if _json_type(level) == "integer" and 1 <= level <= 4 else None
    duties = ["security_officer", "system_admin"] + (["auditor"] if level and level >= 3 else [])
    for duty in duties:
        dpath = "%s.responsible.%s" % (ROOT, duty)
        person = people.get(responsible.get(duty)) if isinstance(responsible.get(duty), str) else None
        if person is None:
            unmet.append("%s: no responsible person named (责任人 required before the application)" % dpath)
            continue
        name = person.get("name") if isinstance(person.get("name"), str) else ""
        if name.strip().lower() in PLACEHOLDER_NAMES or not name.strip():
            unmet.append("%s: %s is a placeholder, not a person's name" % (dpath, _show(name)))
        if not (person.get("phone") or person.get("email")):
            unmet.append("%s: the responsible person %s has neither phone nor email" % (dpath, name))
    if level is None:
        unmet.append("%s.mlps.level: the 等保 protection level (1-4) is not given" % ROOT)
    grading = _get(app, "mlps", "grading") if isinstance(_get(app, "mlps", "grading"), dict) else None
    gpath = "%s.mlps.grading" % ROOT
    if grading is None or not isinstance(grading.get("date"), str) or not _is_date(grading["date"]):
        unmet.append("%s.date: the level is not graded (定级 date missing)" % gpath)
    elif _date(grading["date"]) > today:
        unmet.append("%s.date: grading date %s is in the future" % (gpath, grading["date"]))
    if level and level >= 2:
        for key, what in (("report_ref", "定级报告 grading report"), ("expert_review_ref", "专家评审意见 expert review")):
            if not (grading and isinstance(grading.get(key), str) and grading[key].strip()):
                unmet.append("%s.%s: level %d needs a grading record: %s reference missing" % (gpath, key, level, what))
    if not isinstance(app.get("description"), str) or not app.get("description", "").strip():
        unmet.append("%s.description: the system description is missing" % ROOT)
    if not _dicts(app.get("servers")):
        unmet.append("%s.servers: no resource needs declared" % ROOT)
    if records is not None:
        unmet.extend(_approval_unmet(app, records))
    return unmet


def _approval_unmet(app, records):
    """The cloud management unit's approval (审批) must be the latest word in the ledger, for this manifest."""
    app = app if isinstance(app, dict) else {}
    records = [r for r in (records if isinstance(records, (list, tuple)) else list(records or ()))
               if isinstance(r, dict) and r.get("stage") == "approval"
               and r.get("kind", "approval") == "approval"
               and (_get(r, "details", "subject") or "application") == "application"
               and r.get("application") in (None, app.get("id"))]
    apath = "%s (evidence stage 'approval')" % ROOT
    if not records:
        return ["%s: no approval by the cloud management unit is recorded in the evidence ledger" % apath]
    latest = records[-1]
    seq = latest.get("seq")
    if latest.get("result") != "pass":
        return ["%s: the latest approval record (seq %s) has result %s, not pass: %s" % (
            apath, seq, _show(latest.get("result")), latest.get("summary", ""))]
    details = latest.get("details") if isinstance(latest.get("details"), dict) else {}
    approved = details.get("manifest_sha256")
    if approved:
        current = digest(_canonical(app))
        if approved != current:
            return ["%s: the approval record (seq %s) approved manifest %s, but the manifest now is %s; "
                    "the changed manifest needs a new approval" % (apath, seq, approved[:12], current[:12])]
    return []


def check_request(params, records=None):
    """The result of one manifest_validate call (module or action plugin): plain data, never raises.

    ``params`` are the module options; ``records`` the ledger's approval records when the gate needs them.
    """
    flavors = params.get("flavors")
    normalised, problems = validate(
        params.get("manifest"),
        flavors=DEFAULT_FLAVORS if flavors is None else flavors,
        reserved_cidrs=params.get("reserved_cidrs", DEFAULT_RESERVED_CIDRS),
        cloud_reserved_cidrs=params.get("cloud_reserved_cidrs") or (),
        occupied_cidrs=params.get("occupied_cidrs") or (),
        max_trial_days=params.get("max_trial_days", DEFAULT_MAX_TRIAL_DAYS),
        policy=params.get("policy"),
    )
    gate = params.get("gate") or "none"
    unmet = []
    if gate != "none":
        unmet = applicant_conditions(normalised or params.get("manifest"), records if gate == "allocation" else None)
    result = {
        "changed": False,
        "valid": not problems,
        "problems": problems,
        "unmet_conditions": unmet,
        "manifest": normalised or {},
        "manifest_sha256": digest(normalised) if normalised else "",
        "needs": resource_needs(normalised, flavors or DEFAULT_FLAVORS) if normalised else {},
        "responsible": responsible_persons(normalised) if normalised else {},
        "derived": derived(normalised) if normalised else {},
    }
    parts = []
    if problems:
        parts.append("the application manifest has %d problem(s):\n- %s" % (len(problems), "\n- ".join(problems)))
    if unmet:
        parts.append("%d applicant condition(s) (上线申请条件) unmet:\n- %s" % (len(unmet), "\n- ".join(unmet)))
    if parts:
        result["failed"] = True
        result["msg"] = "\n".join(parts)
    else:
        result["msg"] = "manifest %s is valid%s" % (normalised["id"], "" if gate == "none" else
                                                    "; applicant conditions (%s) met" % gate)
    return result
