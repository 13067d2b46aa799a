# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""A cloud's manifest policy: the security rules' defaults (``default_policy``) and a policy that may
tighten them, never loosen them (``resolve_policy``).  The public entry is ``manifest.py``.
"""

from __future__ import annotations

from ansible_collections.govcloud.lifecycle.plugins.module_utils._manifest_schema import (
    BASTION_MIN_PREFIX,
    DEFAULT_ANYWHERE_ZONES,
    DEFAULT_MANAGEMENT_SERVICES,
    DEFAULT_SOURCE_MIN_PREFIX,
    DEFAULT_ZONE_PREFIX,
    POLICY_KEYS,
    RULE_CLAUSES,
    ZONES,
)
from ansible_collections.govcloud.lifecycle.plugins.module_utils._manifest_validator import (
    _item_path,
    _json_type,
    _key_path,
    Problem,
    _show,
)


def default_policy():
    """The rules' defaults as a policy (docs/manifest.md, "Security rules"): what a cloud's policy may tighten."""
    return {
        "management_services": [dict(m) for m in DEFAULT_MANAGEMENT_SERVICES],
        "zone_prefix": dict(("ipv%d" % v, {"min": lo, "max": hi}) for v, (lo, hi) in DEFAULT_ZONE_PREFIX.items()),
        "source_min_prefix": dict(("ipv%d" % v, n) for v, n in DEFAULT_SOURCE_MIN_PREFIX.items()),
        "bastion_min_prefix": dict(("ipv%d" % v, n) for v, n in BASTION_MIN_PREFIX.items()),
        "anywhere_zones": list(DEFAULT_ANYWHERE_ZONES),
    }


_MAX_PREFIX = {"ipv4": 32, "ipv6": 128}
_LOOSEN = "a policy may tighten the manifest rules, never loosen them (docs/manifest.md, \"Security rules\")"


def _prefix_value(value, vpath, family, problems):
    if _json_type(value) != "integer" or not 0 <= value <= _MAX_PREFIX[family]:
        problems.append(Problem(vpath, "must be a prefix length 0-%d, not %s" % (_MAX_PREFIX[family], _show(value))))
        return None
    return value


def _families(value, vpath, problems):
    """The ipv4/ipv6 entries of a per-family policy mapping; problems for anything else."""
    if not isinstance(value, dict):
        problems.append(Problem(vpath, "must be a mapping with ipv4 and/or ipv6, not %s" % _show(value)))
        return []
    found = []
    for family, item in value.items():
        if family not in _MAX_PREFIX:
            problems.append(Problem(_key_path(vpath, family), "is not a known address family (known: ipv4, ipv6)"))
        else:
            found.append((family, item, _key_path(vpath, family)))
    return found


def resolve_policy(policy, path="policy"):
    """``(effective, problems)``: the defaults tightened by ``policy`` (a mapping, or None for the defaults).

    Every key is optional; what a key leaves out keeps its default.  A value that would loosen a default (drop a
    management service, allow broader zones, sources or bastions, open another zone to any source) is a problem
    that says so, as is anything malformed; ``effective`` then holds the defaults for that key.
    """
    effective = default_policy()
    problems = []
    if policy is None:
        return effective, problems
    if not isinstance(policy, dict):
        return effective, [Problem(path, "must be a mapping (keys: %s), not %s" % (", ".join(POLICY_KEYS), _show(policy)))]
    for key in policy:
        if key not in POLICY_KEYS:
            problems.append(Problem(_key_path(path, key), "is not a known policy key (known: %s)" % ", ".join(POLICY_KEYS)))
    if "management_services" in policy:
        _policy_management(policy["management_services"], _key_path(path, "management_services"), effective, problems)
    if "zone_prefix" in policy:
        _policy_zone_prefix(policy["zone_prefix"], _key_path(path, "zone_prefix"), effective, problems)
    for key, what in (("source_min_prefix", "sources outside the internet-facing zones"),
                      ("bastion_min_prefix", "bastion networks")):
        if key in policy:
            _policy_min_prefix(policy[key], _key_path(path, key), effective[key], what, problems)
    if "anywhere_zones" in policy:
        _policy_anywhere(policy["anywhere_zones"], _key_path(path, "anywhere_zones"), effective, problems)
    return effective, problems


def _policy_management(entries, mpath, effective, problems):
    """The full list of management services: well-formed, and every default in it."""
    if not isinstance(entries, list):
        problems.append(Problem(mpath, "must be a list of {name, protocol, port}, not %s" % _show(entries)))
        return
    before = len(problems)
    for index, entry in enumerate(entries):
        epath = _item_path(mpath, index)
        if not isinstance(entry, dict):
            problems.append(Problem(epath, "must be a mapping {name, protocol, port}, not %s" % _show(entry)))
            continue
        for key in entry:
            if key not in ("name", "protocol", "port"):
                problems.append(Problem(_key_path(epath, key), "is not a known field (known: name, protocol, port)"))
        if not isinstance(entry.get("name"), str) or not entry.get("name", "").strip():
            problems.append(Problem(_key_path(epath, "name"), "must be a non-empty string"))
        if entry.get("protocol") not in ("tcp", "udp"):
            problems.append(Problem(_key_path(epath, "protocol"), "must be tcp or udp, not %s" % _show(entry.get("protocol"))))
        if _json_type(entry.get("port")) != "integer" or not 1 <= entry["port"] <= 65535:
            problems.append(Problem(_key_path(epath, "port"), "must be a port 1-65535, not %s" % _show(entry.get("port"))))
    listed = [(e.get("protocol"), e.get("port")) for e in entries if isinstance(e, dict)]
    missing = ["%s/%d (%s)" % (d["protocol"], d["port"], d["name"]) for d in DEFAULT_MANAGEMENT_SERVICES
               if (d["protocol"], d["port"]) not in listed]
    if missing:
        problems.append(Problem(mpath, "leaves out %s, %s: %s; list every default and add the cloud's own" % (
            ", ".join(missing), "a default management service" if len(missing) == 1 else
            "default management services", _LOOSEN)))
    if len(problems) == before:
        effective["management_services"] = [dict(e, name=e["name"].strip()) for e in entries]


def _policy_zone_prefix(value, zpath, effective, problems):
    """Zone prefix bounds per family: min may only rise, max only fall, and min <= max."""
    for family, bounds, fpath in _families(value, zpath, problems):
        if not isinstance(bounds, dict):
            problems.append(Problem(fpath, "must be a mapping {min, max}, not %s" % _show(bounds)))
            continue
        default = effective["zone_prefix"][family]
        chosen = dict(default)
        for key in bounds:
            if key not in ("min", "max"):
                problems.append(Problem(_key_path(fpath, key), "is not a known field (known: min, max)"))
                continue
            prefix = _prefix_value(bounds[key], _key_path(fpath, key), family, problems)
            if prefix is None:
                continue
            if key == "min" and prefix < default["min"]:
                problems.append(Problem(_key_path(fpath, key), "/%d would allow zones broader than the default /%d: "
                                        "%s" % (prefix, default["min"], _LOOSEN)))
            elif key == "max" and prefix > default["max"]:
                problems.append(Problem(_key_path(fpath, key), "/%d would allow zones narrower than the default /%d: "
                                        "%s" % (prefix, default["max"], _LOOSEN)))
            else:
                chosen[key] = prefix
        if chosen["min"] > chosen["max"]:
            problems.append(Problem(fpath, "min /%d is longer than max /%d: no zone would fit" % (chosen["min"], chosen["max"])))
        else:
            effective["zone_prefix"][family] = chosen


def _policy_min_prefix(value, vpath, current, what, problems):
    """A broadest-allowed prefix per family (``current`` is updated in place): it may only rise."""
    for family, item, fpath in _families(value, vpath, problems):
        prefix = _prefix_value(item, fpath, family, problems)
        if prefix is None:
            continue
        if prefix < current[family]:
            problems.append(Problem(fpath, "/%d would allow %s broader than the default /%d: %s" % (
                prefix, what, current[family], _LOOSEN)))
        else:
            current[family] = prefix


def _policy_anywhere(zones, apath, effective, problems):
    """The zones open to any source: a subset of the default ones."""
    if not isinstance(zones, list):
        problems.append(Problem(apath, "must be a list of zone names, not %s" % _show(zones)))
        return
    chosen = []
    for index, zone in enumerate(zones):
        if zone not in ZONES:
            problems.append(Problem(_item_path(apath, index), "must be one of %s, not %s" % (", ".join(ZONES), _show(zone))))
        elif zone not in DEFAULT_ANYWHERE_ZONES:
            problems.append(Problem(_item_path(apath, index), "%s would open zone %s to any source (only %s faces "
                                    "the internet by default): %s" % (
                                        _show(zone), _show(zone), ", ".join(DEFAULT_ANYWHERE_ZONES), _LOOSEN)))
        else:
            chosen.append(zone)
    effective["anywhere_zones"] = chosen


def _rule(rule):
    return "rule %s, %s" % (rule, RULE_CLAUSES[rule])


def _family(net):
    return "ipv%d" % net.version


def _zone_bounds_text(policy):
    return "/%d to /%d (IPv6 /%d to /%d)" % (
        policy["zone_prefix"]["ipv4"]["min"], policy["zone_prefix"]["ipv4"]["max"],
        policy["zone_prefix"]["ipv6"]["min"], policy["zone_prefix"]["ipv6"]["max"])


def management_reason(service, policy=None):
    """Why a service is management access (e.g. ``tcp/22, ssh``), or None when it is not."""
    policy = policy or default_policy()
    protocol, port = service.get("protocol"), service.get("port")
    for known in policy["management_services"]:
        if (known["protocol"], known["port"]) == (protocol, port):
            return "%s/%s, %s" % (protocol, port, known["name"])
    if service.get("management") is True:
        return "%s%s, marked management: true" % (protocol, "/%s" % port if port is not None else "")
    return None
