# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this plugin_util is **PRIVATE** to the collection: it can change at any time.

"""Redaction: no secret reaches a record (keys named like secrets, values shaped like them, known secrets)."""

from __future__ import annotations

import re


REDACTED = "<redacted>"


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
