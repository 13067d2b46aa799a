# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this plugin_util is **PRIVATE** to the collection: it can change at any time.

"""One evidence record: the ledger's constants, the canonical form, timestamps and the validation of fields."""

from __future__ import annotations

import datetime
import getpass
import hashlib
import json
import math
import os
import re
import socket

from ansible_collections.govcloud.lifecycle.plugins.module_utils._evidence_kinds import (
    _JSON_FIELDS,
    FIELDS,
    KIND_SCHEMAS,
    KINDS,
    PARTIES,
    RESULTS,
    STAGES,
    WITNESS_STAGE,
    EvidenceError,
)
from ansible_collections.govcloud.lifecycle.plugins.plugin_utils._evidence_redact import collect_secrets, redact


SCHEMA_VERSION = 1
DB_NAME = "ledger.sqlite"
ANCHOR_NAME = "ledger.anchors"
GENESIS_HASH = "0" * 64


BUSY_TIMEOUT_MS = 60000

ENV_DIR = "GOVCLOUD_EVIDENCE_DIR"
ENV_KEY = "GOVCLOUD_EVIDENCE_KEY"
ENV_ANCHOR = "GOVCLOUD_EVIDENCE_ANCHOR"
ENV_APPLICATION = "GOVCLOUD_EVIDENCE_APPLICATION"
# The key id an application's ledger must be signed with (pinned at intake); compared on every verification.
ENV_KEY_ID = "GOVCLOUD_EVIDENCE_KEY_ID"
# one <application id>.yml per application, written at intake when the pin is not kept in the inventory
ENV_KEY_PIN_DIR = "GOVCLOUD_EVIDENCE_KEY_PIN_DIR"
# The management unit's witness ledger: one for the whole cloud, outside every application's evidence directory.
ENV_WITNESS_DIR = "GOVCLOUD_WITNESS_DIR"
ENV_WITNESS_KEY = "GOVCLOUD_WITNESS_KEY"
# The ident of the run (ansible-runner's ident, an AWX job id) that wrote a record: details.run_id.
ENV_RUN_ID = "GOVCLOUD_RUN_ID"


_SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,62}$")
_CLAUSE_RE = re.compile(r"^[0-9]+(\.[0-9]+)*(\.[a-z])?(-[0-9]{2})?$|^[A-Za-z][A-Za-z0-9_.:-]{0,63}$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_HEX64_RE = re.compile(r"^[0-9a-f]{64}$")
_MAX_TEXT = 4096
_MAX_DETAILS = 1024 * 1024


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


_COLUMNS = FIELDS
_SELECT = "SELECT %s FROM records" % ", ".join(_COLUMNS)


def _row_to_record(row):
    record = dict(zip(_COLUMNS, row))
    for name in _JSON_FIELDS:
        record[name] = json.loads(record[name])
    return record
