# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The example manifest and the ways to break it, shared by the manifest tests.

Each mutation takes a deep copy of the valid example and a random.Random, breaks exactly one rule and returns
(manifest, path): the field path the rejection must name.
"""

from __future__ import annotations

import copy
import functools
import ipaddress
import itertools
import pathlib
import sys

import yaml

REPO = pathlib.Path(__file__).resolve().parents[4]
try:
    from ansible_collections.govcloud.lifecycle.plugins.module_utils import _manifest_validator as V
    from ansible_collections.govcloud.lifecycle.plugins.module_utils import manifest as M
except ImportError:  # plain pytest from the checkout: the collection is linked by `make collection`
    sys.path.insert(0, str(REPO / ".work" / "collections"))
    from ansible_collections.govcloud.lifecycle.plugins.module_utils import _manifest_validator as V
    from ansible_collections.govcloud.lifecycle.plugins.module_utils import manifest as M

EXAMPLE_VARS = REPO / "inventories" / "example" / "group_vars" / "all"


@functools.lru_cache(maxsize=None)
def _load(name):
    return yaml.safe_load((EXAMPLE_VARS / name).read_text(encoding="utf-8"))


def example():
    """The example application (the `application` variable) as plain data, a fresh copy each time."""
    return copy.deepcopy(_load("application.yml")["application"])


def cloud_vars():
    return copy.deepcopy(_load("cloud.yml"))


def check_kwargs():
    cloud = cloud_vars()
    return dict(flavors=cloud["govcloud_flavors"], cloud_reserved_cidrs=cloud["govcloud_cloud_reserved_cidrs"],
                max_trial_days=cloud["govcloud_max_trial_days"])


def _nodes(value, path, schema):
    """(path, value, schema, parent, key) of every node under value, with its resolved sub-schema."""
    schema = V._resolve(schema)
    yield path, value, schema
    if isinstance(value, dict):
        for key, item in value.items():
            if key in schema.get("properties", {}):
                yield from _nodes(item, V._key_path(path, key), schema["properties"][key])
    elif isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            yield from _nodes(item, V._item_path(path, index), schema["items"])


def _locate(app, path):
    """The parent container and key of a node path like application.zones[2].cidr."""
    import re
    parts = re.findall(r"\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]", path[len(M.ROOT):])
    node, parent, key = app, None, None
    for name, index in parts:
        parent, key = node, (name if name else int(index))
        node = node[key]
    return parent, key


def _other_type(value, rnd):
    choices = [None, "text", 2.5, [], {}, True, 7, ["x"], {"k": 1}]
    return rnd.choice([c for c in choices if V._json_type(c) != V._json_type(value)])


def wrong_type(app, rnd):
    nodes = [(p, v) for p, v, s in _nodes(app, M.ROOT, M.SCHEMA["properties"][M.ROOT]) if "type" in s]
    path, value = rnd.choice(nodes)
    if path == M.ROOT:
        return _other_type(value, rnd), path
    parent, key = _locate(app, path)
    parent[key] = _other_type(value, rnd)
    return app, path


def drop_required(app, rnd):
    found = []
    for path, value, schema in _nodes(app, M.ROOT, M.SCHEMA["properties"][M.ROOT]):
        if isinstance(value, dict):
            found += [(path, value, key) for key in schema.get("required", ()) if key in value]
    path, value, key = rnd.choice(found)
    del value[key]
    return app, V._key_path(path, key)


def unknown_field(app, rnd):
    objects = [(p, v) for p, v, s in _nodes(app, M.ROOT, M.SCHEMA["properties"][M.ROOT]) if isinstance(v, dict)]
    path, value = rnd.choice(objects)
    key = rnd.choice(["colour", "Zone", "server", "x_extra", "备注"])
    value[key] = "?"
    return app, V._key_path(path, key)


def _cidr_fields(app):
    fields = [("bastion_cidrs", i) for i in range(len(app["bastion_cidrs"]))]
    fields += [("zones", i) for i in range(len(app["zones"]))]
    fields += [("services", i, j) for i, s in enumerate(app["services"]) for j in range(len(s["sources"]))]
    return fields


def _set_cidr(app, field, value):
    if field[0] == "bastion_cidrs":
        app["bastion_cidrs"][field[1]] = value
        return "application.bastion_cidrs[%d]" % field[1]
    if field[0] == "zones":
        app["zones"][field[1]]["cidr"] = value
        return "application.zones[%d].cidr" % field[1]
    app["services"][field[1]]["sources"][field[2]] = value
    return "application.services[%d].sources[%d]" % (field[1], field[2])


BAD_CIDRS = ["10.36.10.1/24", "10.0.0.0/33", "256.1.0.0/16", "10.0.0/24", "abc", "10.0.0.0/-1", "",
             "10.0.0.0//24", "2001:db8::1/32", "2001:zz8::/32", "1.2.3.4.5/32", "10.36.10.0/24 "]


def bad_cidr(app, rnd):
    return app, _set_cidr(app, rnd.choice(_cidr_fields(app)), rnd.choice(BAD_CIDRS))


def overlap_zones(app, rnd):
    i, j = sorted(rnd.sample(range(len(app["zones"])), 2))
    base = ipaddress.ip_network(app["zones"][i]["cidr"])
    candidates = list(base.subnets(new_prefix=min(base.prefixlen + rnd.randint(0, 4), 30))) + [base.supernet(rnd.randint(1, 8))]
    app["zones"][j]["cidr"] = str(rnd.choice(candidates))
    return app, "application.zones[%d].cidr" % j


def reserved_zone(app, rnd):
    i = rnd.randrange(len(app["zones"]))
    reserved = list(M.DEFAULT_RESERVED_CIDRS[:5]) + check_kwargs()["cloud_reserved_cidrs"]
    net = ipaddress.ip_network(rnd.choice(reserved))
    first = list(itertools.islice(net.subnets(new_prefix=max(net.prefixlen, 24)), 16))
    app["zones"][i]["cidr"] = str(rnd.choice(first))
    return app, "application.zones[%d].cidr" % i


def _zone_refs(app):
    refs = [("servers", i, "zone") for i in range(len(app["servers"]))]
    refs += [("services", i, "zone") for i in range(len(app["services"]))]
    refs += [("flows", i, k) for i in range(len(app["flows"])) for k in ("from", "to")]
    return refs


def unknown_zone(app, rnd):
    kind, i, key = rnd.choice(_zone_refs(app))
    app[kind][i][key] = rnd.choice(["dmz", "Internet", "data-zone", "", "外网"])
    return app, "application.%s[%d].%s" % (kind, i, key)


def undeclared_zone(app, rnd):
    kind, i, key = rnd.choice(_zone_refs(app))
    app["zones"] = [z for z in app["zones"] if z["name"] != app[kind][i][key]]
    return app, "application.%s[%d].%s" % (kind, i, key)


def _port_entries(app):
    return [("services", i) for i in range(len(app["services"]))] + [("flows", i) for i in range(len(app["flows"]))]


def bad_port(app, rnd):
    kind, i = rnd.choice(_port_entries(app))
    app[kind][i]["protocol"] = "tcp"
    app[kind][i]["port"] = rnd.choice([0, -1, 65536, 70000, "80", 80.5, True, None])
    return app, "application.%s[%d].port" % (kind, i)


def port_protocol_mismatch(app, rnd):
    kind, i = rnd.choice(_port_entries(app))
    if rnd.random() < 0.5:
        app[kind][i]["protocol"] = "icmp"
        app[kind][i]["port"] = 8
    else:
        app[kind][i]["protocol"] = rnd.choice(["tcp", "udp"])
        app[kind][i].pop("port", None)
    return app, "application.%s[%d].port" % (kind, i)


def bad_protocol(app, rnd):
    kind, i = rnd.choice(_port_entries(app))
    app[kind][i]["protocol"] = rnd.choice(["http", "TCP", "", "sctp", "any", 6])
    return app, "application.%s[%d].protocol" % (kind, i)


def bad_level(app, rnd):
    app["mlps"]["level"] = rnd.choice([0, 5, -1, 10, "3", 3.5, True, None, [3]])
    return app, "application.mlps.level"


def bad_trial(app, rnd):
    start = "2026-12-01"
    app["trial"]["start"] = start
    app["trial"]["end"] = rnd.choice(["2026-12-01", "2026-11-30", "2025-01-01", "2027-03-02", "2027-12-01"])
    return app, "application.trial.end"


def bad_date(app, rnd):
    value = rnd.choice(["2026-13-01", "2026-02-30", "12/03/2026", "2026-3-12", "20260312", "yesterday", ""])
    where = rnd.choice(["trial.start", "trial.end", "mlps.grading.date", "approvals[0].date"])
    parent, key = _locate(app, "application." + where)
    parent[key] = value
    return app, "application." + where


def future_grading(app, rnd):
    app["mlps"]["grading"]["date"] = "%d-01-01" % rnd.randint(2100, 2999)
    return app, "application.mlps.grading.date"


def duplicate_server(app, rnd):
    i, j = sorted(rnd.sample(range(len(app["servers"])), 2))
    app["servers"][j]["name"] = app["servers"][i]["name"]
    return app, "application.servers[%d].name" % j


def duplicate_volume(app, rnd):
    i = [k for k, s in enumerate(app["servers"]) if s.get("volumes")][0]
    volumes = app["servers"][i]["volumes"]
    volumes.append(dict(volumes[0], size_gb=1))
    return app, "application.servers[%d].volumes[%d].name" % (i, len(volumes) - 1)


def quota_short(app, rnd):
    needs = M.resource_needs(app, check_kwargs()["flavors"])
    key = rnd.choice(sorted(k for k, v in needs.items() if v > 0))
    app["quotas"][key] = rnd.randint(0, needs[key] - 1)
    return app, "application.quotas.%s" % key


def open_source(app, rnd):
    i = [k for k, s in enumerate(app["services"]) if s["zone"] != M.INTERNET_ZONE][0]
    app["services"][i]["sources"].append(rnd.choice(["0.0.0.0/0", "::/0"]))
    return app, "application.services[%d].sources[%d]" % (i, len(app["services"][i]["sources"]) - 1)


def separation_of_duties(app, rnd):
    duty = rnd.choice(["security_officer", "auditor"])
    if duty == "auditor" and rnd.random() < 0.3:
        del app["responsible"]["auditor"]
        return app, "application.responsible.auditor"
    other = app["responsible"]["system_admin"]
    app["responsible"][duty] = other
    return app, "application.responsible.%s" % duty


def same_person_two_ids(app, rnd):
    admin = [c for c in app["contacts"] if c["id"] == app["responsible"]["system_admin"]][0]
    app["contacts"].append(dict(admin, id="alias-of-admin"))
    app["responsible"]["auditor"] = "alias-of-admin"
    return app, "application.responsible.auditor"


def unknown_person(app, rnd):
    duty = rnd.choice(sorted(app["responsible"]))
    app["responsible"][duty] = rnd.choice(["nobody", "li-si", "zhang-san"])
    return app, "application.responsible.%s" % duty


def duplicate_contact(app, rnd):
    app["contacts"][-1]["id"] = app["contacts"][0]["id"]
    return app, "application.contacts[%d].id" % (len(app["contacts"]) - 1)


def unknown_flavor(app, rnd):
    i = rnd.randrange(len(app["servers"]))
    app["servers"][i]["flavor"] = rnd.choice(["m9.huge", "m1.Tiny", "c2.large"])
    return app, "application.servers[%d].flavor" % i


def bad_slug(app, rnd):
    app["id"] = rnd.choice(["JX_BDC", "a", "-x-y", "xy-", "不动产", "x" * 40, "jx bdc", 42])
    return app, "application.id"


def empty_list(app, rnd):
    key = rnd.choice(["zones", "servers", "contacts", "bastion_cidrs"])
    app[key] = []
    return app, "application.%s" % key


def service_server_mismatch(app, rnd):
    i = rnd.randrange(len(app["services"]))
    other = [s["name"] for s in app["servers"] if s["zone"] != app["services"][i]["zone"]]
    app["services"][i]["servers"] = [rnd.choice(other + ["ghost-01"])]
    return app, "application.services[%d].servers[0]" % i


def broad_bastion(app, rnd):
    app["bastion_cidrs"][0] = rnd.choice(["0.0.0.0/0", "10.0.0.0/8", "172.16.0.0/12", "::/0"])
    return app, "application.bastion_cidrs[0]"


def same_zone_flow(app, rnd):
    i = rnd.randrange(len(app["flows"]))
    app["flows"][i]["to"] = app["flows"][i]["from"]
    return app, "application.flows[%d].to" % i


# --- the security rules (docs/manifest.md, "Security rules"); each names its rule id in the message

MANAGEMENT_PORTS = [(m["protocol"], m["port"]) for m in M.DEFAULT_MANAGEMENT_SERVICES]


def _add_service(app, rnd, **fields):
    zone = fields.pop("zone", None) or rnd.choice([z["name"] for z in app["zones"]])
    service = dict({"name": "added-svc", "zone": zone}, **fields)
    app["services"].append(service)
    return len(app["services"]) - 1


def public_management(app, rnd):
    """SSH/RDP/WinRM/VNC/Telnet open to anywhere, in any zone, the internet zone included."""
    protocol, port = rnd.choice(MANAGEMENT_PORTS)
    i = _add_service(app, rnd, protocol=protocol, port=port, sources=[rnd.choice(["0.0.0.0/0", "::/0"])],
                     zone=rnd.choice([None, "internet"]))
    return app, "application.services[%d].sources[0]" % i


def management_off_bastion(app, rnd):
    """A management port from a network that is not inside a bastion network (one containing it is broader)."""
    protocol, port = rnd.choice(MANAGEMENT_PORTS)
    source = rnd.choice(["10.180.0.0/16", "10.250.8.0/24", "10.250.8.16/28", "192.0.2.0/24", "2001:db8:1::/48"])
    i = _add_service(app, rnd, protocol=protocol, port=port, sources=["10.250.8.0/29", source])
    return app, "application.services[%d].sources[1]" % i


def existing_service_on_management_port(app, rnd):
    """An ordinary service moved to a management port keeps its (non-bastion) sources: refused."""
    i = rnd.randrange(len(app["services"]))
    protocol, port = rnd.choice(MANAGEMENT_PORTS)
    app["services"][i].update(protocol=protocol, port=port)
    return app, "application.services[%d].sources[0]" % i


def marked_management(app, rnd):
    """A service the manifest marks management: true, on any port, from a non-bastion source."""
    i = _add_service(app, rnd, protocol="tcp", port=rnd.choice([8443, 9090, 10022]), management=True,
                     sources=[rnd.choice(["10.180.0.0/16", "0.0.0.0/0"])])
    return app, "application.services[%d].sources[0]" % i


def broad_source(app, rnd):
    """Outside the internet zone, a source broader than an IPv4 /8 (IPv6 /32) is refused."""
    i = [k for k, s in enumerate(app["services"]) if s["zone"] != M.INTERNET_ZONE][0]
    app["services"][i]["sources"].append(rnd.choice(["10.0.0.0/7", "8.0.0.0/5", "128.0.0.0/1", "2000::/3",
                                                     "2001:d00::/24"]))
    return app, "application.services[%d].sources[%d]" % (i, len(app["services"][i]["sources"]) - 1)


def zone_prefix_out_of_bounds(app, rnd):
    """A zone subnet outside /16-/29 (IPv6 /48-/64): a single address, a /30, or broader than /16."""
    i = rnd.randrange(len(app["zones"]))
    app["zones"][i]["cidr"] = rnd.choice(["10.77.0.5/32", "10.77.0.4/30", "10.76.0.0/15", "10.64.0.0/12",
                                          "2001:db8:7700::/40", "2001:db8:77::/96"])
    return app, "application.zones[%d].cidr" % i


def trial_opens_management(app, rnd):
    """The trial opens declared services to test_cidrs instead of their sources: SSH to testers is refused."""
    _add_service(app, rnd, protocol="tcp", port=22, sources=["10.250.8.0/28"], name="ssh-admin")
    app["trial"]["test_cidrs"] = [rnd.choice(["192.0.2.0/28", "10.180.7.0/24"])]
    return app, "application.trial.test_cidrs[0]"


SECURITY_MUTATIONS = [public_management, management_off_bastion, existing_service_on_management_port,
                      marked_management, broad_source, open_source, zone_prefix_out_of_bounds,
                      trial_opens_management, broad_bastion]


def not_a_mapping(app, rnd):
    return rnd.choice([None, [], "application", 3, ["jx-bdcdj"]]), "application"


MUTATIONS = [
    wrong_type, drop_required, unknown_field, bad_cidr, overlap_zones, reserved_zone, unknown_zone,
    undeclared_zone, bad_port, port_protocol_mismatch, bad_protocol, bad_level, bad_trial, bad_date,
    future_grading, duplicate_server, duplicate_volume, quota_short, open_source, separation_of_duties,
    same_person_two_ids, unknown_person, duplicate_contact, unknown_flavor, bad_slug, empty_list,
    service_server_mismatch, broad_bastion, same_zone_flow, not_a_mapping,
    public_management, management_off_bastion, existing_service_on_management_port, marked_management,
    broad_source, zone_prefix_out_of_bounds, trial_opens_management,
]

# Policies a cloud may set (govcloud_manifest_policy): (policy, field the refusal names) for those that try to
# loosen a default or are malformed, and tightening ones with the example's field they make fail.
LOOSENING_POLICIES = [
    ({"management_services": [m for m in M.DEFAULT_MANAGEMENT_SERVICES if m["port"] != 22]},
     "policy.management_services"),
    ({"zone_prefix": {"ipv4": {"min": 8}}}, "policy.zone_prefix.ipv4.min"),
    ({"zone_prefix": {"ipv4": {"max": 32}}}, "policy.zone_prefix.ipv4.max"),
    ({"zone_prefix": {"ipv6": {"min": 24, "max": 64}}}, "policy.zone_prefix.ipv6.min"),
    ({"source_min_prefix": {"ipv4": 1}}, "policy.source_min_prefix.ipv4"),
    ({"bastion_min_prefix": {"ipv6": 16}}, "policy.bastion_min_prefix.ipv6"),
    ({"anywhere_zones": ["internet", "gov-extranet"]}, "policy.anywhere_zones[1]"),
    ({"zone_prefix": {"ipv4": {"min": 28, "max": 20}}}, "policy.zone_prefix.ipv4"),
    ({"management_ports": [22]}, "policy.management_ports"),
    ({"management_services": list(M.DEFAULT_MANAGEMENT_SERVICES) + [{"name": "x", "protocol": "sctp", "port": 1}]},
     "policy.management_services[7].protocol"),
    ("strict", "policy"),
]
TIGHTENING_POLICIES = [
    ({"zone_prefix": {"ipv4": {"min": 25}}}, "application.zones[0].cidr"),
    ({"source_min_prefix": {"ipv4": 17}}, "application.services[1].sources[0]"),
    ({"anywhere_zones": []}, "application.services[0].sources[0]"),
    ({"management_services": list(M.DEFAULT_MANAGEMENT_SERVICES) + [{"name": "https-admin", "protocol": "tcp",
                                                                    "port": 443}]},
     "application.services[0].sources[0]"),
    ({"bastion_min_prefix": {"ipv4": 29}}, "application.bastion_cidrs[0]"),
]


def mutated(mutation, rnd):
    return mutation(example(), rnd)
