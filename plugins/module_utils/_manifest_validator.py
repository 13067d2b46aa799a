# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""The small JSON-schema interpreter of the manifest (``schema_problems``) and the path, type and network
helpers every check shares.  ``Problem`` is one field path and its reason.  The public entry is ``manifest.py``.
"""

from __future__ import annotations

import datetime
import ipaddress
import json
import re

from ansible_collections.govcloud.lifecycle.plugins.module_utils._manifest_schema import (
    _CIDR_SHAPE,
    SCHEMA,
)


class Problem(object):
    """A field path and what is wrong with it; ``str()`` gives ``path: reason``."""

    __slots__ = ("path", "reason")

    def __init__(self, path, reason):
        self.path = path
        self.reason = reason

    def __str__(self):
        return "%s: %s" % (self.path, self.reason)

    def __repr__(self):
        return "Problem(%r, %r)" % (self.path, self.reason)


def _key_path(path, key):
    key = str(key)
    if re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", key):
        return "%s.%s" % (path, key) if path else key
    return "%s[%s]" % (path, json.dumps(key, ensure_ascii=False))


def _item_path(path, index):
    return "%s[%d]" % (path, index)


def _json_type(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


_TYPE_WORDS = {
    "object": "a mapping", "array": "a list", "string": "a string", "integer": "an integer",
    "boolean": "true or false", "number": "a number", "null": "null",
}


def _show(value):
    text = json.dumps(value, ensure_ascii=False, default=repr)
    return text if len(text) <= 60 else text[:57] + "..."


def _is_date(value):
    if not re.match(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z", value):
        return False
    try:
        datetime.date(int(value[:4]), int(value[5:7]), int(value[8:10]))
    except ValueError:
        return False
    return True


def _matches(pattern, value):
    # JSON Schema patterns are ECMA-262: "$" ends the string, while Python's "$" also matches before a final
    # newline, which would let "name\n" through.
    if pattern.endswith("$") and not pattern.endswith("\\$"):
        pattern = pattern[:-1] + "\\Z"
    return re.search(pattern, value) is not None


def _resolve(schema):
    while "$ref" in schema:
        schema = SCHEMA["$defs"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def schema_problems(document, schema=None, path=""):
    """Problems of ``document`` against ``SCHEMA`` (or a sub-schema), every one of them, in document order."""
    problems = []
    _check_schema(document, _resolve(schema if schema is not None else SCHEMA), path, problems)
    return problems


def _check_schema(value, schema, path, problems):
    expected = schema.get("type")
    if expected is not None and _json_type(value) != expected:
        got = _json_type(value) if value is None or _json_type(value) in ("array", "object") and not value else \
            "%s %s" % (_json_type(value), _show(value))
        problems.append(Problem(path, "must be %s, not %s" % (_TYPE_WORDS[expected], got)))
        return
    if "enum" in schema and value not in schema["enum"]:
        problems.append(Problem(path, "must be one of %s, not %s" % (", ".join(_show(v) for v in schema["enum"]), _show(value))))
        return
    if isinstance(value, str):
        if len(value) < schema.get("minLength", 0):
            problems.append(Problem(path, "must not be empty" if not value else "is too short"))
        elif "maxLength" in schema and len(value) > schema["maxLength"]:
            problems.append(Problem(path, "is longer than %d characters" % schema["maxLength"]))
        elif "pattern" in schema and not _matches(schema["pattern"], value):
            problems.append(Problem(path, "%s does not match the pattern %s (%s)" % (
                _show(value), schema["pattern"], schema.get("description", "").rstrip(".") or "see the schema")))
        elif schema.get("format") == "date" and not _is_date(value):
            problems.append(Problem(path, "%s is not a calendar date YYYY-MM-DD" % _show(value)))
    elif _json_type(value) == "integer":
        if "minimum" in schema and value < schema["minimum"]:
            problems.append(Problem(path, "must be at least %s, not %s" % (schema["minimum"], value)))
        elif "maximum" in schema and value > schema["maximum"]:
            problems.append(Problem(path, "must be at most %s, not %s" % (schema["maximum"], value)))
    elif isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            problems.append(Problem(path, "needs at least %d item(s)" % schema["minItems"]))
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            problems.append(Problem(path, "allows at most %d item(s)" % schema["maxItems"]))
        if "items" in schema:
            items = _resolve(schema["items"])
            for index, item in enumerate(value):
                _check_schema(item, items, _item_path(path, index), problems)
    elif isinstance(value, dict):
        properties = schema.get("properties", {})
        for key in schema.get("required", ()):
            if key not in value:
                problems.append(Problem(_key_path(path, key), "is required"))
        for key, item in value.items():
            if key in properties:
                _check_schema(item, _resolve(properties[key]), _key_path(path, key), problems)
            elif schema.get("additionalProperties", True) is False:
                problems.append(Problem(_key_path(path, key), "is not a known field (known: %s)" % ", ".join(properties)))


def plain(value):
    """Ansible/YAML values as plain JSON data: dates become ISO strings, str/int subclasses plain."""
    if isinstance(value, dict):
        return dict((plain(k) if isinstance(k, str) else k, plain(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, datetime.datetime):
        return value
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    return value


def _dicts(value):
    """The (index, item) pairs of a list that are mappings; anything else was already reported by the schema."""
    if not isinstance(value, list):
        return []
    return [(i, item) for i, item in enumerate(value) if isinstance(item, dict)]


def _get(mapping, *keys):
    for key in keys:
        if not isinstance(mapping, dict):
            return None
        mapping = mapping.get(key)
    return mapping


def _network(value):
    """A CIDR string as an ip_network, or the reason it is not one (None when the schema already said so)."""
    if not isinstance(value, str) or not _matches(_CIDR_SHAPE, value):
        return None, None
    try:
        strict = ipaddress.ip_network(value, strict=True)
    except ValueError as exc:
        try:
            loose = ipaddress.ip_network(value, strict=False)
        except ValueError:
            return None, "%s is not a valid network in CIDR notation (%s)" % (_show(value), exc)
        return None, "%s has host bits set; the network is %s" % (_show(value), loose)
    return strict, None


def _parse_networks(values, path, problems):
    """[(path, network)] for the valid entries of a CIDR list; problems for the rest."""
    found = []
    for index, value in enumerate(values if isinstance(values, list) else []):
        item_path = _item_path(path, index)
        net, reason = _network(value)
        if reason:
            problems.append(Problem(item_path, reason))
        elif net is not None:
            found.append((item_path, net))
    return found


def _reserved(reserved):
    return [(str(text), ipaddress.ip_network(text, strict=False)) for text in reserved]


def _overlaps(a, b):
    return a.version == b.version and a.overlaps(b)


def _date(text):
    return datetime.date(int(text[:4]), int(text[5:7]), int(text[8:10]))


def _int(value):
    return value if isinstance(value, int) and not isinstance(value, bool) else 0
