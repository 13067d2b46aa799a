# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

import pytest

from ansible_collections.govcloud.lifecycle.plugins.module_utils import _network_plan

ZONES = [{"name": "internet", "cidr": "10.36.20.0/24"}, {"name": "gov-extranet", "cidr": "10.36.10.0/24"},
         {"name": "data", "cidr": "10.36.40.0/24"}]
SERVICES = [{"name": "public-https", "zone": "internet", "protocol": "tcp", "port": 443, "sources": ["0.0.0.0/0"]}]
FLOWS = [{"from": "internet", "to": "gov-extranet", "protocol": "tcp", "port": 8443},
         {"from": "gov-extranet", "to": "data", "protocol": "icmp"}]
BASTION = ["10.250.8.0/28"]


def wanted(services=None):
    services = SERVICES if services is None else services
    return _network_plan.intent("app", ZONES, services, FLOWS, BASTION)


def keys(group):
    return sorted((r["direction"], r["protocol"], r["port_range_min"], r["remote_ip_prefix"]) for r in group["rules"])


def group(plan_or_intent, name):
    return [g for g in plan_or_intent["security_groups"] if g["name"] == name][0]


def test_intent_builds_the_allow_matrix_and_nothing_else():
    intent = wanted()
    assert [n["name"] for n in intent["networks"]] == ["app-internet", "app-gov-extranet", "app-data"]
    assert keys(group(intent, "app-internet")) == [
        ("egress", "tcp", 8443, "10.36.10.0/24"), ("ingress", "tcp", 22, "10.250.8.0/28"),
        ("ingress", "tcp", 443, "0.0.0.0/0")]
    assert keys(group(intent, "app-gov-extranet")) == [
        ("egress", "icmp", None, "10.36.40.0/24"), ("ingress", "tcp", 22, "10.250.8.0/28"),
        ("ingress", "tcp", 8443, "10.36.20.0/24")]
    assert keys(group(intent, "app-data")) == [
        ("ingress", "icmp", None, "10.36.10.0/24"), ("ingress", "tcp", 22, "10.250.8.0/28")]
    assert intent["router"] == {"name": "app-router", "external": True,
                                "interfaces": ["app-internet", "app-gov-extranet", "app-data"]}


def test_gateway_only_when_a_service_is_exposed():
    extranet_only = [dict(SERVICES[0], zone="gov-extranet", sources=["10.180.0.0/16"])]
    assert wanted(extranet_only)["router"]["external"] is False
    assert wanted([])["router"]["external"] is False


def test_closed_services_leave_only_flows_and_management_but_keep_the_gateway():
    closed = _network_plan.intent("app", ZONES, SERVICES, FLOWS, BASTION, services_open=False)
    assert keys(group(closed, "app-internet")) == [
        ("egress", "tcp", 8443, "10.36.10.0/24"), ("ingress", "tcp", 22, "10.250.8.0/28")]
    opened = wanted()
    assert [g for g in closed["security_groups"] if g["name"] != "app-internet"] == \
        [g for g in opened["security_groups"] if g["name"] != "app-internet"]
    assert closed["router"] == opened["router"]
    # promotion (closed -> open) changes the one group with a service, nothing else
    plan = _network_plan.plan(opened, _network_plan.state("p1", *cloud_lists(closed), external_network="public"),
                              default_group_rules=[])
    assert (plan["networks"], plan["subnets"], plan["router"]) == ([], [], [])
    assert [(g["name"], len(g["rules"])) for g in plan["security_groups"]] == [("app-internet", 3)]


def test_duplicate_declarations_give_one_rule():
    intent = _network_plan.intent("app", ZONES, SERVICES + SERVICES, FLOWS + FLOWS, BASTION + BASTION)
    assert len(group(intent, "app-internet")["rules"]) == 3


def empty_state():
    return _network_plan.state("p1", external_network="public")


def test_plan_on_an_empty_project_creates_everything_and_locks_default():
    plan = _network_plan.plan(wanted(), empty_state(), default_group_rules=[])
    assert [n["name"] for n in plan["networks"]] == ["app-internet", "app-gov-extranet", "app-data"]
    assert [s["cidr"] for s in plan["subnets"]] == ["10.36.20.0/24", "10.36.10.0/24", "10.36.40.0/24"]
    assert plan["router"][0]["external"] == "public"
    assert [g["name"] for g in plan["security_groups"]][-1] == "default"
    assert plan["changed"] is True


def cloud_lists(intent, project="p1", extra_rule=None, other_cidr=None):
    """What the SDK list calls return for a network exactly as intended."""
    networks = [{"id": "ext", "name": "public", "project_id": "admin", "is_router_external": True}]
    subnets, ports, groups = [], [], []
    for index, sub in enumerate(intent["subnets"]):
        networks.append({"id": "n%d" % index, "name": sub["network"], "project_id": project})
        subnets.append({"id": "s%d" % index, "name": sub["name"], "network_id": "n%d" % index,
                        "cidr": other_cidr if other_cidr and index == 0 else sub["cidr"], "project_id": project})
        ports.append({"device_id": "r1", "device_owner": "network:router_interface",
                      "fixed_ips": [{"subnet_id": "s%d" % index}]})
    routers = [{"id": "r1", "name": "app-router", "project_id": project,
                "external_gateway_info": {"network_id": "ext"} if intent["router"]["external"] else None}]
    for index, grp in enumerate(intent["security_groups"] + [{"name": "default", "description": "", "rules": []}]):
        rules = [{"direction": r["direction"], "ethertype": r["ether_type"], "protocol": r["protocol"],
                  "port_range_min": r["port_range_min"], "port_range_max": r["port_range_max"],
                  "remote_ip_prefix": r["remote_ip_prefix"], "description": r["description"]} for r in grp["rules"]]
        if extra_rule and grp["name"] == extra_rule[0]:
            rules.append(extra_rule[1])
        groups.append({"id": "g%d" % index, "name": grp["name"], "project_id": project,
                       "description": grp["description"], "security_group_rules": rules})
    return networks, subnets, routers, ports, groups


def test_applied_network_plans_nothing_and_reads_back_ok():
    intent = wanted()
    state = _network_plan.state("p1", *cloud_lists(intent), external_network="public")
    assert _network_plan.plan(intent, state, default_group_rules=[])["changed"] is False
    readback = _network_plan.readback(intent, state, default_group_rules=[])
    assert readback["ok"] is True and readback["differences"] == []
    assert readback["checked"]["rules"] == 8


def test_readback_names_an_unexpected_rule():
    intent = wanted()
    extra = {"direction": "ingress", "ethertype": "IPv4", "protocol": "tcp", "port_range_min": 3306,
             "port_range_max": 3306, "remote_ip_prefix": "0.0.0.0/0", "description": ""}
    state = _network_plan.state("p1", *cloud_lists(intent, extra_rule=("app-data", extra)), external_network="public")
    readback = _network_plan.readback(intent, state, default_group_rules=[])
    assert readback["ok"] is False
    assert readback["differences"] == [
        "security group app-data: rule not in the matrix: ingress IPv4 tcp 3306-3306 0.0.0.0/0 "]
    plan = _network_plan.plan(intent, state, default_group_rules=[])
    assert [g["name"] for g in plan["security_groups"]] == ["app-data"]


def test_default_group_rules_are_unexpected_when_locking():
    intent = wanted()
    default_rule = {"direction": "egress", "ethertype": "IPv4", "protocol": None, "port_range_min": None,
                    "port_range_max": None, "remote_ip_prefix": None, "description": ""}
    state = _network_plan.state("p1", *cloud_lists(intent, extra_rule=("default", default_rule)), external_network="public")
    assert not _network_plan.readback(intent, state, default_group_rules=[])["ok"]
    assert _network_plan.readback(intent, state, default_group_rules=None)["ok"]


def test_other_projects_objects_with_the_same_names_are_ignored():
    intent = wanted()
    mine = cloud_lists(intent)
    theirs = cloud_lists(intent, project="p2")
    merged = [a + [dict(x, id="o-" + x["id"]) if "id" in x else x for x in b if x.get("project_id") == "p2"]
              for a, b in zip(mine, theirs)]
    state = _network_plan.state("p1", *merged, external_network="public")
    assert _network_plan.plan(intent, state, default_group_rules=[])["changed"] is False


def test_a_changed_cidr_is_refused_not_applied():
    intent = wanted()
    state = _network_plan.state("p1", *cloud_lists(intent, other_cidr="10.36.99.0/24"), external_network="public")
    with pytest.raises(_network_plan.PlanError, match="subnet app-internet exists with CIDR 10.36.99.0/24"):
        _network_plan.plan(intent, state)


def test_exposed_service_without_external_network_is_refused():
    with pytest.raises(_network_plan.PlanError, match="no external network"):
        _network_plan.plan(wanted(), _network_plan.state("p1"))


def test_cidr_problems_within_the_plan_and_against_neighbours():
    zones = [{"name": "internet", "cidr": "10.39.0.0/23"}, {"name": "data", "cidr": "10.39.1.0/24"}]
    problems = _network_plan.cidr_problems(zones, BASTION, SERVICES)
    assert problems == ["network_segmentation.zones[1].cidr: 10.39.1.0/24 overlaps network_segmentation.zones[0].cidr "
                        "(10.39.0.0/23); zones must not share addresses"]
    occupied = _network_plan.occupied([{"project_id": "p2", "cidr": "10.36.20.0/25", "name": "x"},
                                       {"project_id": "p1", "cidr": "10.36.20.0/24", "name": "mine"}],
                                      [{"id": "p2", "name": "neighbour"}], "p1")
    problems = _network_plan.cidr_problems(ZONES, BASTION, SERVICES, occupied_cidrs=occupied,
                                           cloud_reserved_cidrs=["10.36.40.0/22"])
    assert problems == [
        "network_segmentation.zones[0].cidr: 10.36.20.0/24 overlaps 10.36.20.0/25, already used by project neighbour (subnet x)",
        "network_segmentation.zones[2].cidr: 10.36.40.0/24 overlaps 10.36.40.0/22, a range the cloud itself uses",
    ]


def test_duplicate_names_in_one_project_are_refused():
    with pytest.raises(_network_plan.PlanError, match="network name n is used twice"):
        _network_plan.state("p1", [{"id": "1", "name": "n", "project_id": "p1"}, {"id": "2", "name": "n", "project_id": "p1"}])


def test_records_name_each_applied_change():
    plan = _network_plan.plan(wanted(), empty_state(), default_group_rules=[])
    recs = _network_plan.records(plan, {"networks": True, "subnets": True, "router": True, "security_groups": True}, "p1")
    assert [r["summary"] for r in recs][:4] == [
        "network app-internet created", "network app-gov-extranet created", "network app-data created",
        "subnet app-internet created with 10.36.20.0/24 (zone internet)"]
    assert len(recs) == 3 + 3 + 1 + 4
    assert _network_plan.records(plan, {}, "p1") == []
