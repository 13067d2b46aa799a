# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""The manifest's semantic checks: what the schema cannot say (declared zones, CIDR overlaps and reserved
ranges, the security rules under the cloud's policy, 三权分立, the trial window, quotas against the needs)
and the checks of the checker's own options.  The public entry is ``manifest.py``.
"""

from __future__ import annotations

import datetime
import ipaddress
import json

from ansible_collections.govcloud.lifecycle.plugins.module_utils._manifest_schema import (
    DEFAULT_FLAVORS,
    DEFAULT_MAX_TRIAL_DAYS,
    DEFAULT_RESERVED_CIDRS,
    ROOT,
    RULE_ANYWHERE,
    RULE_BASTION_PREFIX,
    RULE_MANAGEMENT,
    RULE_SOURCE_PREFIX,
    RULE_ZONE_PREFIX,
    ZONES,
)
from ansible_collections.govcloud.lifecycle.plugins.module_utils._manifest_validator import (
    _date,
    _dicts,
    _get,
    _int,
    _is_date,
    _item_path,
    _json_type,
    _key_path,
    _network,
    _overlaps,
    _parse_networks,
    Problem,
    _reserved,
    _show,
)
from ansible_collections.govcloud.lifecycle.plugins.module_utils._manifest_policy import (
    _family,
    management_reason,
    resolve_policy,
    _rule,
    _zone_bounds_text,
)


def _security_problems(app, path, bastions, policy, problems):
    """The security rules on services and the trial's test networks (docs/manifest.md, "Security rules")."""
    bastion_text = ", ".join(str(net) for dummy, net in bastions) or "none valid"
    management = []
    for i, service in _dicts(app.get("services")):
        spath = _item_path(_key_path(path, "services"), i)
        zone = service.get("zone")
        reason = management_reason(service, policy)
        label = "%s (%s)" % (service.get("name") if isinstance(service.get("name"), str) else "#%d" % i, reason)
        if reason:
            management.append(label)
        for src_path, net in _parse_networks(service.get("sources"), _key_path(spath, "sources"), []):
            if reason:
                if not any(net.version == b.version and net.subnet_of(b) for dummy, b in bastions):
                    problems.append(Problem(src_path, "%s may not reach management service %s: management access "
                                            "comes only from bastion_cidrs (%s) — remove the source or route it "
                                            "through the bastion (堡垒机); %s" % (
                                                net, label, bastion_text, _rule(RULE_MANAGEMENT))))
            elif zone in policy["anywhere_zones"]:
                continue
            elif net.prefixlen == 0:
                problems.append(Problem(src_path, "%s (anywhere) may reach a service only in an internet-facing zone "
                                        "(%s), not %s — list the networks that use the service, or declare it in "
                                        "the internet zone (互联网区); %s" % (
                                            net, ", ".join(policy["anywhere_zones"]) or "none by this cloud's policy",
                                            _show(zone), _rule(RULE_ANYWHERE))))
            elif net.prefixlen < policy["source_min_prefix"][_family(net)]:
                problems.append(Problem(src_path, "%s is broader than /%d, the broadest source allowed outside the "
                                        "internet-facing zone — list the networks that use the service (each /%d "
                                        "or longer); %s" % (
                                            net, policy["source_min_prefix"][_family(net)],
                                            policy["source_min_prefix"][_family(net)], _rule(RULE_SOURCE_PREFIX))))
    # the trial opens every declared service to the test networks instead of its sources (docs/trial.md)
    if management:
        trial_path = _key_path(_key_path(path, "trial"), "test_cidrs")
        for tpath, net in _parse_networks(_get(app, "trial", "test_cidrs"), trial_path, []):
            if not any(net.version == b.version and net.subnet_of(b) for dummy, b in bastions):
                problems.append(Problem(tpath, "%s would reach management service %s during the trial, which opens "
                                        "the declared services to trial.test_cidrs instead of their sources: "
                                        "management access comes only from bastion_cidrs (%s) — use test networks "
                                        "inside the bastion networks, or leave the management service out of "
                                        "services (the bastion reaches every zone's management ports by itself); "
                                        "%s" % (net, ", ".join(management), bastion_text, _rule(RULE_MANAGEMENT))))


def semantic_problems(app, flavors=None, reserved_cidrs=DEFAULT_RESERVED_CIDRS, cloud_reserved_cidrs=(),
                      occupied_cidrs=(), max_trial_days=DEFAULT_MAX_TRIAL_DAYS, path=ROOT, policy=None):
    """Problems the schema cannot express.  Works on partly invalid input: it skips what has the wrong shape.

    ``policy`` is the cloud's policy (see ``resolve_policy``; a malformed or loosening one counts as the defaults
    here: ``validate`` refuses it first).
    """
    problems = []
    if not isinstance(app, dict):
        return problems
    policy = resolve_policy(policy)[0]
    flavors = DEFAULT_FLAVORS if flavors is None else flavors
    zones_path = _key_path(path, "zones")
    servers_path = _key_path(path, "servers")

    # Zones: unique names, valid CIDRs, no overlap with each other, reserved ranges or other applications.
    declared_zones = {}
    zone_nets = []
    for i, zone in _dicts(app.get("zones")):
        zpath = _item_path(zones_path, i)
        name = zone.get("name")
        if isinstance(name, str):
            if name in declared_zones:
                problems.append(Problem(_key_path(zpath, "name"), "zone %s is declared twice (first at %s)" % (
                    _show(name), declared_zones[name])))
            else:
                declared_zones[name] = zpath
        cidr = zone.get("cidr")
        if isinstance(cidr, str):
            net, reason = _network(cidr)
            if reason:
                problems.append(Problem(_key_path(zpath, "cidr"), reason))
            elif net is not None:
                zone_nets.append((_key_path(zpath, "cidr"), net))
                bounds = policy["zone_prefix"][_family(net)]
                if not bounds["min"] <= net.prefixlen <= bounds["max"]:
                    broad = net.prefixlen < bounds["min"]
                    problems.append(Problem(_key_path(zpath, "cidr"), "%s is %s than /%d: a zone subnet is %s — "
                                            "declare %s; %s" % (
                                                net, "broader" if broad else "narrower",
                                                bounds["min"] if broad else bounds["max"], _zone_bounds_text(policy),
                                                "the addresses the zone needs, at most a /%d" % bounds["min"] if broad
                                                else "room for the servers, the gateway and the DHCP port, at least "
                                                "a /%d" % bounds["max"], _rule(RULE_ZONE_PREFIX))))
    for j, (jpath, jnet) in enumerate(zone_nets):
        for ipath, inet in zone_nets[:j]:
            if _overlaps(inet, jnet):
                problems.append(Problem(jpath, "%s overlaps %s (%s); zones must not share addresses" % (jnet, ipath, inet)))
    builtin = [(text, net, "a reserved range") for text, net in _reserved(reserved_cidrs)]
    cloud = [(text, net, "a range the cloud itself uses") for text, net in _reserved(cloud_reserved_cidrs)]
    for zpath, net in zone_nets:
        for text, rnet, what in builtin + cloud:
            if _overlaps(net, rnet):
                problems.append(Problem(zpath, "%s overlaps %s, %s" % (net, text, what)))
        for other in occupied_cidrs or ():
            onet = ipaddress.ip_network(str(other["cidr"]), strict=False)
            if _overlaps(net, onet):
                problems.append(Problem(zpath, "%s overlaps %s, already used by %s" % (net, onet, other.get("owner", "another application"))))

    # Bastion networks: valid, not reserved, not "anywhere".
    bastion_path = _key_path(path, "bastion_cidrs")
    bastions = _parse_networks(app.get("bastion_cidrs"), bastion_path, problems)
    for bpath, net in bastions:
        least = policy["bastion_min_prefix"][_family(net)]
        if net.prefixlen < least:
            problems.append(Problem(bpath, "%s is too broad for management access (needs a prefix of /%d or longer) — "
                                    "name the bastion hosts (堡垒机) or their management network; %s" % (
                                        net, least, _rule(RULE_BASTION_PREFIX))))
        for text, rnet, what in builtin:
            if net.version == rnet.version and net.subnet_of(rnet):
                problems.append(Problem(bpath, "%s lies in %s, %s" % (net, text, what)))

    # People: unique ids, references resolve, 三权分立 at level 3 and above.
    contacts_path = _key_path(path, "contacts")
    people = {}
    for i, person in _dicts(app.get("contacts")):
        pid = person.get("id")
        if isinstance(pid, str):
            if pid in people:
                problems.append(Problem(_key_path(_item_path(contacts_path, i), "id"), "contact id %s is used twice" % _show(pid)))
            else:
                people[pid] = person
    responsible = app.get("responsible") if isinstance(app.get("responsible"), dict) else {}
    resp_path = _key_path(path, "responsible")
    for duty, pid in responsible.items():
        if isinstance(pid, str) and pid not in people:
            problems.append(Problem(_key_path(resp_path, duty), "names %s, which is not an id in %s" % (_show(pid), contacts_path)))
    level = _get(app, "mlps", "level")
    if isinstance(level, int) and not isinstance(level, bool) and level >= 3:
        if "auditor" not in responsible:
            problems.append(Problem(_key_path(resp_path, "auditor"), "is required at 等保 level %d (三权分立: a separate auditor)" % level))
        duties = ("system_admin", "security_officer", "auditor")
        seen = {}
        for duty in duties:
            person = responsible.get(duty)
            if not isinstance(person, str):
                continue
            key = _identity(people.get(person)) or person
            if key in seen:
                problems.append(Problem(_key_path(resp_path, duty), "is the same person as %s; 等保 level %d needs "
                                        "system admin, security officer and auditor to be three different persons "
                                        "(三权分立)" % (_key_path(resp_path, seen[key]), level)))
            else:
                seen[key] = duty

    # Servers: unique names, a declared zone, a known flavor, unique volume names.
    names = {}
    for i, server in _dicts(app.get("servers")):
        spath = _item_path(servers_path, i)
        name = server.get("name")
        if isinstance(name, str):
            if name in names:
                problems.append(Problem(_key_path(spath, "name"), "server name %s is used twice (first at %s)" % (_show(name), names[name][0])))
            else:
                names[name] = (spath, server.get("zone"))
        zone = server.get("zone")
        if isinstance(zone, str) and zone in ZONES and zone not in declared_zones:
            problems.append(Problem(_key_path(spath, "zone"), "zone %s is not declared in %s" % (_show(zone), zones_path)))
        flavor = server.get("flavor")
        if isinstance(flavor, str) and flavor and flavor not in flavors:
            problems.append(Problem(_key_path(spath, "flavor"), "flavor %s is not in the flavor table (known: %s)" % (
                _show(flavor), ", ".join(sorted(flavors)))))
        volumes = {}
        for j, volume in _dicts(server.get("volumes")):
            vname = volume.get("name")
            if isinstance(vname, str):
                if vname in volumes:
                    problems.append(Problem(_key_path(_item_path(_key_path(spath, "volumes"), j), "name"),
                                            "volume name %s is used twice on this server" % _show(vname)))
                volumes[vname] = True

    # Services and flows: declared zones, port rules, sources.
    for i, service in _dicts(app.get("services")):
        spath = _item_path(_key_path(path, "services"), i)
        zone = service.get("zone")
        _zone_declared(zone, _key_path(spath, "zone"), declared_zones, zones_path, problems)
        _port_rule(service, spath, problems)
        for spath_src, net in _parse_networks(service.get("sources"), _key_path(spath, "sources"), problems):
            for text, rnet, what in builtin:
                if net.version == rnet.version and net.subnet_of(rnet):
                    problems.append(Problem(spath_src, "%s lies in %s, %s" % (net, text, what)))
        for j, server_name in enumerate(service.get("servers") if isinstance(service.get("servers"), list) else []):
            if not isinstance(server_name, str):
                continue
            target = _item_path(_key_path(spath, "servers"), j)
            if server_name not in names:
                problems.append(Problem(target, "server %s is not declared in %s" % (_show(server_name), servers_path)))
            elif names[server_name][1] != zone:
                problems.append(Problem(target, "server %s is in zone %s, not in the service's zone %s" % (
                    _show(server_name), _show(names[server_name][1]), _show(zone))))
    for i, flow in _dicts(app.get("flows")):
        fpath = _item_path(_key_path(path, "flows"), i)
        _zone_declared(flow.get("from"), _key_path(fpath, "from"), declared_zones, zones_path, problems)
        _zone_declared(flow.get("to"), _key_path(fpath, "to"), declared_zones, zones_path, problems)
        if isinstance(flow.get("from"), str) and flow.get("from") == flow.get("to"):
            problems.append(Problem(_key_path(fpath, "to"), "a flow joins two different zones; traffic inside a zone "
                                    "is governed by its own security group"))
        _port_rule(flow, fpath, problems)

    # Security rules: management only from the bastion, no anywhere or too broad sources outside the internet.
    _security_problems(app, path, bastions, policy, problems)

    # Quotas, formal and (when given) those of the trial, cover what the servers need.
    needs = resource_needs(app, flavors)
    trial_path = _key_path(path, "trial")
    for qpath, quotas in ((_key_path(path, "quotas"), app.get("quotas")),
                          (_key_path(trial_path, "quotas"), _get(app, "trial", "quotas"))):
        quotas = quotas if isinstance(quotas, dict) else {}
        for key, needed in needs.items():
            have = quotas.get(key)
            if isinstance(have, int) and not isinstance(have, bool) and have < needed:
                problems.append(Problem(_key_path(qpath, key), "%d is less than the %d the manifest needs" % (have, needed)))

    # Test networks of the trial: real, narrow networks ("anywhere" is no test network), not reserved.
    for tpath, net in _parse_networks(_get(app, "trial", "test_cidrs"), _key_path(trial_path, "test_cidrs"), problems):
        if net.prefixlen == 0:
            problems.append(Problem(tpath, "%s (anywhere) is not a test network; name the testers' networks" % net))
        for text, rnet, what in builtin:
            if net.version == rnet.version and net.subnet_of(rnet):
                problems.append(Problem(tpath, "%s lies in %s, %s" % (net, text, what)))

    # Trial period: ordered and bounded.
    start, end = _get(app, "trial", "start"), _get(app, "trial", "end")
    if isinstance(start, str) and isinstance(end, str) and _is_date(start) and _is_date(end):
        days = (_date(end) - _date(start)).days
        if days <= 0:
            problems.append(Problem(_key_path(trial_path, "end"), "%s is not after the start %s" % (end, start)))
        elif days > max_trial_days:
            problems.append(Problem(_key_path(trial_path, "end"), "the trial lasts %d days, more than the %d allowed" % (days, max_trial_days)))

    # Grading happens before the application; a date in the future is a typo.
    grading_date = _get(app, "mlps", "grading", "date")
    if isinstance(grading_date, str) and _is_date(grading_date) and _date(grading_date) > datetime.date.today():
        problems.append(Problem(_key_path(_key_path(_key_path(path, "mlps"), "grading"), "date"), "%s is in the future" % grading_date))
    return problems


def _identity(person):
    """Two contact entries with the same name and phone are one person, whatever their ids."""
    if not isinstance(person, dict) or not isinstance(person.get("name"), str):
        return None
    return (person.get("name").strip(), person.get("phone") if isinstance(person.get("phone"), str) else None)


def _zone_declared(zone, zpath, declared, zones_path, problems):
    if isinstance(zone, str) and zone in ZONES and zone not in declared:
        problems.append(Problem(zpath, "zone %s is not declared in %s" % (_show(zone), zones_path)))


def _port_rule(entry, path, problems):
    protocol = entry.get("protocol")
    if protocol in ("tcp", "udp") and "port" not in entry:
        problems.append(Problem(_key_path(path, "port"), "is required for protocol %s" % protocol))
    elif protocol == "icmp" and "port" in entry:
        problems.append(Problem(_key_path(path, "port"), "is not allowed for protocol icmp"))


def resource_needs(app, flavors=None):
    """What the declared servers, volumes and zones take from the tenant's quotas."""
    flavors = DEFAULT_FLAVORS if flavors is None else flavors
    needs = {"instances": 0, "cores": 0, "ram_mb": 0, "volumes": 0, "gigabytes": 0}
    for dummy, server in _dicts(app.get("servers") if isinstance(app, dict) else None):
        needs["instances"] += 1
        flavor = flavors.get(server.get("flavor")) if isinstance(server.get("flavor"), str) else None
        if isinstance(flavor, dict):
            needs["cores"] += _int(flavor.get("vcpus"))
            needs["ram_mb"] += _int(flavor.get("ram_mb"))
        for dummy2, volume in _dicts(server.get("volumes")):
            needs["volumes"] += 1
            needs["gigabytes"] += _int(volume.get("size_gb"))
    zones = len(_dicts(app.get("zones") if isinstance(app, dict) else None))
    needs.update(networks=zones, subnets=zones, routers=1 if zones else 0)
    return needs


def options_problems(flavors, reserved_cidrs, cloud_reserved_cidrs, occupied_cidrs, max_trial_days):
    """Problems of the checker's own inputs (module options), so that bad options fail as cleanly as bad manifests."""
    problems = []
    if not isinstance(flavors, dict) or not flavors:
        problems.append(Problem("flavors", "must be a non-empty mapping of flavor name to vcpus/ram_mb"))
    else:
        for name, spec in flavors.items():
            for key in ("vcpus", "ram_mb"):
                value = spec.get(key) if isinstance(spec, dict) else None
                if _json_type(value) != "integer" or value < 0:
                    problems.append(Problem("flavors[%s].%s" % (json.dumps(str(name), ensure_ascii=False), key),
                                            "must be a non-negative integer, not %s" % _show(value)))
    for option, values in (("reserved_cidrs", reserved_cidrs), ("cloud_reserved_cidrs", cloud_reserved_cidrs)):
        for index, value in enumerate(values if isinstance(values, (list, tuple)) else [values]):
            try:
                ipaddress.ip_network(str(value), strict=False)
            except ValueError as exc:
                problems.append(Problem(_item_path(option, index), "is not a CIDR (%s)" % exc))
    for index, value in enumerate(occupied_cidrs if isinstance(occupied_cidrs, (list, tuple)) else [occupied_cidrs]):
        try:
            ipaddress.ip_network(str(value["cidr"]), strict=False)
        except (TypeError, KeyError, ValueError) as exc:
            problems.append(Problem(_item_path("occupied_cidrs", index), "needs a valid 'cidr' (%s)" % exc))
    if _json_type(max_trial_days) != "integer" or max_trial_days < 1:
        problems.append(Problem("max_trial_days", "must be a positive integer, not %s" % _show(max_trial_days)))
    return problems
