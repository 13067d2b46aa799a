# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Network segmentation (网络配置) as data: the intended zone model, the plan against the cloud, the readback.

The role ``network_segmentation`` reads the cloud with a few list calls, hands the lists to ``plan()`` and
applies only what the plan names with openstack.cloud modules; after applying it reads the cloud again and
``readback()`` compares the effective security group rules, subnets and router with the intent.  Keeping the
comparison here (pure functions, no SDK) makes it unit-testable and lets an idempotent re-run cost a handful
of list calls instead of one module run per resource.

The CIDR rules (zone overlap, reserved ranges, other applications' subnets) are the manifest's own
(``manifest.semantic_problems``); this module only feeds them the cloud's occupied subnets.
"""

from __future__ import annotations

import ipaddress

from ansible_collections.govcloud.lifecycle.plugins.module_utils import manifest

# Our default: SSH is the management protocol the bastion uses; operators add others (e.g. 3389).
DEFAULT_MANAGEMENT_PORTS = (22,)
RULE_KEYS = ("direction", "ether_type", "protocol", "port_range_min", "port_range_max", "remote_ip_prefix")


class PlanError(Exception):
    """The intent cannot be applied; the message names the input field or the cloud object and the reason."""


def names(application_id, zone):
    """Network, subnet and security group of a zone share one name: ``<application>-<zone>``."""
    return "%s-%s" % (application_id, zone)


def router_name(application_id):
    return "%s-router" % application_id


def _ether(cidr):
    return "IPv6" if ipaddress.ip_network(cidr, strict=False).version == 6 else "IPv4"


def _rule(direction, protocol, port, remote, description):
    return {
        "direction": direction,
        "ether_type": _ether(remote),
        "protocol": protocol,
        "port_range_min": port if protocol in ("tcp", "udp") else None,
        "port_range_max": port if protocol in ("tcp", "udp") else None,
        "remote_ip_prefix": str(ipaddress.ip_network(remote, strict=False)),
        "description": description,
    }


def rule_key(rule):
    """The identity of a rule for comparison: what the packet filter does, not its description."""
    return tuple(rule.get(k) for k in RULE_KEYS)


def _add(rules, rule):
    # The first declaration names the rule; neutron refuses two identical rules in one group.
    if all(rule_key(r) != rule_key(rule) for r in rules):
        rules.append(rule)


def intent(application_id, zones, services=(), flows=(), bastion_cidrs=(), management_ports=DEFAULT_MANAGEMENT_PORTS,
           exposed_zones=(manifest.INTERNET_ZONE,), services_open=True):
    """The intended networks, subnets, router and security groups (default deny + allow matrix).

    services_open=False leaves the services' ingress out of the zone groups (an application in its trial run:
    the trial-only exposure group is then the services' only opening, _trial.exposure_rules); the services
    still decide the router's gateway, which the trial's floating IPs need.
    """
    cidr = dict((z["name"], z["cidr"]) for z in zones)
    groups = []
    for zone in zones:
        zname = zone["name"]
        rules = []
        for service in services:
            if service["zone"] != zname or not services_open:
                continue
            for source in service["sources"]:
                _add(rules, _rule("ingress", service["protocol"], service.get("port"), source,
                                  "service %s from %s" % (service["name"], source)))
        for flow in flows:
            if flow["to"] == zname:
                _add(rules, _rule("ingress", flow["protocol"], flow.get("port"), cidr[flow["from"]],
                                  "flow %s->%s" % (flow["from"], zname)))
            if flow["from"] == zname:
                _add(rules, _rule("egress", flow["protocol"], flow.get("port"), cidr[flow["to"]],
                                  "flow %s->%s" % (zname, flow["to"])))
        for bastion in bastion_cidrs:
            for port in management_ports:
                _add(rules, _rule("ingress", "tcp", int(port), bastion, "management from bastion %s" % bastion))
        zh, en = manifest.ZONE_TERMS.get(zname, (zname, zname))
        groups.append({
            "name": names(application_id, zname),
            "zone": zname,
            "description": "%s %s / %s: default deny, allow matrix of the manifest" % (application_id, zh, en),
            "rules": sorted(rules, key=_sort_key),
        })
    exposed = any(s["zone"] in exposed_zones for s in services)
    return {
        "networks": [{"name": names(application_id, z["name"]), "zone": z["name"]} for z in zones],
        "subnets": [{"name": names(application_id, z["name"]), "network": names(application_id, z["name"]),
                     "cidr": str(ipaddress.ip_network(z["cidr"])), "zone": z["name"],
                     "ip_version": str(ipaddress.ip_network(z["cidr"]).version)} for z in zones],
        "router": {"name": router_name(application_id), "external": exposed,
                   "interfaces": [names(application_id, z["name"]) for z in zones]},
        "security_groups": groups,
    }


def _sort_key(rule):
    return tuple("" if v is None else str(v) for v in rule_key(rule))


def cidr_problems(zones, bastion_cidrs=(), services=(), reserved_cidrs=manifest.DEFAULT_RESERVED_CIDRS,
                  cloud_reserved_cidrs=(), occupied_cidrs=(), path="network_segmentation"):
    """Problems of the CIDR plan as ``field: reason`` texts, checked by the manifest's own rules."""
    partial = {
        "zones": zones,
        "bastion_cidrs": list(bastion_cidrs),
        # Server names belong to other stages; without them the manifest check would report every one.
        "services": [dict((k, v) for k, v in s.items() if k != "servers") for s in services],
    }
    problems = manifest.semantic_problems(partial, reserved_cidrs=reserved_cidrs,
                                          cloud_reserved_cidrs=cloud_reserved_cidrs,
                                          occupied_cidrs=occupied_cidrs, path=path)
    return [str(p) for p in problems]


def occupied(subnets, projects, project_id):
    """Subnets of other projects as ``{cidr, owner}`` (owner: the project's name) for ``cidr_problems``."""
    names_by_id = dict((p.get("id"), p.get("name")) for p in projects or ())
    found = []
    for subnet in subnets:
        if subnet.get("project_id") == project_id or not subnet.get("cidr"):
            continue
        owner = names_by_id.get(subnet.get("project_id")) or subnet.get("project_id") or "another project"
        found.append({"cidr": subnet["cidr"], "owner": "project %s (subnet %s)" % (owner, subnet.get("name") or subnet.get("id"))})
    return found


def _actual_rule(rule):
    return {
        "direction": rule.get("direction"),
        "ether_type": rule.get("ethertype") or rule.get("ether_type"),
        "protocol": rule.get("protocol"),
        "port_range_min": rule.get("port_range_min"),
        "port_range_max": rule.get("port_range_max"),
        "remote_ip_prefix": rule.get("remote_ip_prefix"),
        "remote_group_id": rule.get("remote_group_id"),
        "description": rule.get("description") or "",
    }


def _by_name(items, project_id, what):
    found = {}
    for item in items:
        if project_id is not None and item.get("project_id") != project_id:
            continue
        name = item.get("name")
        if name in found:
            raise PlanError("%s name %s is used twice in project %s; names must be unique per project" % (what, name, project_id))
        found[name] = item
    return found


def state(project_id, networks=(), subnets=(), routers=(), ports=(), security_groups=(), external_network=None):
    """The project's current network objects, keyed by name, in the shape ``plan`` and ``readback`` compare."""
    nets = _by_name(networks, project_id, "network") if project_id else {}
    net_names = dict((n["id"], n["name"]) for n in nets.values())
    subs = _by_name(subnets, project_id, "subnet") if project_id else {}
    sub_names = dict((s["id"], s["name"]) for s in subs.values())
    routs = _by_name(routers, project_id, "router") if project_id else {}
    ext_ids = dict((n["id"], n["name"]) for n in networks if n.get("is_router_external"))
    router_state = {}
    for name, router in routs.items():
        gateway = router.get("external_gateway_info") or {}
        interfaces = []
        for port in ports:
            if port.get("device_id") != router["id"] or port.get("device_owner") != "network:router_interface":
                continue
            for ip in port.get("fixed_ips") or ():
                if ip.get("subnet_id") in sub_names:
                    interfaces.append(sub_names[ip["subnet_id"]])
                else:
                    interfaces.append(ip.get("subnet_id"))
        router_state[name] = {
            "id": router["id"],
            "external_network": ext_ids.get(gateway.get("network_id"), gateway.get("network_id")),
            "interfaces": sorted(interfaces),
        }
    groups = {}
    for name, group in (_by_name(security_groups, project_id, "security group") if project_id else {}).items():
        groups[name] = {
            "id": group["id"],
            "description": group.get("description") or "",
            "rules": sorted((_actual_rule(r) for r in group.get("security_group_rules") or ()), key=_sort_key),
        }
    return {
        "project_id": project_id,
        "networks": dict((n, {"id": v["id"]}) for n, v in nets.items()),
        "subnets": dict((n, {"id": v["id"], "cidr": v.get("cidr"), "network": net_names.get(v.get("network_id"))})
                        for n, v in subs.items()),
        "routers": router_state,
        "security_groups": groups,
        "external_network": external_network,
    }


def _rule_diff(intended, actual):
    want = dict((rule_key(r), r) for r in intended)
    have = {}
    for rule in actual:
        have.setdefault(rule_key(rule) if not rule.get("remote_group_id") else ("remote_group", rule["remote_group_id"]) + rule_key(rule), rule)
    missing = [want[k] for k in want if k not in have]
    unexpected = [have[k] for k in have if k not in want]
    # A rule that filters right but carries another description is still a change (the module recreates it).
    renamed = [want[k] for k in want if k in have and have[k]["description"] != want[k]["description"]]
    return missing, unexpected, renamed


def plan(wanted, current, default_group_rules=None):
    """What to create or change so that ``current`` (from ``state``) becomes ``wanted`` (from ``intent``).

    ``default_group_rules`` is the intended rule list of the project's ``default`` group (``[]`` to lock it
    down) or None to leave it alone.  Raises PlanError for what cannot be changed in place.
    """
    changes = {"networks": [], "subnets": [], "router": [], "security_groups": []}
    for net in wanted["networks"]:
        if net["name"] not in current["networks"]:
            changes["networks"].append({"name": net["name"], "action": "create"})
    for sub in wanted["subnets"]:
        have = current["subnets"].get(sub["name"])
        if have is None:
            changes["subnets"].append(dict(sub, action="create"))
        elif have["cidr"] != sub["cidr"]:
            raise PlanError("subnet %s exists with CIDR %s but the zone %s now asks for %s; a subnet's CIDR cannot "
                            "change in place (move the servers and remove the subnet first)" % (
                                sub["name"], have["cidr"], sub["zone"], sub["cidr"]))
        elif have["network"] != sub["network"]:
            raise PlanError("subnet %s belongs to network %s, not %s" % (sub["name"], have["network"], sub["network"]))
    router = wanted["router"]
    have = current["routers"].get(router["name"])
    want_external = current.get("external_network") if router["external"] else None
    if router["external"] and not want_external:
        raise PlanError("the manifest exposes services to the internet, but the cloud has no external network "
                        "to give the router %s a gateway (network_segmentation_external_network)" % router["name"])
    if have is None:
        changes["router"].append({"name": router["name"], "action": "create", "external": want_external,
                                  "interfaces": router["interfaces"]})
    else:
        reasons = []
        if have["external_network"] != want_external:
            reasons.append("gateway %s -> %s" % (have["external_network"], want_external))
        if sorted(set(have["interfaces"])) != sorted(router["interfaces"]):
            reasons.append("interfaces %s -> %s" % (have["interfaces"], router["interfaces"]))
        if reasons:
            changes["router"].append({"name": router["name"], "action": "update", "external": want_external,
                                      "interfaces": router["interfaces"], "reasons": reasons})
    groups = list(wanted["security_groups"])
    if default_group_rules is not None:
        groups.append({"name": "default", "zone": None, "description": None, "rules": list(default_group_rules)})
    for group in groups:
        have = current["security_groups"].get(group["name"])
        if have is None:
            # neutron makes the project's default group along with its first group, which the zone groups
            # before it in this list are; the module then finds it by name and empties it.
            changes["security_groups"].append(dict(group, action="create"))
            continue
        missing, unexpected, renamed = _rule_diff(group["rules"], have["rules"])
        described = group["description"] is not None and have["description"] != group["description"]
        if missing or unexpected or renamed or described:
            changes["security_groups"].append(dict(group, action="update", add=missing + renamed,
                                                   remove=unexpected))
    changes["changed"] = any(changes[k] for k in ("networks", "subnets", "router", "security_groups"))
    return changes


def _rule_texts(rules):
    return ["%s %s %s %s%s %s" % (r["direction"], r["ether_type"], r["protocol"] or "any",
                                  "" if r["port_range_min"] is None else "%s-%s " % (r["port_range_min"], r["port_range_max"]),
                                  r["remote_ip_prefix"] or ("group:%s" % r.get("remote_group_id")), r["description"])
            for r in rules]


def diff(wanted, current, default_group_rules=None):
    """Before/after documents of the application's network (for diff output and evidence)."""
    groups = list(wanted["security_groups"])
    if default_group_rules is not None:
        groups.append({"name": "default", "rules": list(default_group_rules)})
    router = wanted["router"]
    before = {
        "subnets": dict((s["name"], current["subnets"][s["name"]]["cidr"]) for s in wanted["subnets"]
                        if s["name"] in current["subnets"]),
        "router": None,
        "security_groups": dict((g["name"], _rule_texts(current["security_groups"][g["name"]]["rules"])) for g in groups
                                if g["name"] in current["security_groups"]),
    }
    if router["name"] in current["routers"]:
        have = current["routers"][router["name"]]
        before["router"] = {"gateway": have["external_network"], "interfaces": have["interfaces"]}
    after = {
        "subnets": dict((s["name"], s["cidr"]) for s in wanted["subnets"]),
        "router": {"gateway": current.get("external_network") if router["external"] else None,
                   "interfaces": sorted(router["interfaces"])},
        "security_groups": dict((g["name"], _rule_texts(g["rules"])) for g in groups),
    }
    return {"before": before, "after": after}


def readback(wanted, current, default_group_rules=None):
    """Compare the effective configuration read from the API with the intent.

    Returns ``{"ok": bool, "checked": {...counts}, "differences": [text, ...], "matrix": {group: [rule text]}}``;
    the differences name the object and what differs, so the ledger record is the diff.
    """
    differences = []
    try:
        pending = plan(wanted, current, default_group_rules)
    except PlanError as exc:
        return {"ok": False, "checked": {}, "differences": [str(exc)], "matrix": {}}
    for net in pending["networks"]:
        differences.append("network %s: missing" % net["name"])
    for sub in pending["subnets"]:
        differences.append("subnet %s (%s): missing" % (sub["name"], sub["cidr"]))
    for router in pending["router"]:
        differences.append("router %s: %s" % (router["name"], "; ".join(router.get("reasons") or ["missing"])))
    for group in pending["security_groups"]:
        if group["action"] == "create":
            differences.append("security group %s: missing" % group["name"])
            continue
        for rule in group.get("add") or ():
            differences.append("security group %s: rule missing: %s" % (group["name"], _rule_texts([rule])[0]))
        for rule in group.get("remove") or ():
            differences.append("security group %s: rule not in the matrix: %s" % (group["name"], _rule_texts([rule])[0]))
        if group.get("description") is not None and not (group.get("add") or group.get("remove")):
            differences.append("security group %s: description differs" % group["name"])
    groups = list(wanted["security_groups"])
    if default_group_rules is not None and "default" in current["security_groups"]:
        groups.append({"name": "default", "rules": list(default_group_rules)})
    matrix = dict((g["name"], _rule_texts(current["security_groups"][g["name"]]["rules"])) for g in groups
                  if g["name"] in current["security_groups"])
    return {
        "ok": not differences,
        "checked": {
            "networks": len(wanted["networks"]),
            "subnets": len(wanted["subnets"]),
            "routers": 1,
            "security_groups": len(groups),
            "rules": sum(len(g["rules"]) for g in groups),
        },
        "differences": differences,
        "matrix": matrix,
    }


def records(changes, done, project_id=""):
    """Evidence records (summary, targets, details) for the applied part of a plan; ``done`` maps networks,
    subnets, router and security_groups to whether their task changed anything."""
    scope = [project_id] if project_id else []
    found = []
    if done.get("networks"):
        found.extend({"summary": "network %s created" % n["name"], "targets": scope + [n["name"]], "details": {}}
                     for n in changes["networks"])
    if done.get("subnets"):
        found.extend({"summary": "subnet %s created with %s (zone %s)" % (s["name"], s["cidr"], s["zone"]),
                      "targets": scope + [s["name"]], "details": {"cidr": s["cidr"], "zone": s["zone"]}}
                     for s in changes["subnets"])
    if done.get("router"):
        for router in changes["router"]:
            found.append({
                "summary": "router %s %s, external gateway %s" % (
                    router["name"], "created" if router["action"] == "create" else "updated",
                    router["external"] or "none"),
                "targets": scope + [router["name"]],
                "details": {"interfaces": router["interfaces"], "gateway": router["external"],
                            "reasons": router.get("reasons", [])},
            })
    if done.get("security_groups"):
        for group in changes["security_groups"]:
            details = {"rules": _rule_texts(group["rules"])}
            if group["action"] == "update":
                details.update(added=_rule_texts(group.get("add") or []), removed=_rule_texts(group.get("remove") or []))
            found.append({"summary": "security group %s %s with %d rules (default deny)" % (
                group["name"], "created" if group["action"] == "create" else "updated", len(group["rules"])),
                "targets": scope + [group["name"]], "details": details})
    return found
