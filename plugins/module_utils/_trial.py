# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""系统部署 + 系统试运行 (deployment into the trial run) as data: what the trial environment of an application
is, and which applications' trials have ended or end soon.

The convention the later stages (security assessment, promotion, expiry) rely on -- docs/trial.md:
- every server and volume of the trial carries the metadata ``govcloud_app``, ``govcloud_phase`` (``trial``;
  promotion sets ``formal``), ``govcloud_trial_start``, ``govcloud_trial_end`` (YYYY-MM-DD) and ``govcloud_zone``;
- the trial-only exposure is ONE security group per application, ``<app>-trial-exposure``: the declared
  services' ports, from the trial's test networks when the manifest names them, else from the services' own
  sources; attached to the servers behind a service; promotion detaches and deletes it;
- a floating IP only for a server behind a service in an internet-facing zone.
Pure functions (no SDK): the role reads the cloud with openstack.cloud modules and applies with them.
"""

from __future__ import annotations

import datetime

from ansible_collections.govcloud.lifecycle.plugins.module_utils import _manifest_validator, _network_plan, manifest
from ansible_collections.govcloud.lifecycle.plugins.module_utils._manifest_schema import _CIDR_SHAPE, _SLUG

META_APP = "govcloud_app"
META_PHASE = "govcloud_phase"
META_START = "govcloud_trial_start"
META_END = "govcloud_trial_end"
META_ZONE = "govcloud_zone"
PHASE_TRIAL = "trial"
PHASE_FORMAL = "formal"
# the inventory group of every application's trial hosts (playbooks/harden.yml and assess.yml default to it)
ALL_TRIAL_GROUP = "govcloud_trial"


class TrialError(Exception):
    """Input the trial environment cannot be built from; the message names the field and the reason."""


def exposure_group(application_id):
    return "%s-trial-exposure" % application_id


def volume_name(server, volume):
    """Volume names are unique per server in the manifest; the cloud needs them unique per project."""
    return "%s-%s" % (server, volume)


def metadata(application_id, zone, start, end, phase=PHASE_TRIAL):
    return {META_APP: application_id, META_PHASE: phase, META_START: start, META_END: end, META_ZONE: zone}


def _date(text, field, problems):
    if not isinstance(text, str) or not _manifest_validator._is_date(text):
        problems.append("%s: %r is not a date YYYY-MM-DD" % (field, text))
        return None
    return _manifest_validator._date(text)


def problems(application_id, servers, services=(), trial=None, path="trial_environment"):
    """What makes the input unusable, as ``field: reason`` texts (all at once, nothing changed yet).

    The manifest check (playbooks/manifest.yml) covers a whole manifest; the role takes its parts as plain
    variables, so it checks the few things it builds names and metadata from."""
    found = []
    if not isinstance(application_id, str) or not _manifest_validator._matches(_SLUG, application_id):
        found.append("%s_application_id: %r is not an application id (lower-case letters, digits, '-')" % (
            path, application_id))
    trial = trial if isinstance(trial, dict) else {}
    start = _date(trial.get("start"), "%s_trial.start" % path, found)
    end = _date(trial.get("end"), "%s_trial.end" % path, found)
    if start and end and end <= start:
        found.append("%s_trial.end: %s is not after the start %s" % (path, trial["end"], trial["start"]))
    cidr_problems = []
    cidrs = trial.get("test_cidrs") or []
    if not isinstance(cidrs, list):
        cidr_problems.append("%s_trial.test_cidrs: not a list of networks" % path)
        cidrs = []
    for cpath, net in _manifest_validator._parse_networks(cidrs, "%s_trial.test_cidrs" % path, cidr_problems):
        if net.prefixlen == 0:
            cidr_problems.append("%s: %s (anywhere) is not a test network" % (cpath, net))
    for i, value in enumerate(cidrs):
        if not isinstance(value, str) or not _manifest_validator._matches(_CIDR_SHAPE, value):
            cidr_problems.append("%s_trial.test_cidrs[%d]: %r is not a network in CIDR notation" % (path, i, value))
    found.extend(str(p) for p in cidr_problems)
    names = set()
    for i, server in enumerate(servers or []):
        spath = "%s_servers[%d]" % (path, i)
        if not isinstance(server, dict):
            found.append("%s: not a mapping" % spath)
            continue
        for key in ("name", "zone", "flavor", "image"):
            if not isinstance(server.get(key), str) or not server.get(key):
                found.append("%s.%s: missing" % (spath, key))
        if server.get("zone") not in manifest.ZONES:
            found.append("%s.zone: %r is not a zone (%s)" % (spath, server.get("zone"), ", ".join(manifest.ZONES)))
        if server.get("name") in names:
            found.append("%s.name: %r is used twice" % (spath, server.get("name")))
        names.add(server.get("name"))
        for j, volume in enumerate(server.get("volumes") or []):
            if not isinstance(volume, dict) or not volume.get("name") or not isinstance(volume.get("size_gb"), int):
                found.append("%s.volumes[%d]: needs name and size_gb" % (spath, j))
    if not servers:
        found.append("%s_servers: no server declared; a trial needs at least one" % path)
    for i, service in enumerate(services or []):
        for j, name in enumerate(service.get("servers") or []):
            if name not in names:
                found.append("%s_services[%d].servers[%d]: server %r is not declared" % (path, i, j, name))
    return found


def _check(application_id, servers, services, trial, path="trial_environment"):
    found = problems(application_id, servers, services, trial, path)
    if found:
        raise TrialError("; ".join(found))


def serving(servers, service):
    """Names of the servers behind a service: those it names, else every server of its zone."""
    if service.get("servers"):
        return list(service["servers"])
    return [s["name"] for s in servers if s.get("zone") == service.get("zone")]


def exposure_rules(services, test_cidrs=()):
    """The rules of ``<app>-trial-exposure``: each declared service's port, from the test networks if any."""
    rules = []
    for service in services:
        sources = list(test_cidrs) if test_cidrs else list(service.get("sources") or [])
        for source in sources:
            origin = "trial test network" if test_cidrs else "declared source"
            _network_plan._add(rules, _network_plan._rule("ingress", service["protocol"], service.get("port"), source,
                                                          "trial: service %s from %s %s" % (service["name"], origin, source)))
    return sorted(rules, key=_network_plan._sort_key)


def intent(application_id, servers, services=(), trial=None, exposed_zones=(manifest.INTERNET_ZONE,)):
    """The trial environment of an application: servers, volumes, exposure group, floating IPs."""
    _check(application_id, servers, services, trial)
    services = list(services or [])
    start, end = trial["start"], trial["end"]
    group = exposure_group(application_id)
    behind = set()
    exposed = set()
    for service in services:
        names = serving(servers, service)
        behind.update(names)
        if service.get("zone") in exposed_zones:
            exposed.update(names)
    planned_servers, volumes = [], []
    for server in servers:
        name, zone = server["name"], server["zone"]
        planned_servers.append({
            "name": name,
            "zone": zone,
            "flavor": server["flavor"],
            "image": server["image"],
            "network": _network_plan.names(application_id, zone),
            "security_groups": [_network_plan.names(application_id, zone)] + ([group] if name in behind else []),
            "floating_ip": name in exposed,
            "metadata": metadata(application_id, zone, start, end),
        })
        for volume in server.get("volumes") or []:
            volumes.append({
                "name": volume_name(name, volume["name"]),
                "server": name,
                "size": volume["size_gb"],
                "volume_type": volume.get("type"),
                "metadata": metadata(application_id, zone, start, end),
            })
    return {
        "application": application_id,
        "window": {"start": start, "end": end},
        "servers": planned_servers,
        "volumes": volumes,
        "exposure_group": {
            "name": group,
            "description": "%s 试运行 trial-only exposure %s..%s; removed at promotion (正式运行)" % (
                application_id, start, end),
            "rules": exposure_rules(services, trial.get("test_cidrs") or ()),
        },
        "floating_ips": sorted(exposed),
        "test_cidrs": list(trial.get("test_cidrs") or []),
    }


def _addresses(server):
    """(fixed, floating) IPv4 addresses of a server as openstack.cloud.server_info returns it."""
    fixed, floating = [], []
    for addresses in (server.get("addresses") or {}).values():
        for entry in addresses:
            kind = entry.get("OS-EXT-IPS:type") or entry.get("type")
            (floating if kind == "floating" else fixed).append(entry.get("addr"))
    return fixed, floating


def state(intent_, servers, volumes, ports=None, floating_ips=None):
    """What of the intent exists: servers and volumes (by name) with metadata, attachments, addresses.

    With ``ports`` and ``floating_ips`` (neutron's lists) the floating IPs come from neutron: nova's copy of a
    server's addresses is refreshed by events the fake driver may never see."""
    wanted_servers = set(s["name"] for s in intent_["servers"])
    wanted_volumes = set(v["name"] for v in intent_["volumes"])
    port_server = dict((p.get("id"), p.get("device_id")) for p in ports or [])
    have_servers = {}
    for server in servers or []:
        if server.get("name") in wanted_servers:
            fixed, floating = _addresses(server)
            if ports is not None:
                floating = sorted(ip.get("floating_ip_address") for ip in floating_ips or []
                                  if port_server.get(ip.get("port_id")) == server.get("id"))
            have_servers[server["name"]] = {
                "id": server.get("id"), "status": server.get("status"), "metadata": dict(server.get("metadata") or {}),
                "fixed": fixed, "floating": floating,
                "ports": sorted(pid for pid, dev in port_server.items() if dev == server.get("id")),
            }
    have_volumes = {}
    for volume in volumes or []:
        if volume.get("name") in wanted_volumes:
            have_volumes[volume["name"]] = {
                "id": volume.get("id"), "status": volume.get("status"), "metadata": dict(volume.get("metadata") or {}),
                "attached_to": sorted(a.get("server_id") for a in volume.get("attachments") or []),
            }
    return {"servers": have_servers, "volumes": have_volumes}


def diff(intent_, state_):
    """Before and after as the operator reads them (check mode, diff): the trial's servers and volumes."""
    def server_doc(name, meta, fip):
        return {"metadata": meta, "floating_ip": fip}
    before, after = {"servers": {}, "volumes": {}}, {"servers": {}, "volumes": {}}
    for server in intent_["servers"]:
        have = state_["servers"].get(server["name"])
        if have is not None:
            before["servers"][server["name"]] = server_doc(server["name"], have["metadata"], bool(have["floating"]))
        after["servers"][server["name"]] = server_doc(
            server["name"], dict((have or {}).get("metadata") or {}, **server["metadata"]),
            server["floating_ip"] or bool((have or {}).get("floating")))
    ids = dict((n, s["id"]) for n, s in state_["servers"].items())
    for volume in intent_["volumes"]:
        have = state_["volumes"].get(volume["name"])
        if have is not None:
            before["volumes"][volume["name"]] = {"metadata": have["metadata"],
                                                 "attached": ids.get(volume["server"]) in have["attached_to"]}
        after["volumes"][volume["name"]] = {
            "metadata": dict((have or {}).get("metadata") or {}, **volume["metadata"]), "attached": True}
    return {"before": before, "after": after, "changed": before != after}


BASTION_KEYS = ("host", "user", "port", "known_hosts_file", "identity_file", "address")


def bastion_problems(bastion, path="trial_environment_bastion"):
    """Field-named problems of a bastion (堡垒机) description; [] for none given (direct connections)."""
    if not bastion:
        return []
    if not isinstance(bastion, dict):
        return ["%s: must be a mapping (host, user, known_hosts_file, ...), got %r" % (path, bastion)]
    out = ["%s.%s: unknown key (known: %s)" % (path, k, ", ".join(BASTION_KEYS)) for k in bastion
           if k not in BASTION_KEYS]
    for key in ("host", "user", "known_hosts_file"):
        value = bastion.get(key)
        if not isinstance(value, str) or not value.strip():
            out.append("%s.%s: required, a non-empty string%s" % (
                path, key, " (host keys are pinned: no connection without one)" if key == "known_hosts_file" else ""))
        elif any(c.isspace() or c in "'\"" for c in value):
            out.append("%s.%s: %r contains a blank or quote" % (path, key, value))
    port = bastion.get("port", 22)
    if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
        out.append("%s.port: %r is not a TCP port" % (path, port))
    if bastion.get("address", "fixed") not in ("fixed", "floating"):
        out.append("%s.address: %r is not fixed or floating (which guest address the bastion reaches)" % (
            path, bastion.get("address")))
    ident = bastion.get("identity_file")
    if ident is not None and (not isinstance(ident, str) or not ident or any(c.isspace() for c in ident)):
        out.append("%s.identity_file: %r is not a path without blanks" % (path, ident))
    return out


def bastion_connection(bastion):
    """Connection variables of a host reached through the bastion: one ssh hop to the bastion (ProxyCommand,
    so the hop checks host keys against the same pinned file; ProxyJump would not pass -o options on to it),
    strict host-key checking on both hops, and ssh_args replaced so a project-wide ``ssh_args`` that switches
    host-key checking off cannot come first (ssh takes the first value of an option)."""
    problems_ = bastion_problems(bastion)
    if problems_:
        raise TrialError("; ".join(problems_))
    pin = "-o StrictHostKeyChecking=yes -o UserKnownHostsFile=%s" % bastion["known_hosts_file"]
    ident = " -i %s -o IdentitiesOnly=yes" % bastion["identity_file"] if bastion.get("identity_file") else ""
    hop = "ssh -W %%h:%%p -p %d %s%s -o BatchMode=yes %s@%s" % (
        bastion.get("port", 22), pin, ident, bastion["user"], bastion["host"])
    return {"ansible_ssh_args": "-o ControlMaster=auto -o ControlPersist=60s",
            "ansible_ssh_common_args": "%s -o ProxyCommand='%s'" % (pin, hop),
            "ansible_host_key_checking": True,
            "govcloud_bastion_via": "%s@%s:%d" % (bastion["user"], bastion["host"], bastion.get("port", 22))}


def inventory(intent_, state_, host_map=None, group=None, bastion=None):
    """The trial hosts for the next stages, as an Ansible YAML inventory (dict).

    ``host_map`` (server name -> inventory host) is where test hosts stand in for servers the fake compute
    driver never boots: a mapped server is listed under the mapped name, without an address of its own (the
    inventory that defines that host supplies its connection).  ``bastion`` (堡垒机: host, user,
    known_hosts_file, optional port, identity_file, address) makes every unmapped server reachable only
    through it: its fixed address (the bastion sits in the management zone) or, with address=floating, its
    floating one; the connection variables go on each such host, not on hosts standing in (docs/bastion.md)."""
    host_map = host_map or {}
    group = group or trial_group(intent_["application"])
    via = bastion_connection(bastion) if bastion else {}
    hosts = {}
    for server in intent_["servers"]:
        have = state_["servers"].get(server["name"], {})
        entry = {"govcloud_server": server["name"], "govcloud_zone": server["zone"],
                 "govcloud_server_id": have.get("id")}
        if bastion and bastion.get("address", "fixed") == "fixed":
            address = (have.get("fixed") or [None])[0]
        else:
            address = (have.get("floating") or have.get("fixed") or [None])[0]
        if server["name"] in host_map:
            hosts[host_map[server["name"]]] = entry
        else:
            if address:
                entry["ansible_host"] = address
            if have.get("floating"):
                # what the control node, outside the cloud, reaches: the assessment probes it (playbooks/assess.yml)
                entry["govcloud_floating_ip"] = have["floating"][0]
            entry.update(via)
            hosts[server["name"]] = entry
    # govcloud_trial: the group the next stages' playbooks (harden, assess) take by default, in a later run too
    return {"all": {"children": {group: {"hosts": hosts, "vars": {
        "govcloud_app": intent_["application"], "govcloud_phase": PHASE_TRIAL,
        "govcloud_trial_start": intent_["window"]["start"], "govcloud_trial_end": intent_["window"]["end"]}},
        ALL_TRIAL_GROUP: {"children": {group: {}}}}}}


def trial_group(application_id):
    """Inventory group of an application's trial hosts (Ansible group names take no '-')."""
    return "trial_%s" % application_id.replace("-", "_")


def _today(today):
    if today is None:
        return datetime.datetime.now(datetime.timezone.utc).date()
    if isinstance(today, datetime.date):
        return today
    if not _manifest_validator._is_date(str(today)):
        raise TrialError("trial_expiry_today: %r is not a date YYYY-MM-DD" % (today,))
    return _manifest_validator._date(str(today))


def expiry(servers, today=None, within_days=14, applications=None):
    """Applications still in trial (server metadata), split by their window as of ``today`` (UTC date).

    ``applications``: only these application ids (empty or None: every application found).  ``report`` is the
    one-line summary an operator reads.

    An application whose servers disagree on the end date counts with the latest one (the kinder reading; the
    disagreement is reported).  ``expired``: the end date has passed (the last trial day is the end date
    itself); ``ending``: ends within ``within_days`` days; ``running``: the rest."""
    if isinstance(within_days, bool) or not isinstance(within_days, int) or within_days < 0:
        raise TrialError("trial_expiry_within_days: %r is not a whole number of days >= 0" % (within_days,))
    day = _today(today)
    apps, notes = {}, []
    for server in servers or []:
        meta = server.get("metadata") or {}
        app = meta.get(META_APP)
        if not app or meta.get(META_PHASE) != PHASE_TRIAL or (applications and app not in applications):
            continue
        end = meta.get(META_END)
        if not _manifest_validator._is_date(str(end)):
            notes.append("server %s (%s) of %s: metadata %s=%r is not a date" % (
                server.get("name"), server.get("id"), app, META_END, end))
            continue
        entry = apps.setdefault(app, {"application": app, "project_id": server.get("project_id"), "ends": set(),
                                      "starts": set(), "servers": []})
        entry["ends"].add(str(end))
        entry["starts"].add(str(meta.get(META_START, "")))
        entry["servers"].append({"id": server.get("id"), "name": server.get("name"), "status": server.get("status")})
    result = {"today": day.isoformat(), "within_days": within_days, "expired": [], "ending": [], "running": [],
              "notes": notes}
    for app in sorted(apps):
        entry = apps[app]
        end = max(entry["ends"])
        if len(entry["ends"]) > 1:
            notes.append("%s: servers disagree on %s (%s); counting %s" % (
                app, META_END, ", ".join(sorted(entry["ends"])), end))
        days_left = (_manifest_validator._date(end) - day).days
        row = {
            "application": app, "project_id": entry["project_id"], "trial_end": end,
            "trial_start": min(entry["starts"]) if entry["starts"] else "",
            "days_left": days_left,
            "servers": sorted(entry["servers"], key=lambda s: s["name"] or ""),
            "active_server_ids": sorted(s["id"] for s in entry["servers"] if s["status"] == "ACTIVE"),
        }
        if days_left < 0:
            result["expired"].append(row)
        elif days_left <= within_days:
            result["ending"].append(row)
        else:
            result["running"].append(row)
    result["report"] = "as of %s: ended without promotion: %s; ending within %d days: %s%s" % (
        result["today"], ", ".join(r["application"] for r in result["expired"]) or "none", within_days,
        ", ".join("%s on %s" % (r["application"], r["trial_end"]) for r in result["ending"]) or "none",
        ("; notes: " + "; ".join(notes)) if notes else "")
    return result
