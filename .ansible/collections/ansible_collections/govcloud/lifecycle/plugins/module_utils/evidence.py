# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Evidence ledger: the one place for evidence rules.

Schema, per-kind validation, redaction, canonical form, chaining, signed checkpoints (anchor) and
verification.  Modules, the callback and the report only call this file.  See docs/evidence.md.
"""

from __future__ import annotations

import base64
import datetime
import fcntl
import getpass
import hashlib
import json
import math
import os
import re
import socket
import sqlite3
import time
import uuid

try:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

    HAS_CRYPTOGRAPHY = True
except ImportError:  # pragma: no cover - ansible-core requires cryptography on the controller
    HAS_CRYPTOGRAPHY = False

SCHEMA_VERSION = 1
DB_NAME = "ledger.sqlite"
ANCHOR_NAME = "ledger.anchors"
GENESIS_HASH = "0" * 64
REDACTED = "<redacted>"
BUSY_TIMEOUT_MS = 60000

ENV_DIR = "GOVCLOUD_EVIDENCE_DIR"
ENV_KEY = "GOVCLOUD_EVIDENCE_KEY"
ENV_ANCHOR = "GOVCLOUD_EVIDENCE_ANCHOR"
ENV_APPLICATION = "GOVCLOUD_EVIDENCE_APPLICATION"
# The key id an application's ledger must be signed with (pinned at intake); compared on every verification.
ENV_KEY_ID = "GOVCLOUD_EVIDENCE_KEY_ID"
# The management unit's witness ledger: one for the whole cloud, outside every application's evidence directory.
ENV_WITNESS_DIR = "GOVCLOUD_WITNESS_DIR"
ENV_WITNESS_KEY = "GOVCLOUD_WITNESS_KEY"
# The ident of the run (ansible-runner's ident, an AWX job id) that wrote a record: details.run_id.
ENV_RUN_ID = "GOVCLOUD_RUN_ID"

STAGES = (
    "application", "approval", "resource_allocation", "network", "deployment", "hardening", "trial",
    "security_assessment", "mlps_assessment", "filing", "formal_operation", "data_handover", "sanitization",
    "decommission",
)
STAGE_TERMS = {
    "application": ("上线申请", "Application"),
    "approval": ("审批", "Approval"),
    "resource_allocation": ("资源分配", "Resource allocation"),
    "network": ("网络配置", "Network"),
    "deployment": ("系统部署", "Deployment"),
    "hardening": ("安全加固", "Hardening"),
    "trial": ("系统试运行", "Trial run"),
    "security_assessment": ("安全测评", "Security assessment"),
    "mlps_assessment": ("等保测评", "MLPS assessment"),
    "filing": ("备案", "Filing"),
    "formal_operation": ("系统正式运行", "Formal operation"),
    "data_handover": ("数据移交", "Data handover"),
    "sanitization": ("数据清除", "Sanitization"),
    "decommission": ("系统下线", "Decommission"),
}
RESULTS = ("pass", "fail", "gap", "changed", "info", "manual")
RESULT_TERMS = {
    "pass": ("通过", "Pass"),
    "fail": ("不通过", "Fail"),
    "gap": ("差距", "Gap"),
    "changed": ("已变更", "Changed"),
    "info": ("信息", "Info"),
    "manual": ("需人工核查", "Manual check"),
}
PARTIES = ("cloud_service_provider", "customer", "management_unit")
PARTY_TERMS = {
    "cloud_service_provider": ("云服务方", "Cloud service provider"),
    "customer": ("云服务客户", "Cloud service customer"),
    "management_unit": ("管理单位", "Cloud management unit"),
}
# The witness ledger's own records sit outside the lifecycle (never in an application's ledger).
WITNESS_STAGE = "evidence"
WITNESS_APPLICATION = "witness"
FIELDS = (
    "seq", "ts", "application", "stage", "kind", "clauses", "party", "actor", "targets", "result", "summary",
    "details", "artifacts", "prev_hash", "hash",
)
_JSON_FIELDS = ("clauses", "targets", "details", "artifacts")

# Per-kind schema: required/optional detail fields with their type, default stage and party, and how the
# record's result follows from its details when the caller gives none.  Documented in docs/evidence.md.
# Types: "str", "date" (YYYY-MM-DD), "int", "bool", "list", "dict", or a tuple of allowed strings.
MLPS_CONCLUSIONS = ("compliant", "basically_compliant", "non_compliant")
KIND_SCHEMAS = {
    "application": {
        "zh": "上线申请", "stage": "application", "party": "customer",
        "required": {"applicant_org": "str", "system_name": "str", "mlps_level": "int", "date": "date"},
        "optional": {"responsible_persons": "list", "resources": "dict", "description": "str"},
    },
    "approval": {
        "zh": "审批", "stage": "approval", "party": "management_unit",
        "required": {"approver": "str", "decision": ("approved", "rejected", "conditional"), "date": "date"},
        "optional": {"subject": "str", "reference": "str", "conditions": "str"},
        "result": lambda d: "fail" if d["decision"] == "rejected" else "pass",
    },
    "security_assessment": {
        "zh": "安全测评", "stage": "security_assessment", "party": "management_unit",
        "required": {"assessor_org": "str", "report_number": "str", "date": "date",
                     "conclusion": ("passed", "failed")},
        "optional": {"open_findings": "int", "scope": "str"},
        "result": lambda d: "pass" if d["conclusion"] == "passed" else "fail",
    },
    "mlps_assessment": {
        "zh": "等保测评", "stage": "mlps_assessment", "party": "customer",
        "required": {"assessor_org": "str", "report_number": "str", "date": "date",
                     "conclusion": MLPS_CONCLUSIONS, "level": "int"},
        "optional": {"score": "float", "valid_until": "date"},
        "result": lambda d: "fail" if d["conclusion"] == "non_compliant" else "pass",
    },
    "filing": {
        "zh": "备案", "stage": "filing", "party": "customer",
        "required": {"filing_number": "str", "filing_authority": "str", "date": "date"},
        "optional": {"level": "int", "certificate": "str"},
        "result": lambda d: "pass",
    },
    "trial_completion": {
        "zh": "试运行结束", "stage": "trial", "party": "customer",
        "required": {"start_date": "date", "end_date": "date", "conclusion": ("completed", "aborted")},
        "optional": {"incidents": "int", "notes": "str"},
        "result": lambda d: "pass" if d["conclusion"] == "completed" else "fail",
    },
    "data_handover": {
        "zh": "数据移交", "stage": "data_handover", "party": "customer",
        "required": {"items": "list", "confirmed_by": "str", "confirmation_date": "date"},
        "optional": {"method": "str", "notes": "str"},
        "result": lambda d: "pass",
    },
    "wipe": {
        "zh": "数据清除", "stage": "sanitization", "party": "cloud_service_provider",
        "required": {"method": "str", "verification": "str"},
        "optional": {"media": "str", "tool": "str", "validator": "str", "date": "date"},
    },
    "stage_result": {"zh": "阶段结果", "required": {}, "optional": {}},
    "gate": {"zh": "阶段门禁", "required": {"target_stage": STAGES}, "optional": {"items": "list"}},
    "control_check": {"zh": "控制项检查", "required": {}, "optional": {}},
    "task": {"zh": "任务变更", "required": {}, "optional": {}},
    "evidence_gap": {"zh": "证据缺失", "required": {}, "optional": {}},
    "note": {"zh": "说明", "required": {}, "optional": {}},
    # a signed checkpoint of an application's ledger, copied into the management unit's witness ledger
    "witness": {
        "zh": "见证检查点", "stage": WITNESS_STAGE, "party": "management_unit",
        "required": {"ledger_id": "str", "directory": "str", "seq": "int", "hash": "str", "count": "int",
                     "key_id": "str", "sig": "str"},
        "optional": {"checkpoint_ts": "str", "witnessed_application": "str"},
        "result": lambda d: "info",
    },
}
# Manual checks (人工核查) and risk acceptance (风险接受): docs/evidence.md; the report and the promotion gate read
# them through module_utils/_findings.py, playbooks/record_attestations.yml records them from a validated file.
ATTESTATION_RESULTS = {"met": "pass", "not_met": "fail", "not_applicable": "info"}
ATTESTATION_METHODS = ("examine", "interview", "test")


def _attestation_check(d):
    if d["result"] == "not_applicable" and not str(d.get("reason") or "").strip():
        raise EvidenceError("details.reason: a manual check found not applicable needs the reason")
    if d["valid_until"] < d["date"]:
        raise EvidenceError("details.valid_until: %s is before the check's date %s" % (d["valid_until"], d["date"]))


def _acceptance_check(d):
    if d["expires"] < d["date"]:
        raise EvidenceError("details.expires: %s is before the acceptance's date %s" % (d["expires"], d["date"]))


KIND_SCHEMAS.update({
    "attestation": {
        "zh": "人工核查", "stage": "security_assessment", "party": "customer",
        "required": {"control": "str", "result": tuple(ATTESTATION_RESULTS), "attested_by": "str", "role": "str",
                     "date": "date", "reference": "str", "valid_until": "date"},
        "optional": {"reason": "str", "hosts": "list", "method": ATTESTATION_METHODS, "name": "str", "notes": "str"},
        "result": lambda d: ATTESTATION_RESULTS[d["result"]],
        "check": _attestation_check,
    },
    "risk_acceptance": {
        "zh": "风险接受", "stage": "security_assessment", "party": "customer",
        "required": {"control": "str", "accepted_by": "str", "reason": "str", "date": "date", "expires": "date"},
        "optional": {"hosts": "list", "role": "str", "reference": "str", "name": "str"},
        "result": lambda d: "pass",
        "check": _acceptance_check,
    },
})
# Kinds callers may record; "witness" is written by the ledger itself, into the witness ledger only.
KINDS = tuple(k for k in KIND_SCHEMAS if k != "witness")

_SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,62}$")
_CLAUSE_RE = re.compile(r"^[0-9]+(\.[0-9]+)*(\.[a-z])?(-[0-9]{2})?$|^[A-Za-z][A-Za-z0-9_.:-]{0,63}$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_HEX64_RE = re.compile(r"^[0-9a-f]{64}$")
_MAX_TEXT = 4096
_MAX_DETAILS = 1024 * 1024


class EvidenceError(Exception):
    """A problem with evidence input or storage, with a message meant for an operator."""


# ---------------------------------------------------------------------------------------------- redaction

# Keys whose values are secrets.  Kept broad on purpose: over-redaction loses a value, under-redaction
# leaks one into an append-only file.
_SECRET_KEY_RE = re.compile(
    r"passw(or)?d|passphrase|(^|[_\W])(pass|pwd?)($|[_\W])|secret|token|private[_-]?key|priv[_-]?key|credential|api[_-]?key|"
    r"apikey|access[_-]?key|auth[_-]?key|signing[_-]?key|encryption[_-]?key|session[_-]?(id|key)|cookie|"
    r"authorization|bearer|^pin$|^otp$|^psk$|^key$",
    re.IGNORECASE,
)
# ...except keys that name where a secret lives or describe a policy about secrets, not the secret itself.
_NON_SECRET_KEY_RE = re.compile(
    r"public[_-]?key|pub[_-]?key|(_|^)(file|path|dir|name|length|len|minlen|min|max|days|age|policy|enabled|"
    r"count|attempts|retries|history|expire|expiry|expires|warn|type|algorithm|url|uri|id|lock|remember)$",
    re.IGNORECASE,
)
_VALUE_PATTERNS = (
    # PEM/OpenSSH/PGP private key blocks, also when cut off before the END line
    (re.compile(r"-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY( BLOCK)?-----.*?(?:-----END [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----|\Z)",
                re.DOTALL), REDACTED),
    (re.compile(r"PuTTY-User-Key-File-\d.*?(?:Private-MAC: \S+|\Z)", re.DOTALL), REDACTED),
    # scheme://user:password@host
    (re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*://[^/\s:@]*):[^@\s/]+@"), r"\1:" + REDACTED + "@"),
    # password=..., "token": "...", api_key: ..., PGPASSWORD=..., OS_TOKEN=... (not a word that is a result: below)
    (re.compile(r"(?i)\b([a-z0-9_-]{0,40}?(?:password|passwd|passphrase|secret|token|api[_-]?key|apikey|access[_-]?key|"
                r"private[_-]?key|credential)s?[a-z0-9_-]{0,40})([\"']?\s*[:=]\s*[\"']?)([^\s\"',;&}]+)"),
     lambda m: m.group(0) if _not_a_secret(m.group(1), m.group(3)) else m.group(1) + m.group(2) + REDACTED),
    # MYSQL_PWD=..., DB_PWD: ...
    (re.compile(r"\b([A-Za-z0-9_]*_(?:PWD|pwd|PASS|pass)(?:=|\s*:\s*)[\"']?)([^\s\"',;&}]+)"), r"\1" + REDACTED),
    # mysql -u root -pSECRET / mysqldump -pSECRET / mariadb-admin -pSECRET (-p<value>, no space: the password)
    (re.compile(r"(?i)(\b(?:mysql|mariadb)[a-z_-]*\b[^\n|;&]*?\s-p)(?=[^\s-])([^\s\"']+)"), r"\1" + REDACTED),
    # Authorization: <scheme> <credentials> / Authorization: <credentials>
    (re.compile(r"(?i)(\bauthorization[\"']?\s*[:=]\s*[\"']?)(?:(bearer|basic|token|digest|negotiate|apikey|sharedkey|"
                r"key)\s+)?([^\s\"',;]+)"),
     lambda m: m.group(1) + (m.group(2) + " " if m.group(2) else "") + REDACTED),
    # --password X / --os-token=X / sshpass -p X / openssl pass:X
    (re.compile(r"(?i)(--?(?:[a-z0-9]{1,20}-){0,4}(?:password|passwd|pass|token|secret|api-?key)[= ])(\S+)"), r"\1" + REDACTED),
    (re.compile(r"(sshpass\s+-p\s*)(\S+)"), r"\1" + REDACTED),
    (re.compile(r"(?i)\b(pass:|env:)(?=\S)(\S+)"), r"\1" + REDACTED),
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}"), r"\1 " + REDACTED),
    # JWT, OpenStack Fernet tokens, AWS access keys, GitHub/GitLab/Slack tokens
    (re.compile(r"eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*"), REDACTED),
    (re.compile(r"gAAAAA[A-Za-z0-9_=-]{50,}"), REDACTED),
    (re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b"), REDACTED),
    (re.compile(r"\b(gh[pousr]_[A-Za-z0-9]{30,}|glpat-[A-Za-z0-9_-]{20,}|xox[abprs]-[A-Za-z0-9-]{10,})"), REDACTED),
)
# Cheap pre-check: a string that contains none of these cannot match any pattern above.
_TRIGGER_RE = re.compile(
    r"(?i)PRIVATE KEY|PuTTY|://|pass|pwd|secret|token|api[_-]?key|access[_-]?key|credential|bearer|basic|env:|eyJ|"
    r"gAAAAA|AKIA|ASIA|gh[pousr]_|glpat-|xox|authoriz|mysql|mariadb")
# Words that are a check's result or a setting's state, never a secret: "Refuse reuse of recent passwords: pass"
# keeps its result.  A real secret that is one of these words would be no secret.
_NOT_SECRET_VALUES = frozenset(
    r.lower() for r in ("pass", "fail", "gap", "changed", "info", "manual", "met", "ok", "yes", "no", "true", "false",
                        "none", "null", "enabled", "disabled", "required", "optional", "present", "absent", "set",
                        "unset", "missing", "expired", "locked", "unlocked", "n/a", REDACTED))


def _not_a_secret(key, value):
    """A key=value whose value is a result word, or whose key names a policy about secrets, not a secret."""
    return value.strip("\"'").lower() in _NOT_SECRET_VALUES or bool(_NON_SECRET_KEY_RE.search(key))


_MIN_SECRET_LEN = 3


_KEY_VERDICTS = {}  # the same few hundred keys recur in every record


def is_secret_key(key):
    """True if a mapping key names a secret value (password, token, private key, ...)."""
    key = str(key)
    verdict = _KEY_VERDICTS.get(key)
    if verdict is None:
        verdict = bool(_SECRET_KEY_RE.search(key)) and not _NON_SECRET_KEY_RE.search(key)
        if len(_KEY_VERDICTS) < 10000:
            _KEY_VERDICTS[key] = verdict
    return verdict


def collect_secrets(value, found=None):
    """Strings stored under secret-looking keys anywhere in ``value`` (to scrub them everywhere else too)."""
    found = set() if found is None else found
    if isinstance(value, dict):
        for k, v in value.items():
            if is_secret_key(k):
                _collect_strings(v, found)
            else:
                collect_secrets(v, found)
    elif isinstance(value, (list, tuple)):
        for v in value:
            collect_secrets(v, found)
    return found


def _collect_strings(value, found):
    if isinstance(value, dict):
        for v in value.values():
            _collect_strings(v, found)
    elif isinstance(value, (list, tuple)):
        for v in value:
            _collect_strings(v, found)
    elif isinstance(value, (str, int, float)) and not isinstance(value, bool):
        text = str(value)
        if len(text) >= _MIN_SECRET_LEN:
            found.add(text)


def scrub_text(text, secrets=()):
    """Remove known secret values and secret-looking values from one string."""
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, REDACTED)
    if _TRIGGER_RE.search(text):
        for pattern, repl in _VALUE_PATTERNS:
            text = pattern.sub(repl, text)
    return text


def redact(value, secrets=()):
    """Return a copy of ``value`` with secrets removed: by key, by known value, by pattern.

    ``secrets`` are literal values known to be secret (no_log parameter values); longest first so a
    secret that contains another is removed whole.
    """
    secrets = sorted((s for s in secrets if isinstance(s, str) and len(s) >= _MIN_SECRET_LEN), key=len, reverse=True)
    return _redact(value, secrets)


def _redact(value, secrets):
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            key = scrub_text(str(k), secrets)
            if is_secret_key(k) and v is not None and not isinstance(v, bool):
                out[key] = REDACTED
            else:
                out[key] = _redact(v, secrets)
        return out
    if isinstance(value, (list, tuple)):
        return [_redact(v, secrets) for v in value]
    if isinstance(value, str):
        return scrub_text(value, secrets)
    return value


# ------------------------------------------------------------------------------------- canonical form

def canonical(obj):
    """Canonical JSON bytes: sorted keys, no whitespace, UTF-8, no NaN."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")


def record_hash(record):
    """SHA-256 hex over the canonical form of every field except ``hash``."""
    body = dict((k, v) for k, v in record.items() if k != "hash")
    return hashlib.sha256(canonical(body)).hexdigest()


def utc_now():
    return datetime.datetime.now(datetime.timezone.utc)


def format_ts(moment):
    return moment.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_ts(text, field="time"):
    """Accept YYYY-MM-DD or ISO-8601 (with Z or offset); naive times are UTC."""
    if isinstance(text, datetime.datetime):
        moment = text
    elif isinstance(text, datetime.date):
        moment = datetime.datetime(text.year, text.month, text.day)
    else:
        raw = str(text).strip()
        try:
            moment = datetime.datetime.fromisoformat(raw[:-1] + "+00:00" if raw.endswith("Z") else raw)
        except ValueError:
            raise EvidenceError("%s: %r is not an ISO-8601 date or time (e.g. 2026-05-01 or 2026-05-01T08:00:00Z)"
                                % (field, raw))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment.astimezone(datetime.timezone.utc)


def default_actor():
    try:
        user = getpass.getuser()
    except Exception:
        user = "uid%d" % os.getuid()
    return "%s@%s" % (user, socket.gethostname())


# ------------------------------------------------------------------------------------------ validation

def _plain(value, path):
    """JSON-safe copy of value (str subclasses become str), or EvidenceError naming the field."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise EvidenceError("%s: NaN and infinity cannot be stored" % path)
        return float(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise EvidenceError("%s: key %r is not a string" % (path, k))
            out[str(k)] = _plain(v, "%s.%s" % (path, k))
        return out
    if isinstance(value, (list, tuple)):
        return [_plain(v, "%s[%d]" % (path, i)) for i, v in enumerate(value)]
    raise EvidenceError("%s: values of type %s cannot be stored" % (path, type(value).__name__))


def _check_type(value, expected, path):
    if isinstance(expected, tuple):
        if value not in expected:
            raise EvidenceError("%s: %r is not one of %s" % (path, value, ", ".join(expected)))
        return value
    if expected == "str":
        if not isinstance(value, str) or not value.strip():
            raise EvidenceError("%s: must be a non-empty string" % path)
        return value
    if expected == "date":
        if isinstance(value, datetime.date):
            value = value.isoformat()[:10]
        if not isinstance(value, str) or not _DATE_RE.match(value):
            raise EvidenceError("%s: %r is not a date in the form YYYY-MM-DD" % (path, value))
        try:
            datetime.date.fromisoformat(value)
        except ValueError:
            raise EvidenceError("%s: %r is not a valid calendar date" % (path, value))
        return value
    if expected == "int":
        if isinstance(value, str) and re.match(r"^-?\d+$", value.strip()):
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise EvidenceError("%s: %r is not an integer" % (path, value))
        return value
    if expected == "float":
        if isinstance(value, str):
            try:
                value = float(value)
            except ValueError:
                pass
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise EvidenceError("%s: %r is not a number" % (path, value))
        return value
    if expected == "bool":
        if not isinstance(value, bool):
            raise EvidenceError("%s: %r is not a boolean" % (path, value))
        return value
    if expected == "list":
        if not isinstance(value, list) or not value:
            raise EvidenceError("%s: must be a non-empty list" % path)
        return value
    if expected == "dict":
        if not isinstance(value, dict):
            raise EvidenceError("%s: must be a mapping" % path)
        return value
    raise EvidenceError("%s: unknown schema type %r" % (path, expected))  # pragma: no cover


def validate_details(kind, details):
    """Check details against the kind's schema; returns the normalised details (e.g. '3' -> 3 for ints)."""
    schema = KIND_SCHEMAS[kind]
    details = dict(details)
    missing = [name for name in schema["required"] if details.get(name) in (None, "", [], {})]
    if missing:
        raise EvidenceError("kind '%s' (%s) needs details: %s (missing: %s)" % (
            kind, schema["zh"], ", ".join(schema["required"]), ", ".join(missing)))
    for name, expected in list(schema["required"].items()) + list(schema["optional"].items()):
        if details.get(name) is not None:
            details[name] = _check_type(details[name], expected, "details.%s" % name)
    if kind == "data_handover":
        for i, item in enumerate(details["items"]):
            if not isinstance(item, (str, dict)) or (isinstance(item, dict) and not item.get("name")):
                raise EvidenceError("details.items[%d]: each handover item is a name or a mapping with 'name' "
                                    "(and description, format)" % i)
    if schema.get("check"):
        schema["check"](details)
    if kind == "trial_completion" and details["end_date"] < details["start_date"]:
        raise EvidenceError("details.end_date: %s is before start_date %s" % (details["end_date"], details["start_date"]))
    return details


def build_record(fields, secrets=()):
    """Validate, normalise and redact caller fields into a record body (no seq/ts/prev_hash/hash yet)."""
    fields = dict(fields)
    unknown = sorted(set(fields) - set(FIELDS))
    if unknown:
        raise EvidenceError("unknown record field(s): %s (known: %s)" % (", ".join(unknown), ", ".join(FIELDS)))
    for name in ("seq", "ts", "prev_hash", "hash"):
        if fields.get(name) is not None:
            raise EvidenceError("%s: set by the ledger, not by the caller" % name)
    kind = fields.get("kind")
    if kind not in KIND_SCHEMAS:
        raise EvidenceError("kind: %r is not a known evidence kind; use one of: %s" % (kind, ", ".join(KINDS)))
    schema = KIND_SCHEMAS[kind]
    application = fields.get("application")
    if not isinstance(application, str) or not _SLUG_RE.match(application):
        raise EvidenceError("application: %r must be a slug (lower-case letters, digits, '.', '_', '-'; "
                            "at most 63 characters)" % (application,))
    stage = fields.get("stage") or schema.get("stage")
    if stage not in STAGES and not (kind == "witness" and stage == WITNESS_STAGE):
        raise EvidenceError("stage: %r is not a lifecycle stage; use one of: %s" % (stage, ", ".join(STAGES)))
    party = fields.get("party") or schema.get("party") or "cloud_service_provider"
    if party not in PARTIES:
        raise EvidenceError("party: %r is not one of: %s" % (party, ", ".join(PARTIES)))
    details = fields.get("details")
    details = {} if details is None else details
    if not isinstance(details, dict):
        raise EvidenceError("details: must be a mapping, got %s" % type(details).__name__)
    details = validate_details(kind, _plain(details, "details"))
    run_id = os.environ.get(ENV_RUN_ID)
    if run_id and "run_id" not in details:
        details["run_id"] = run_id[:128]
    result = fields.get("result")
    if result is None:
        result = schema["result"](details) if "result" in schema else "info"
    if result not in RESULTS:
        raise EvidenceError("result: %r is not one of: %s" % (result, ", ".join(RESULTS)))
    clauses = _string_list(fields.get("clauses"), "clauses")
    for clause in clauses:
        if not _CLAUSE_RE.match(clause):
            raise EvidenceError("clauses: %r is not a clause reference (e.g. '5.3' or '8.1.4.1.a')" % clause)
    targets = _string_list(fields.get("targets"), "targets")
    actor = fields.get("actor") or default_actor()
    summary = fields.get("summary") or ""
    for name, value in (("actor", actor), ("summary", summary)):
        if not isinstance(value, str):
            raise EvidenceError("%s: must be a string, got %s" % (name, type(value).__name__))
        if len(value) > _MAX_TEXT:
            raise EvidenceError("%s: longer than %d characters" % (name, _MAX_TEXT))
    artifacts = _artifacts(fields.get("artifacts"))
    body = {
        "application": application, "stage": stage, "kind": kind, "clauses": clauses, "party": party,
        "actor": actor, "targets": targets, "result": result, "summary": summary, "details": details,
        "artifacts": artifacts,
    }
    # Secrets named by key anywhere in the record are also scrubbed where they reappear as plain text.
    known = set(secrets) | collect_secrets(details)
    body = redact(body, known)
    if len(canonical(body["details"])) > _MAX_DETAILS:
        raise EvidenceError("details: larger than %d bytes once serialised; attach big data as an artifact" % _MAX_DETAILS)
    return body


# Fields that differ between two runs recording the same fact: a `once` record compares everything else.
_ONCE_IGNORED = ("seq", "ts", "prev_hash", "hash", "actor")


def once_view(record):
    """The part of a record that decides whether it is "the same" fact (``once``): not when, who or which run."""
    view = dict((k, v) for k, v in record.items() if k not in _ONCE_IGNORED)
    if isinstance(view.get("details"), dict) and "run_id" in view["details"]:
        view["details"] = dict((k, v) for k, v in view["details"].items() if k != "run_id")
    return view


def _string_list(value, name):
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)):
        raise EvidenceError("%s: must be a list of strings, got %s" % (name, type(value).__name__))
    out = []
    for i, item in enumerate(value):
        if isinstance(item, bool) or not isinstance(item, (str, int, float)) or not str(item).strip():
            raise EvidenceError("%s[%d]: %r is not a non-empty string" % (name, i, item))
        out.append(str(item).strip())
    return out


def _artifacts(value):
    if value is None:
        return []
    if not isinstance(value, (list, tuple)):
        raise EvidenceError("artifacts: must be a list of {name, sha256} mappings")
    out = []
    for i, item in enumerate(value):
        if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not item["name"]:
            raise EvidenceError("artifacts[%d]: needs a 'name' string and a 'sha256' hex digest" % i)
        digest = str(item.get("sha256", "")).lower()
        if not _HEX64_RE.match(digest):
            raise EvidenceError("artifacts[%d]: sha256 %r is not a 64-digit hex digest" % (i, item.get("sha256")))
        out.append({"name": item["name"], "sha256": digest})
    return out


def hash_file(path):
    """SHA-256 of a controller-side file, for artifacts."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError as exc:
        raise EvidenceError("artifact %s: cannot read: %s" % (path, exc.strerror or exc))
    return digest.hexdigest()


# ------------------------------------------------------------------------------------------ anchor key

def default_key_path():
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return os.path.join(base, "govcloud-lifecycle", "evidence-signing.pem")


def resolve_key_path(key_file=None):
    return os.path.abspath(os.path.expanduser(key_file or os.environ.get(ENV_KEY) or default_key_path()))


def _need_crypto():
    if not HAS_CRYPTOGRAPHY:
        raise EvidenceError("the Python 'cryptography' library is needed to sign or check ledger checkpoints")


def key_id(public_key):
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:32]


def load_signing_key(path, create=True):
    """Ed25519 private key from ``path``; generated (mode 0600, with ``<path>.pub``) if absent and create."""
    _need_crypto()
    if not os.path.exists(path):
        if not create:
            raise EvidenceError("anchor key %s does not exist" % path)
        _generate_key(path)
    for attempt in range(50):
        try:
            mode = os.stat(path).st_mode
            if mode & 0o077:
                raise EvidenceError("anchor key %s is readable by group or others (mode %04o); run chmod 600 on it"
                                    % (path, mode & 0o777))
            with open(path, "rb") as handle:
                data = handle.read()
            key = serialization.load_pem_private_key(data, password=None)
        except OSError as exc:
            raise EvidenceError("anchor key %s: cannot read: %s" % (path, exc.strerror or exc))
        except (ValueError, TypeError) as exc:
            if attempt < 49 and len(data) < 100:  # another process is still writing a fresh key
                time.sleep(0.02)
                continue
            raise EvidenceError("anchor key %s is not an unencrypted PEM private key: %s" % (path, exc))
        if not isinstance(key, Ed25519PrivateKey):
            raise EvidenceError("anchor key %s is not an Ed25519 key" % path)
        return key
    raise EvidenceError("anchor key %s could not be read" % path)  # pragma: no cover


def _generate_key(path):
    parent = os.path.dirname(path)
    try:
        os.makedirs(parent, mode=0o700, exist_ok=True)
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    except OSError as exc:
        raise EvidenceError("anchor key %s: cannot create: %s" % (path, exc.strerror or exc))
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
        handle.flush()
        os.fsync(handle.fileno())
    pub = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    try:
        with open(path + ".pub", "wb") as handle:
            handle.write(pub)
    except OSError:
        pass


def load_verify_key(path):
    """Public key for verification from a private or public PEM file (auditors hold only the .pub)."""
    _need_crypto()
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise EvidenceError("anchor key %s: cannot read: %s" % (path, exc.strerror or exc))
    try:
        if b"PRIVATE KEY" in data:
            key = serialization.load_pem_private_key(data, password=None).public_key()
        else:
            key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError) as exc:
        raise EvidenceError("anchor key %s is not a PEM Ed25519 key: %s" % (path, exc))
    if not isinstance(key, Ed25519PublicKey):
        raise EvidenceError("anchor key %s is not an Ed25519 key" % path)
    return key


def resolve_dir(evidence_dir=None, application=None):
    """Evidence directory: explicit, else $GOVCLOUD_EVIDENCE_DIR, else ./evidence/<application>."""
    chosen = evidence_dir or os.environ.get(ENV_DIR)
    if not chosen:
        if not application:
            raise EvidenceError("evidence_dir: not set, and no application to derive evidence/<application> from")
        chosen = os.path.join("evidence", application)
    return os.path.abspath(os.path.expanduser(str(chosen)))


def writable_problem(directory):
    """None if a ledger in ``directory`` could be created and written, else why not (for check mode)."""
    path = directory
    while not os.path.exists(path):
        parent = os.path.dirname(path)
        if parent == path:
            break
        path = parent
    if not os.path.isdir(path):
        return "evidence directory %s: %s is not a directory" % (directory, path)
    if not os.access(path, os.W_OK | os.X_OK):
        return "evidence directory %s: %s is not writable by this user" % (directory, path)
    db = os.path.join(directory, DB_NAME)
    if os.path.exists(db) and not os.access(db, os.W_OK):
        return "ledger %s is not writable by this user" % db
    return None


# -------------------------------------------------------------------------------------------- ledger

_SCHEMA_SQL = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS records (
    seq INTEGER PRIMARY KEY,
    ts TEXT NOT NULL,
    application TEXT NOT NULL,
    stage TEXT NOT NULL,
    kind TEXT NOT NULL,
    clauses TEXT NOT NULL,
    party TEXT NOT NULL,
    actor TEXT NOT NULL,
    targets TEXT NOT NULL,
    result TEXT NOT NULL,
    summary TEXT NOT NULL,
    details TEXT NOT NULL,
    artifacts TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS records_app_stage_kind ON records (application, stage, kind);
CREATE TRIGGER IF NOT EXISTS records_no_update BEFORE UPDATE ON records
BEGIN SELECT RAISE(ABORT, 'evidence ledger is append-only'); END;
CREATE TRIGGER IF NOT EXISTS records_no_delete BEFORE DELETE ON records
BEGIN SELECT RAISE(ABORT, 'evidence ledger is append-only'); END;
"""
# One signature per committed batch, over the batch's last record (whose hash chains every earlier record), made
# with the writer's key in the same transaction: a record that no seal covers was added without the key.
_SEALS_SQL = """
CREATE TABLE IF NOT EXISTS seals (seq INTEGER PRIMARY KEY, key_id TEXT NOT NULL, sig TEXT NOT NULL);
CREATE TRIGGER IF NOT EXISTS seals_no_update BEFORE UPDATE ON seals
BEGIN SELECT RAISE(ABORT, 'evidence ledger is append-only'); END;
CREATE TRIGGER IF NOT EXISTS seals_no_delete BEFORE DELETE ON seals
BEGIN SELECT RAISE(ABORT, 'evidence ledger is append-only'); END;
"""
_COLUMNS = FIELDS
_SELECT = "SELECT %s FROM records" % ", ".join(_COLUMNS)


def _row_to_record(row):
    record = dict(zip(_COLUMNS, row))
    for name in _JSON_FIELDS:
        record[name] = json.loads(record[name])
    return record


class Ledger:
    """Append-only, hash-chained evidence ledger in ``<directory>/ledger.sqlite`` (WAL mode).

    Every committed batch is sealed in the same transaction: an Ed25519 signature of the writer's key
    (``key_file``) over the batch's last record, so a record nobody with the key wrote is found wherever it sits.
    Checkpoints (signed heads) go to ``anchor_file`` (default ``<directory>/ledger.anchors``) and to the
    management unit's witness ledger (``witness``; None: the default one, False: none).  ``expected_key_id``
    pins the key the ledger must carry (default ``$GOVCLOUD_EVIDENCE_KEY_ID``, else the key the witness first
    saw).  See docs/evidence.md for the trust model.
    """

    def __init__(self, directory, key_file=None, anchor_file=None, create=True, witness=None, expected_key_id=None,
                 full_tail_check=True):
        self.directory = os.path.abspath(os.path.expanduser(str(directory)))
        self.path = os.path.join(self.directory, DB_NAME)
        self.key_file = resolve_key_path(key_file)
        self.anchor_file = os.path.abspath(os.path.expanduser(
            anchor_file or os.environ.get(ENV_ANCHOR) or os.path.join(self.directory, ANCHOR_NAME)))
        self.expected_key_id = expected_key_id or os.environ.get(ENV_KEY_ID) or None
        self._witness = witness
        self._full_tail_check = full_tail_check
        self._conn = None
        self._ledger_id = None
        self._signing_key = None
        self._signing_key_id = None
        self._trusted_head = None   # (seq, hash) this connection has checked or written itself
        self._has_seals = False
        self.exists = os.path.exists(self.path)
        if create or self.exists:
            self._open(create)

    # -- connection -------------------------------------------------------------------------------
    def _open(self, create):
        if create:
            try:
                os.makedirs(self.directory, mode=0o750, exist_ok=True)
            except OSError as exc:
                raise EvidenceError("evidence directory %s: cannot create: %s" % (self.directory, exc.strerror or exc))
            if not os.access(self.directory, os.W_OK | os.X_OK):
                raise EvidenceError("evidence directory %s is not writable by this user" % self.directory)
        elif os.path.isfile(self.path) and not os.access(self.path, os.R_OK):
            raise EvidenceError("ledger %s is not readable by this user" % self.path)
        try:
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000.0, isolation_level=None,
                                   check_same_thread=False)
            conn.execute("PRAGMA busy_timeout = %d" % BUSY_TIMEOUT_MS)
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if mode.lower() != "wal":
                raise EvidenceError("ledger %s: cannot switch to WAL journal mode (got %s)" % (self.path, mode))
            # NORMAL in WAL mode survives a killed process; checkpoint() fsyncs before it signs a head.
            conn.execute("PRAGMA synchronous = NORMAL")
            self._conn = conn
            self.exists = True
            tables = self._tables()
            if not {"meta", "records"} <= tables:
                if tables - {"meta", "records", "seals"}:
                    raise EvidenceError("%s is an SQLite database but not a govcloud.lifecycle evidence ledger "
                                        "(tables: %s)" % (self.path, ", ".join(sorted(tables))))
                if not create:
                    raise EvidenceError("ledger %s is empty (no evidence recorded yet)" % self.path)
                conn.executescript(_SCHEMA_SQL)
                self._begin()
                try:
                    conn.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
                    conn.execute("INSERT OR IGNORE INTO meta VALUES ('ledger_id', ?)", (str(uuid.uuid4()),))
                    conn.execute("INSERT OR IGNORE INTO meta VALUES ('created', ?)", (format_ts(utc_now()),))
                    conn.execute("COMMIT")
                except Exception:
                    self._rollback()
                    raise
            if "seals" not in self._tables() and create:
                conn.executescript(_SEALS_SQL)
            self._has_seals = "seals" in self._tables()
            version = self._meta("schema_version")
            if version != str(SCHEMA_VERSION):
                raise EvidenceError("ledger %s has schema version %s; this collection reads version %s"
                                    % (self.path, version, SCHEMA_VERSION))
            # A new ledger is anchored before its first record (genesis checkpoint, seq 0), so a missing
            # anchor file always means tampering, never a writer that died before its first checkpoint.
            if create and not _anchor_started(self.anchor_file) and self.count() == 0:
                self.checkpoint()
        except EvidenceError:
            self.close()
            raise
        except sqlite3.DatabaseError as exc:
            self.close()
            raise EvidenceError("ledger %s cannot be opened: %s (is it a govcloud.lifecycle evidence database?)"
                                % (self.path, exc))

    def _tables(self):
        rows = self._conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
        return {r[0] for r in rows}

    def _meta(self, key):
        row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    @property
    def ledger_id(self):
        if self._ledger_id is None and self._conn is not None:
            self._ledger_id = self._meta("ledger_id")
        return self._ledger_id

    def _begin(self):
        # IMMEDIATE takes the write lock now, so the seq/prev_hash we read cannot be raced.
        self._conn.execute("BEGIN IMMEDIATE")

    def _rollback(self):
        try:
            self._conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass

    def close(self):
        if self._conn is not None:
            try:
                self._conn.close()
            finally:
                self._conn = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _require_open(self):
        if self._conn is None:
            raise EvidenceError("ledger %s does not exist yet" % self.path)

    def _wrap(self, what, func, *args):
        try:
            return func(*args)
        except sqlite3.DatabaseError as exc:
            raise EvidenceError("ledger %s: %s failed: %s" % (self.path, what, exc))

    # -- keys and witness ---------------------------------------------------------------------------
    def witness(self):
        """The management unit's witness of this ledger, or None when switched off."""
        if self._witness is None:
            self._witness = Witness()
        return self._witness or None

    def pinned_key_id(self):
        """The key id this ledger must carry: given, from the environment, else the one the witness first saw."""
        if self.expected_key_id:
            return self.expected_key_id
        witness = self.witness()
        if witness is not None and self.ledger_id:
            first = witness.first(self.ledger_id)
            if first:
                return first["key_id"]
        return None

    def _signer(self, reload=False):
        if self._signing_key is None or reload:
            key = load_signing_key(self.key_file, create=True)
            kid = key_id(key.public_key())
            pinned = self.pinned_key_id()
            if pinned and pinned != kid:
                raise EvidenceError(
                    "the evidence key %s (key id %s) is not the key pinned for ledger %s (key id %s); records "
                    "signed with it would not verify: use the pinned key (GOVCLOUD_EVIDENCE_KEY) or have the "
                    "management unit re-pin the ledger" % (self.key_file, kid, self.path, pinned))
            self._signing_key, self._signing_key_id = key, kid
        return self._signing_key

    # -- writing ----------------------------------------------------------------------------------
    def prepare(self, secrets=(), **fields):
        """Validated, redacted record body as append() would store it (for check mode)."""
        return build_record(fields, secrets)

    def append(self, secrets=(), **fields):
        """Validate, redact, chain, seal and commit one record; returns the stored record."""
        return self.append_many([fields], secrets=secrets)[0]

    def append_many(self, batch, secrets=(), prepared=False):
        """Append several records in one sealed transaction (all or nothing).

        ``prepared=True``: the items are bodies returned by build_record() (the callback validates each record
        when the task ends, so one bad record cannot sink a whole batch).  Refuses to write after records that
        are not signed with the ledger's key: a forged record is never sealed by a later honest write.
        """
        bodies = list(batch) if prepared else [build_record(fields, secrets) for fields in batch]
        self._require_open()
        if not bodies:
            return []
        key = self._signer()
        return self._wrap("append", self._append_bodies, bodies, key)

    def _append_bodies(self, bodies, key):
        conn = self._conn
        self._begin()
        try:
            row = conn.execute("SELECT seq, hash FROM records ORDER BY seq DESC LIMIT 1").fetchone()
            seq, prev = (row[0], row[1]) if row else (0, GENESIS_HASH)
            if (seq, prev) != (self._trusted_head or (0, GENESIS_HASH)):
                self._check_tail(seq, prev, key.public_key())
            stored = []
            rows = []
            for body in bodies:
                seq += 1
                record = dict(body)
                record["seq"] = seq
                record["ts"] = format_ts(utc_now())
                record["prev_hash"] = prev
                record["hash"] = prev = record_hash(record)
                rows.append(tuple(
                    canonical(record[c]).decode("utf-8") if c in _JSON_FIELDS else record[c] for c in _COLUMNS))
                stored.append(record)
            conn.executemany("INSERT INTO records (%s) VALUES (%s)" % (", ".join(_COLUMNS), ", ".join("?" * len(_COLUMNS))),
                             rows)
            sig = base64.b64encode(key.sign(seal_message(self.ledger_id, seq, prev))).decode("ascii")
            conn.execute("INSERT INTO seals (seq, key_id, sig) VALUES (?, ?, ?)", (seq, self._signing_key_id, sig))
            conn.execute("COMMIT")
        except BaseException:
            self._rollback()
            raise
        self._trusted_head = (seq, prev)
        return stored

    def _check_tail(self, head_seq, head_hash, public):
        """Before writing after a head this connection has not vouched for: the chain is intact and sealed."""
        if head_seq == 0:
            self._trusted_head = (0, GENESIS_HASH)
            return
        # The chain binds every record to the head, so a valid signature of the head vouches for them all: the
        # walk re-hashes the chain once per connection, and one signature is checked (verify() checks every seal).
        if self._full_tail_check and self._trusted_head is None:
            out = {"ok": True, "first_bad_seq": None, "reason": None, "count": 0, "head_seq": 0,
                   "head_hash": GENESIS_HASH}
            self._verify_chain(out)
            if not out["ok"]:
                raise EvidenceError(
                    "ledger %s does not verify (first bad record %s: %s); nothing was written — run "
                    "playbooks/evidence_verify.yml and have the management unit examine the ledger"
                    % (self.path, out["first_bad_seq"], out["reason"]))
        if not self._head_signed(public, head_seq, head_hash):
            row = self._conn.execute("SELECT max(seq) FROM seals WHERE seq < ?", (head_seq,)).fetchone() \
                if self._has_seals else None
            since = max((self._trusted_head or (0,))[0], (row[0] or 0) if row else 0)
            raise EvidenceError(
                "ledger %s: record(s) %d to %d carry no valid signature of the ledger key (added without it); "
                "nothing was written — run playbooks/evidence_verify.yml" % (self.path, since + 1, head_seq))
        self._trusted_head = (head_seq, head_hash)

    def _head_signed(self, public, head_seq, head_hash):
        """The head carries a valid seal, or (a ledger written before seals existed) the newest signed checkpoint."""
        kid = key_id(public)
        row = self._conn.execute("SELECT key_id, sig FROM seals WHERE seq = ?", (head_seq,)).fetchone() \
            if self._has_seals else None
        if row:
            return _seal_ok(public, kid, row, self.ledger_id, head_seq, head_hash)
        try:
            with open(self.anchor_file, "rb") as handle:
                handle.seek(max(0, os.path.getsize(self.anchor_file) - 65536))
                lines = [line for line in handle.read().split(b"\n")[:-1] if line]
            entry = json.loads(lines[-1])
            body = dict(entry)
            sig = base64.b64decode(body.pop("sig"))
            public.verify(sig, canonical(body))
        except (OSError, IndexError, ValueError, KeyError, TypeError, InvalidSignature):
            return False
        return (entry.get("ledger"), entry.get("seq"), entry.get("hash"), entry.get("key_id")) == (
            self.ledger_id, head_seq, head_hash, kid)

    def checkpoint(self):
        """Sign the current head into the anchor file and the witness; returns the anchor entry.

        Checkpoints are serialised by an exclusive flock on the anchor file (never a lock on the database
        file: closing any other descriptor of it would drop SQLite's own POSIX locks). The head is made
        durable first (a synchronous=FULL commit fsyncs the WAL), so no signed head can be lost by a crash.
        """
        self._require_open()
        key = self._signer(reload=True)  # a checkpoint re-reads the key: its mode is checked each time
        try:
            parent = os.path.dirname(self.anchor_file)
            if not os.path.isdir(parent):
                os.makedirs(parent, mode=0o750, exist_ok=True)
            fd = os.open(self.anchor_file, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
        except OSError as exc:
            raise EvidenceError("anchor file %s: cannot open: %s" % (self.anchor_file, exc.strerror or exc))
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            entry = self._wrap("checkpoint", self._checkpoint, key, fd)
        finally:
            os.close(fd)
        witness = self.witness()
        if witness is not None:
            witness.note(self, entry)
        return entry

    def _checkpoint(self, key, fd):
        conn = self._conn
        conn.execute("PRAGMA synchronous = FULL")
        try:
            self._begin()
            try:
                row = conn.execute("SELECT seq, hash FROM records ORDER BY seq DESC LIMIT 1").fetchone()
                seq, head = (row[0], row[1]) if row else (0, GENESIS_HASH)
                if (seq, head) != (self._trusted_head or (0, GENESIS_HASH)):
                    self._check_tail(seq, head, key.public_key())
                count = conn.execute("SELECT count(*) FROM records").fetchone()[0]
                # a write, so that this COMMIT syncs the WAL with every record up to the head
                conn.execute("INSERT OR REPLACE INTO meta VALUES ('checkpoint_seq', ?)", (str(seq),))
                conn.execute("COMMIT")
            except BaseException:
                self._rollback()
                raise
        finally:
            conn.execute("PRAGMA synchronous = NORMAL")
        entry = {"v": 1, "ledger": self.ledger_id, "seq": seq, "hash": head, "count": count,
                 "ts": format_ts(utc_now()), "key_id": key_id(key.public_key()),
                 "prev": _anchor_link(fd, self.anchor_file)}
        entry["sig"] = base64.b64encode(key.sign(canonical(entry))).decode("ascii")
        try:
            os.write(fd, canonical(entry) + b"\n")
            os.fsync(fd)
        except OSError as exc:
            raise EvidenceError("anchor file %s: cannot write: %s" % (self.anchor_file, exc.strerror or exc))
        return entry

    # -- reading ----------------------------------------------------------------------------------
    def count(self):
        if self._conn is None:
            return 0
        return self._wrap("count", lambda: self._conn.execute("SELECT count(*) FROM records").fetchone()[0])

    def head(self):
        if self._conn is None:
            return {"seq": 0, "hash": GENESIS_HASH}
        row = self._wrap("head", lambda: self._conn.execute(
            "SELECT seq, hash FROM records ORDER BY seq DESC LIMIT 1").fetchone())
        return {"seq": row[0], "hash": row[1]} if row else {"seq": 0, "hash": GENESIS_HASH}

    def records(self, application=None, stage=None, kind=None, clause=None, since=None, until=None, result=None,
                limit=None, newest_first=False, where_json=None):
        """Records matching every given filter, in seq order (newest first if asked).

        Filters accept a string or a list of strings; ``clause`` matches a clause or any sub-clause
        ("8.1.4" matches "8.1.4.1.a"); ``since``/``until`` are ISO dates or times (inclusive);
        ``where_json`` maps a details path ("ledger_id") to the value it must have.
        """
        if self._conn is None:
            return iter(())
        where, params = [], []
        for column, value in (("application", application), ("stage", stage), ("kind", kind), ("result", result)):
            if value:
                values = [value] if isinstance(value, str) else list(value)
                where.append("%s IN (%s)" % (column, ", ".join("?" * len(values))))
                params.extend(values)
        if clause:
            clauses = [clause] if isinstance(clause, str) else list(clause)
            parts = []
            for item in clauses:
                # "8.1.4.1" finds "8.1.4.1.a"; "8.1.4.1.a" finds the catalogue's "8.1.4.1.a-03"
                parts.append("(j.value = ? OR substr(j.value, 1, ?) IN (?, ?))")
                params.extend([item, len(item) + 1, item + ".", item + "-"])
            where.append("EXISTS (SELECT 1 FROM json_each(records.clauses) AS j WHERE %s)" % " OR ".join(parts))
        for name, value in sorted((where_json or {}).items()):
            if not re.match(r"^[a-z_]+$", name):
                raise EvidenceError("where_json: %r is not a details field name" % name)
            where.append("json_extract(details, '$.%s') = ?" % name)
            params.append(value)
        if since:
            where.append("ts >= ?")
            params.append(format_ts(parse_ts(since, "since")))
        if until:
            moment = parse_ts(until, "until")
            if isinstance(until, str) and _DATE_RE.match(until.strip()):
                moment += datetime.timedelta(days=1) - datetime.timedelta(microseconds=1)
            where.append("ts <= ?")
            params.append(format_ts(moment))
        sql = _SELECT + (" WHERE " + " AND ".join(where) if where else "")
        sql += " ORDER BY seq DESC" if newest_first else " ORDER BY seq"
        if limit:
            sql += " LIMIT %d" % int(limit)
        cursor = self._wrap("query", self._conn.execute, sql, params)
        return (_row_to_record(row) for row in cursor)

    # -- verification -----------------------------------------------------------------------------
    def verify(self, key_file=None, anchor_file=None, require_witness=False):
        """Check the chain, every record's seal, the signed checkpoints, the pinned key and the witness.

        Never raises for tampering: the result says ``ok``, the first bad sequence and why.  Records count only
        when a seal or a signed checkpoint made with the verifying key covers them.
        """
        out = {"ok": True, "count": 0, "head_seq": 0, "head_hash": GENESIS_HASH, "first_bad_seq": None,
               "reason": None, "ledger": self.path, "ledger_id": self.ledger_id, "key_id": None,
               "pinned_key_id": None, "sealed_seq": 0, "unsigned_records": None,
               "anchor": {"checked": False, "ok": None, "signed_seq": None, "reason": None, "file": None,
                          "unsigned_records": None},
               "witness": {"checked": False, "ok": None, "reason": None, "file": None, "witnessed_seq": None}}
        if self._conn is None:
            hashes = {}
        else:
            try:
                hashes = self._verify_chain(out)
            except sqlite3.DatabaseError as exc:
                out.update(ok=False, reason="database unreadable: %s" % exc)
                return out
        key_path = resolve_key_path(key_file or self.key_file)
        public = None
        if os.path.exists(key_path):
            try:
                public = load_verify_key(key_path)
            except EvidenceError as exc:
                out["anchor"].update(checked=True, ok=False, reason=str(exc))
                self._fail(out, None, str(exc))
                return out
            out["key_id"] = key_id(public)
        sealed = 0
        if public is not None and self._conn is not None:
            try:
                sealed = self._verify_seals(out, hashes, public, out["key_id"])
            except sqlite3.DatabaseError as exc:
                self._fail(out, None, "seals unreadable: %s" % exc)
        out["sealed_seq"] = sealed
        self._verify_anchor(out, hashes, public, key_path,
                            os.path.abspath(anchor_file) if anchor_file else self.anchor_file)
        if public is not None:
            covered = max(sealed, out["anchor"]["signed_seq"] or 0)
            out["unsigned_records"] = max(0, out["head_seq"] - covered)
            if out["head_seq"] > covered:
                self._fail(out, covered + 1, _unsigned_reason(covered, out["head_seq"]))
        self._verify_pin(out)
        self._verify_witness(out, hashes, require_witness)
        return out

    def _verify_chain(self, out):
        hashes = {}  # seq -> stored hash
        expected = 1
        prev = GENESIS_HASH
        sha256 = hashlib.sha256
        loads = json.loads
        for row in self._conn.execute(_SELECT + " ORDER BY seq"):
            seq = row[0]
            if out["first_bad_seq"] is None and out["ok"]:
                if seq != expected:
                    self._bad(out, expected, "record %d is missing (the next stored record is %d)" % (expected, seq)
                              if seq > expected else "unexpected sequence number %r" % (seq,))
                else:
                    try:
                        record = dict(zip(_COLUMNS, row))
                        for name in _JSON_FIELDS:
                            record[name] = loads(record[name])
                        stored = record.pop("hash")
                        actual = sha256(canonical(record)).hexdigest()
                    except (ValueError, TypeError) as exc:
                        self._bad(out, seq, "record %d cannot be decoded: %s" % (seq, exc))
                    else:
                        if actual != stored:
                            self._bad(out, seq, "record %d was altered: its content no longer matches its hash" % seq)
                        elif record["prev_hash"] != prev:
                            self._bad(out, seq, "record %d does not link to record %d (prev_hash differs)"
                                      % (seq, seq - 1))
                prev = row[14]
            expected = seq + 1 if isinstance(seq, int) else expected + 1
            hashes[seq] = row[14]
            out["count"] += 1
            out["head_seq"], out["head_hash"] = seq, row[14]
        return hashes

    def _verify_seals(self, out, hashes, public, kid):
        """Highest seq covered by valid seals in an unbroken run from the start; marks the first bad one."""
        if not self._has_seals and "seals" not in self._tables():
            return 0
        sealed = 0
        for seq, seal_kid, sig in self._conn.execute("SELECT seq, key_id, sig FROM seals ORDER BY seq"):
            if seq not in hashes:
                if isinstance(seq, int) and seq > out["head_seq"]:
                    self._bad(out, out["head_seq"] + 1, "record %d was sealed but the ledger ends at seq %d: the "
                              "newest records were deleted" % (seq, out["head_seq"]))
                else:
                    self._bad(out, seq, "a seal names record %s, which the ledger does not hold" % (seq,))
                break
            if seal_kid != kid:
                self._bad_range(out, sealed + 1, seq, "record(s) %d to %d were signed by key %s, not by the verifying "
                                "key %s" % (sealed + 1, seq, seal_kid, kid))
                break
            if not _seal_ok(public, kid, (seal_kid, sig), self.ledger_id, seq, hashes[seq]):
                self._bad_range(out, sealed + 1, seq, "record(s) %d to %d do not match their signature (seal of "
                                "record %d): altered or added without the ledger key" % (sealed + 1, seq, seq))
                break
            sealed = seq
        return sealed

    @staticmethod
    def _bad_range(out, start, end, reason):
        """A bad seal over records start..end: the chain's own finding wins if it lies in the range (it is exact);
        a chain break just after the range (a forged record chained correctly, the next link broken) is the range's."""
        chain_bad = out["first_bad_seq"] if not out["ok"] else None
        if chain_bad is None or chain_bad > end:
            out.update(ok=False, first_bad_seq=start, reason=reason)

    @staticmethod
    def _bad(out, seq, reason):
        if out["ok"]:
            out.update(ok=False, first_bad_seq=seq, reason=reason)

    def _verify_anchor(self, out, hashes, public, key_path, anchor_path):
        anchor = out["anchor"]
        anchor["file"] = anchor_path
        if public is None:
            anchor["reason"] = "no anchor key at %s: signed checkpoints not checked" % key_path
            return
        anchor["checked"] = True
        expected_id = out["key_id"]
        count = out["count"]
        try:
            with open(anchor_path, "rb") as handle:
                data = handle.read()
        except FileNotFoundError:
            data = b""
        except OSError as exc:
            anchor.update(ok=False, reason="anchor file %s: cannot read: %s" % (anchor_path, exc.strerror or exc))
            self._fail(out, None, anchor["reason"])
            return
        lines = data.split(b"\n")
        if lines and lines[-1] == b"":
            lines.pop()
        elif lines:
            lines.pop()  # a line without newline was cut short by a crash: it was never a complete checkpoint
        entries = []
        prev = GENESIS_HASH
        problem = None
        for number, line in enumerate(lines, 1):
            try:
                entry = json.loads(line)
                body = dict(entry)
                sig = base64.b64decode(body.pop("sig"))
            except (ValueError, KeyError, TypeError, AttributeError):
                problem = "anchor line %d is unreadable (anchor file edited)" % number
                break
            if entry.get("prev") != prev:
                problem = "anchor line %d does not follow line %d (anchor file edited)" % (number, number - 1)
                break
            if entry.get("ledger") != self.ledger_id:
                problem = "anchor line %d belongs to another ledger (%s, this is %s)" % (
                    number, entry.get("ledger"), self.ledger_id)
                break
            if entry.get("key_id") != expected_id:
                problem = "anchor line %d was signed by key %s, not by the verifying key %s" % (
                    number, entry.get("key_id"), expected_id)
                break
            prev = hashlib.sha256(line).hexdigest()
            entries.append((number, entry, body, sig))
        if problem is None and entries:
            # The lines are hash-linked, so the newest signature vouches for every earlier line.
            number, entry, body, sig = entries[-1]
            try:
                public.verify(sig, canonical(body))
            except InvalidSignature:
                problem = "anchor line %d has an invalid signature (anchor file edited or wrong key)" % number
        if problem:
            anchor.update(ok=False, reason=problem)
            self._fail(out, None, problem)
            return
        if not entries:
            if count:
                anchor.update(ok=False, reason="no signed checkpoint in %s although the ledger holds %d record(s)"
                              % (anchor_path, count))
                self._fail(out, 1, anchor["reason"])
            else:
                anchor.update(ok=True, signed_seq=0, unsigned_records=0)
            return
        number, entry = entries[-1][0], entries[-1][1]
        if entry["seq"] > out["head_seq"] or entry["count"] > count:
            reason = ("signed checkpoint (anchor line %d, %s) covers %d record(s) up to seq %d but the ledger "
                      "holds %d up to seq %d: the newest records were deleted" % (
                          number, entry["ts"], entry["count"], entry["seq"], count, out["head_seq"]))
            anchor.update(ok=False, reason=reason, signed_seq=entry["seq"])
            self._fail(out, out["head_seq"] + 1, reason)
            return
        for number, entry, _body, _sig in entries:
            seq = entry["seq"]
            if seq and hashes.get(seq) != entry["hash"]:
                reason = ("record %d differs from the head signed at anchor line %d (%s): the chain up to it was "
                          "rewritten" % (seq, number, entry["ts"]))
                anchor.update(ok=False, reason=reason, signed_seq=seq)
                self._fail(out, seq, reason)
                return
        signed = entries[-1][1]["seq"]
        anchor.update(ok=True, signed_seq=signed, unsigned_records=count - signed)

    def _verify_pin(self, out):
        pinned = self.expected_key_id
        source = "pinned (GOVCLOUD_EVIDENCE_KEY_ID / govcloud_evidence_key_id)"
        if not pinned:
            witness = self.witness()
            first = witness.first(self.ledger_id) if witness is not None and self.ledger_id else None
            if first:
                pinned, source = first["key_id"], "pinned by the witness at seq %s (%s)" % (first["seq"], first["ts"])
        out["pinned_key_id"] = pinned
        if pinned and out["key_id"] and pinned != out["key_id"]:
            self._fail(out, None, "the ledger is verified with key %s, but the key %s is %s: the key was replaced and "
                       "the ledger may have been rewritten and re-signed" % (out["key_id"], source, pinned))

    def _verify_witness(self, out, hashes, require_witness):
        report = out["witness"]
        witness = self.witness()
        if witness is None:
            report["reason"] = "no witness configured"
            if require_witness:
                self._fail(out, None, "no witness configured, but the verification requires one")
            return
        report["file"] = witness.path
        try:
            entries = witness.entries(ledger_id=self.ledger_id) if self.ledger_id else []
            replaced = [e for e in witness.entries(directory=self.directory) if e["ledger_id"] != self.ledger_id]
        except EvidenceError as exc:
            report.update(checked=True, ok=False, reason=str(exc))
            self._fail(out, None, "witness: %s" % exc)
            return
        report["checked"] = True
        if not entries or replaced:
            if replaced:
                last = replaced[-1]
                reason = ("the witness knows another ledger in %s (%s, %d checkpoint(s), last seq %s, key %s): this "
                          "ledger (%s) replaced it" % (
                              self.directory, last["ledger_id"], len(replaced), last["seq"], last["key_id"],
                              self.ledger_id))
                report.update(ok=False, reason=reason)
                self._fail(out, 1, reason)
            else:
                report.update(ok=None, reason="the witness holds no checkpoint of this ledger")
                if require_witness:
                    self._fail(out, None, "the witness %s holds no checkpoint of ledger %s" % (
                        witness.path, self.ledger_id))
            return
        last = entries[-1]
        report["witnessed_seq"] = last["seq"]
        if last["seq"] > out["head_seq"]:
            reason = ("the witness holds a checkpoint at seq %d (%s) but the ledger ends at seq %d: record(s) %d to "
                      "%d were cut off" % (last["seq"], last["ts"], out["head_seq"], out["head_seq"] + 1, last["seq"]))
            report.update(ok=False, reason=reason)
            self._fail(out, out["head_seq"] + 1, reason)
            return
        for entry in entries:
            if entry["seq"] and hashes.get(entry["seq"]) != entry["hash"]:
                reason = ("record %d differs from the head the witness holds for it (%s): the ledger was rewritten"
                          % (entry["seq"], entry["ts"]))
                report.update(ok=False, reason=reason)
                self._fail(out, entry["seq"], reason)
                return
        report.update(ok=True)

    @staticmethod
    def _fail(out, seq, reason):
        if out["ok"]:
            out.update(ok=False, first_bad_seq=seq, reason=reason)

    def require_intact(self, require_witness=True):
        """verify(), raising EvidenceError naming the first bad record unless the ledger is intact.

        Gates call it before they count a single record: a forged record must not pass a gate.
        """
        report = self.verify(require_witness=require_witness)
        if not report["anchor"]["checked"]:
            report.update(ok=False, reason=report["anchor"]["reason"])
        if not report["ok"]:
            where = " at record %s" % report["first_bad_seq"] if report["first_bad_seq"] else ""
            raise EvidenceError("ledger %s does not verify%s: %s; no record of it is trusted until the management "
                                "unit has examined it" % (self.path, where, report["reason"]))
        return report


def seal_message(ledger_id, seq, head_hash):
    """What a seal signs: the ledger, the batch's last seq and that record's hash (which chains all before it)."""
    return canonical({"v": 1, "ledger": ledger_id, "seq": seq, "hash": head_hash})


def _seal_ok(public, kid, row, ledger_id, seq, head_hash):
    seal_kid, sig = row
    if seal_kid != kid:
        return False
    try:
        public.verify(base64.b64decode(sig), seal_message(ledger_id, seq, head_hash))
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def _unsigned_reason(covered, head):
    return ("record(s) %d to %d carry no signature of the ledger key (no seal or signed checkpoint covers them): "
            "they were added without the key" % (covered + 1, head))


# ------------------------------------------------------------------------------------------- witness

def resolve_witness_dir(directory=None):
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return os.path.abspath(os.path.expanduser(
        directory or os.environ.get(ENV_WITNESS_DIR) or os.path.join(base, "govcloud-lifecycle", "witness")))


def resolve_witness_key(key_file=None):
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return os.path.abspath(os.path.expanduser(
        key_file or os.environ.get(ENV_WITNESS_KEY) or os.path.join(base, "govcloud-lifecycle", "witness-signing.pem")))


class Witness:
    """The management unit's witness ledger (见证台账): one per cloud, its own directory and key.

    Every checkpoint of every application's ledger is copied into it as a ``witness`` record, so that whoever can
    rewrite an application's evidence directory (records and anchor file together) still cannot make its history
    shorter, replace its key or delete it unseen.  It is an evidence ledger itself (chained, sealed, anchored)
    and is verified on its own.
    """

    def __init__(self, directory=None, key_file=None):
        self.directory = resolve_witness_dir(directory)
        self.key_file = resolve_witness_key(key_file)
        self.path = os.path.join(self.directory, DB_NAME)

    def _ledger(self, create):
        # a full walk of the witness on every checkpoint would cost O(all applications' checkpoints): writes check
        # the head's seal; verify() walks everything
        return Ledger(self.directory, key_file=self.key_file, create=create, witness=False, full_tail_check=False)

    def note(self, ledger, entry):
        """Copy one signed checkpoint of ``ledger`` into the witness."""
        application = None
        if ledger.count():
            row = ledger._conn.execute("SELECT application FROM records ORDER BY seq DESC LIMIT 1").fetchone()
            application = row[0] if row else None
        details = {"ledger_id": entry["ledger"], "directory": ledger.directory, "seq": entry["seq"],
                   "hash": entry["hash"], "count": entry["count"], "key_id": entry["key_id"], "sig": entry["sig"],
                   "checkpoint_ts": entry["ts"]}
        if application:
            details["witnessed_application"] = application
        try:
            with self._ledger(create=True) as witness:
                last = next(witness.records(kind="witness", where_json={"ledger_id": entry["ledger"]},
                                            newest_first=True, limit=1), None)
                if last and last["details"]["seq"] == entry["seq"] and last["details"]["hash"] == entry["hash"]:
                    return  # the same head again: nothing new to witness
                witness.append(application=WITNESS_APPLICATION, kind="witness", targets=[ledger.path],
                               summary="checkpoint of %s at seq %d" % (application or ledger.directory, entry["seq"]),
                               details=details)
        except EvidenceError as exc:
            raise EvidenceError("witness %s: %s" % (self.directory, exc))

    def entries(self, ledger_id=None, directory=None):
        """Witnessed checkpoints of one ledger (by id) or of whatever ledger lived in ``directory``, oldest first."""
        if not os.path.exists(self.path):
            return []
        where = {"ledger_id": ledger_id} if ledger_id else {"directory": os.path.abspath(directory)}
        with self._ledger(create=False) as witness:
            out = []
            for record in witness.records(kind="witness", where_json=where):
                item = dict(record["details"])
                item["ts"] = item.get("checkpoint_ts") or record["ts"]
                item["witness_seq"] = record["seq"]
                out.append(item)
            return out

    def first(self, ledger_id):
        if not os.path.exists(self.path):
            return None
        with self._ledger(create=False) as witness:
            record = next(witness.records(kind="witness", where_json={"ledger_id": ledger_id}, limit=1), None)
        if record is None:
            return None
        return dict(record["details"], ts=record["details"].get("checkpoint_ts") or record["ts"])

    def verify(self):
        """The witness ledger's own verification (chain, seals, anchor) with the witness key."""
        if not os.path.exists(self.path):
            return {"ok": True, "count": 0, "reason": "no witness ledger yet", "ledger": self.path}
        with self._ledger(create=False) as witness:
            return witness.verify()


def _anchor_started(path):
    try:
        return os.path.getsize(path) > 0
    except OSError:
        return False


def _anchor_link(fd, path):
    """SHA-256 of the last complete line of the anchor file: the ``prev`` of the next line.

    A line without its newline was cut short by a crash and never completed a checkpoint: drop it,
    so the next line starts clean.
    """
    try:
        size = os.fstat(fd).st_size
        if size == 0:
            return GENESIS_HASH
        start = max(0, size - 65536)
        tail = os.pread(fd, size - start, start)
        if not tail.endswith(b"\n"):
            cut = tail.rfind(b"\n")
            os.ftruncate(fd, start + cut + 1 if cut >= 0 else start)
            tail = tail[:cut + 1] if cut >= 0 else b""
    except OSError as exc:
        raise EvidenceError("anchor file %s: cannot read: %s" % (path, exc.strerror or exc))
    lines = tail.split(b"\n")[:-1]
    return hashlib.sha256(lines[-1]).hexdigest() if lines else GENESIS_HASH
