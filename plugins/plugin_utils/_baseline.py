# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this plugin_util is **PRIVATE** to the collection: it can change at any time.

"""The data the baseline_hardening role derives on the controller from what it read on a host: which controls
a run evaluates, which accounts can still log in, which sysctl keys drift, the evidence records of the results.

Front end: plugins/filter/baseline_hardening.py (one filter per function, documented beside it). These were
Jinja loops in the role's vars and tasks; as functions they have unit tests (tests/unit/plugins/filter)."""

from __future__ import annotations

import re

from ansible.module_utils.parsing.convert_bool import boolean

_NO_SHELL = re.compile(r".*(nologin|false)$")
_LOCKED = re.compile(r"[!*]")


class BaselineError(ValueError):
    """Input the role should never hand over; the message names the argument."""


def _level(level):
    try:
        value = int(level)
    except (TypeError, ValueError):
        value = None
    if value not in (2, 3):
        raise BaselineError("level must be 2 or 3, got %r" % (level,))
    return value


def selected_controls(catalogue, level, toggles):
    """Ids of the controls a run evaluates, in catalogue order: the level fits and the control's own toggle
    (``baseline_hardening_<id with _>``, given here keyed by control id) is on."""
    level = _level(level)
    missing = [c["id"] for c in catalogue if c["id"] not in toggles]
    if missing:
        raise BaselineError("toggles: no value for %s" % ", ".join(missing[:5]))
    return [c["id"] for c in catalogue if level in c.get("levels", ()) and boolean(toggles[c["id"]], strict=False)]


def _can_log_in(name, entry, shadow):
    """A shell that is not nologin/false, or a password field that is not locked (no shadow entry = locked)."""
    password = (shadow.get(name) or ["!"])[0]
    return not _NO_SHELL.match(str(entry[5])) or not _LOCKED.match(str(password))


def login_capable(passwd, shadow, names=None, system_only=False, exclude=()):
    """Accounts of ``getent passwd`` (and ``shadow``) that can still log in: among ``names`` (in their order),
    or, with ``system_only``, every account with a UID below 1000 (in passwd order); ``exclude`` left out."""
    passwd, shadow = passwd or {}, shadow or {}
    if system_only:
        candidates = [u for u, f in passwd.items() if _uid(f) < 1000]
    else:
        candidates = [u for u in names or () if u in passwd]
    return [u for u in candidates if u not in exclude and _can_log_in(u, passwd[u], shadow)]


def _uid(entry):
    return _number(entry[1]) if len(entry) > 1 else 0


def _number(text):
    try:
        return int(text)
    except (TypeError, ValueError):
        return 0


def inactive_missing(shadow, days, exclude=()):
    """Accounts with a password hash whose inactivity limit (shadow field 7) is unset or above ``days``."""
    days = _number(days)
    return [u for u, f in (shadow or {}).items()
            if str(f[0]).startswith("$") and u not in exclude
            and (f[5] in ("", "-1") or _number(f[5]) > days)]


def sysctl_drift(live_lines, settings):
    """Keys of ``settings`` the running kernel holds at another value, from ``sysctl -e KEY...`` output lines
    (``key = value``; runs of blanks in a value count as one, as sysctl prints tabs in some)."""
    live = {}
    for line in live_lines or ():
        if " = " in line:
            key, value = line.split(" = ", 1)
            live[key] = " ".join(value.split())
    return [key for key, value in settings.items() if live.get(key) != str(value)]


def toggle_name(cid):
    """The role variable that switches a control on or off: 8.1.4.6-01 -> baseline_hardening_8_1_4_6_01."""
    return "baseline_hardening_" + re.sub(r"[.-]", "_", cid)


def control_clause(cid, level):
    """The sub-clause a control's record cites: 8.1.4.1.a-03 -> 8.1.4.1.a, at level 2 the level-2 one (7.1.4.1.a)."""
    clause = cid.split("-")[0]
    if int(level) == 2 and clause.startswith("8.1.4"):
        clause = "7.1.4" + clause[len("8.1.4"):]
    return clause


def control_records(results, host, level, mode, catalogue=None, toggles=None):
    """The evidence records (kind control_check) of a run's results on one host: the sub-clause in clauses,
    the control in details.control, the host as the only target (what the report matches on).

    With ``catalogue`` and ``toggles``, also one record (result info) per control of the level that the
    operator switched off: the report then says why the control has no result on the host, instead of a bare
    "no record" (an auditor asks who turned it off; the variable is named)."""
    level = _level(level)
    records = [{
        "kind": "control_check",
        "stage": "hardening",
        "clauses": [item["clause"]],
        "targets": [host],
        "result": item["result"],
        "summary": "%s | %s: %s" % (item["id"], item["title"], item["result"]),
        "details": {"control": item["id"], "level": level, "mode": mode,
                    "expected": item["expected"], "actual": item["actual"]},
    } for item in results]
    if catalogue is not None:
        chosen = set(selected_controls(catalogue, level, toggles or {}))
        for control in catalogue:
            if level not in control.get("levels", ()) or control["id"] in chosen:
                continue
            name = toggle_name(control["id"])
            records.append({
                "kind": "control_check", "stage": "hardening", "clauses": [control_clause(control["id"], level)],
                "targets": [host],
                "result": "info",
                "summary": "%s | %s: not evaluated, switched off (%s: false)" % (control["id"], control["title"], name),
                "details": {"control": control["id"], "level": level, "mode": mode, "switched_off": name},
            })
    return records
