# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The manifest model: the example, the published schema, each rule and the applicant conditions."""

from __future__ import annotations

import datetime
import json
import pathlib
import random
import sys

import jsonschema
import pytest

sys.path.insert(0, str(pathlib.Path(__file__).parent))
import manifest_cases as C  # noqa: E402  pylint: disable=wrong-import-position

M = C.M


def test_example_is_valid_and_normalised():
    normalised, problems = M.validate(C.example(), **C.check_kwargs())
    assert problems == []
    assert normalised["id"] == "jx-bdcdj"
    assert normalised["mlps"]["level"] == 3
    assert M.resource_needs(normalised, C.check_kwargs()["flavors"]) == {
        "instances": 4, "cores": 4, "ram_mb": 5120, "volumes": 3, "gigabytes": 50,
        "networks": 4, "subnets": 4, "routers": 1}


def test_published_schema_is_the_generated_one():
    published = (C.REPO / "docs" / "manifest.schema.json").read_text(encoding="utf-8")
    assert published == M.render_schema(), "regenerate docs/manifest.schema.json (see docs/manifest.md)"
    jsonschema.Draft202012Validator.check_schema(json.loads(published))


def _keywords(node, found):
    if isinstance(node, dict):
        for key, value in node.items():
            found.add(key)
            if key in ("properties", "$defs"):
                for sub in value.values():
                    _keywords(sub, found)
            elif isinstance(value, (dict, list)):
                _keywords(value, found)
    elif isinstance(node, list):
        for item in node:
            _keywords(item, found)


def test_schema_uses_only_keywords_the_validator_implements():
    found = set()
    _keywords(M.SCHEMA, found)
    # enum/required lists hold values, not keywords; property names are collected too, so check against both
    property_names = set()
    for node in _walk(M.SCHEMA):
        property_names.update(node.get("properties", {}))
        property_names.update(node.get("$defs", {}))
    assert found - property_names - M.SUPPORTED_KEYWORDS == set()


def _walk(node):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def test_example_is_valid_for_jsonschema_too():
    validator = jsonschema.Draft202012Validator(M.SCHEMA, format_checker=jsonschema.FormatChecker())
    assert list(validator.iter_errors({"application": C.example()})) == []


@pytest.mark.parametrize("mutation", C.MUTATIONS, ids=lambda m: m.__name__)
def test_each_rule_rejects_with_the_field_path(mutation):
    for seed in range(5):
        manifest, path = C.mutated(mutation, random.Random(seed))
        normalised, problems = M.validate(manifest, **C.check_kwargs())
        assert normalised is None
        assert any(p.startswith(path + ":") for p in problems), (path, problems)


def test_all_problems_are_reported_at_once():
    app = C.example()
    app["zones"][1]["cidr"] = app["zones"][0]["cidr"]
    app["services"][0]["port"] = 0
    app["mlps"]["level"] = 7
    app["trial"]["end"] = "2000-01-01"  # before any start
    del app["quotas"]["cores"]
    problems = M.validate(app, **C.check_kwargs())[1]
    for path in ("application.zones[1].cidr", "application.services[0].port", "application.mlps.level",
                 "application.trial.end", "application.quotas.cores"):
        assert any(p.startswith(path + ":") for p in problems), (path, problems)


def test_cidrs_are_normalised():
    app = C.example()
    app["zones"][0]["cidr"] = "2001:DB8:0:0::/64"
    app["services"][1]["sources"] = ["10.180.0.0/16", "2001:0db8:ffff::/48"]
    normalised, problems = M.validate(app, **C.check_kwargs())
    assert problems == []
    assert normalised["zones"][0]["cidr"] == "2001:db8::/64"
    assert normalised["services"][1]["sources"] == ["10.180.0.0/16", "2001:db8:ffff::/48"]


def test_host_bits_are_refused_with_the_network_named():
    app = C.example()
    app["zones"][2]["cidr"] = "10.36.40.7/24"
    assert "application.zones[2].cidr: \"10.36.40.7/24\" has host bits set; the network is 10.36.40.0/24" in \
        M.validate(app, **C.check_kwargs())[1]


def test_anywhere_is_allowed_for_the_internet_zone_only():
    app = C.example()
    assert app["services"][0]["zone"] == "internet" and app["services"][0]["sources"] == ["0.0.0.0/0"]
    assert M.validate(app, **C.check_kwargs())[1] == []
    app["services"][0]["zone"] = "gov-extranet"
    app["services"][0]["servers"] = ["bdc-app-01"]
    assert M.validate(app, **C.check_kwargs())[1] == [
        "application.services[0].sources[0]: 0.0.0.0/0 (anywhere) may reach a service only in an internet-facing "
        "zone (internet), not \"gov-extranet\" — list the networks that use the service, or declare it in the "
        "internet zone (互联网区); rule no-anywhere-outside-internet, GB/T 22239-2019 8.1.3.2 a/c"]


def test_occupied_and_cloud_ranges_are_refused():
    app = C.example()
    problems = M.validate(app, occupied_cidrs=[{"cidr": "10.36.0.0/16", "owner": "project jx-gjj"}],
                          cloud_reserved_cidrs=["10.36.30.128/25"], flavors=C.check_kwargs()["flavors"])[1]
    assert "application.zones[3].cidr: 10.36.30.0/24 overlaps 10.36.30.128/25, a range the cloud itself uses" in problems
    assert sum("already used by project jx-gjj" in p for p in problems) == 4


def test_trial_length_follows_the_option():
    app = C.example()
    kwargs = C.check_kwargs()
    kwargs["max_trial_days"] = 30
    assert M.validate(app, **kwargs)[1] == [
        "application.trial.end: the trial lasts 80 days, more than the 30 allowed"]


def test_level_two_does_not_need_an_auditor():
    app = C.example()
    app["mlps"]["level"] = 2
    del app["responsible"]["auditor"]
    app["responsible"]["security_officer"] = app["responsible"]["system_admin"]
    assert M.validate(app, **C.check_kwargs())[1] == []


def test_yaml_dates_and_subclassed_strings_are_accepted():
    class Tagged(str):
        pass

    app = C.example()
    app["trial"] = {"start": datetime.date(2026, 12, 1), "end": datetime.date(2027, 1, 31)}
    app["id"] = Tagged("jx-bdcdj")
    normalised, problems = M.validate(app, **C.check_kwargs())
    assert problems == []
    assert normalised["trial"] == {"start": "2026-12-01", "end": "2027-01-31"}
    assert type(normalised["id"]) is str  # pylint: disable=unidiomatic-typecheck  # exactly str, no subclass
    json.dumps(normalised)


def test_bad_options_fail_cleanly():
    problems = M.validate(C.example(), flavors={"m1.tiny": {"vcpus": "one"}}, cloud_reserved_cidrs=["nope"],
                          max_trial_days=0)[1]
    assert problems[0].startswith('flavors["m1.tiny"].vcpus:')
    assert any(p.startswith("cloud_reserved_cidrs[0]:") for p in problems)
    assert any(p.startswith("max_trial_days:") for p in problems)


def test_missing_manifest_names_the_variable():
    assert M.validate(None)[1] == ["application: is required"]


# --- applicant conditions (上线申请条件)

def test_applicant_conditions_met_by_the_example():
    assert M.applicant_conditions(C.example()) == []


def test_applicant_conditions_list_every_unmet_one():
    app = C.example()
    del app["mlps"]["grading"]
    app["contacts"][0]["name"] = "待定"
    del app["contacts"][1]["phone"], app["contacts"][1]["email"]
    del app["responsible"]["auditor"]
    unmet = M.applicant_conditions(app)
    assert unmet == [
        'application.responsible.security_officer: "待定" is a placeholder, not a person\'s name',
        "application.responsible.system_admin: the responsible person 陈静 has neither phone nor email",
        "application.responsible.auditor: no responsible person named (责任人 required before the application)",
        "application.mlps.grading.date: the level is not graded (定级 date missing)",
        "application.mlps.grading.report_ref: level 3 needs a grading record: 定级报告 grading report reference missing",
        "application.mlps.grading.expert_review_ref: level 3 needs a grading record: 专家评审意见 expert review "
        "reference missing",
    ]


def test_level_one_needs_a_grading_date_but_no_record():
    app = C.example()
    app["mlps"] = {"level": 1, "grading": {"date": "2026-01-05"}}
    assert M.applicant_conditions(app) == []
    app["mlps"]["level"] = 2
    assert [u.split(":")[0] for u in M.applicant_conditions(app)] == [
        "application.mlps.grading.report_ref", "application.mlps.grading.expert_review_ref"]


def test_applicant_conditions_never_raise_on_garbage():
    for value in (None, [], "x", {"mlps": "3"}, {"contacts": [None, 3], "responsible": {"system_admin": 4}}):
        assert M.applicant_conditions(value, records=[None, {"stage": "approval"}])


def _approval(seq, result="pass", **details):
    return {"seq": seq, "stage": "approval", "kind": "approval", "application": "jx-bdcdj", "result": result,
            "summary": "s", "details": dict({"decision": "approved" if result == "pass" else "rejected"}, **details)}


def test_approval_must_be_recorded_and_latest_and_for_this_manifest():
    app = M.validate(C.example(), **C.check_kwargs())[0]
    assert M.applicant_conditions(app, []) == [
        "application (evidence stage 'approval'): no approval by the cloud management unit is recorded in the "
        "evidence ledger"]
    assert M.applicant_conditions(app, [_approval(3)]) == []
    assert "has result \"fail\"" in M.applicant_conditions(app, [_approval(3), _approval(5, "fail")])[0]
    assert M.applicant_conditions(app, [_approval(5, "fail"), _approval(7)]) == []
    assert M.applicant_conditions(app, [_approval(3, manifest_sha256=M.digest(app))]) == []
    changed = dict(app, description="another system")
    assert "needs a new approval" in M.applicant_conditions(changed, [_approval(3, manifest_sha256=M.digest(app))])[0]
    decommission = _approval(9, subject="decommission")
    assert M.applicant_conditions(app, [decommission])[0].endswith("recorded in the evidence ledger")


def test_digest_is_stable_under_normalisation():
    app = M.validate(C.example(), **C.check_kwargs())[0]
    assert M.digest(app) == M.digest(M.normalise(app)) == M.digest(json.loads(json.dumps(app)))


# --- security rules (docs/manifest.md, "Security rules") and the cloud's policy

RULE_IDS = (M.RULE_MANAGEMENT, M.RULE_ANYWHERE, M.RULE_SOURCE_PREFIX, M.RULE_ZONE_PREFIX, M.RULE_BASTION_PREFIX)


@pytest.mark.parametrize("mutation", C.SECURITY_MUTATIONS, ids=lambda m: m.__name__)
def test_each_security_rule_names_the_field_the_rule_and_the_fix(mutation):
    for seed in range(10):
        manifest, path = C.mutated(mutation, random.Random(seed))
        normalised, problems = M.validate(manifest, **C.check_kwargs())
        assert normalised is None
        found = [p for p in problems if p.startswith(path + ":")]
        assert found, (seed, path, problems)
        assert any(" — " in p and any("rule %s, GB/T 22239-2019 " % rule in p for rule in RULE_IDS) for p in found), found


def _ssh_admin(sources, zone="management", **extra):
    return dict({"name": "ssh-admin", "zone": zone, "protocol": "tcp", "port": 22, "sources": sources}, **extra)


def test_ssh_from_anywhere_is_refused_in_every_zone_the_internet_zone_included():
    for zone in ("internet", "gov-extranet", "data", "management"):
        app = C.example()
        app["services"].append(_ssh_admin(["0.0.0.0/0"], zone=zone))
        assert M.validate(app, **C.check_kwargs())[1] == [
            "application.services[2].sources[0]: 0.0.0.0/0 may not reach management service ssh-admin (tcp/22, "
            "ssh): management access comes only from bastion_cidrs (10.250.8.0/28) — remove the source or route it "
            "through the bastion (堡垒机); rule management-only-from-bastion, GB/T 22239-2019 8.1.4.4 c, 8.1.5.4 a/b"]


@pytest.mark.parametrize("protocol, port", [("tcp", 22), ("tcp", 23), ("tcp", 3389), ("udp", 3389), ("tcp", 5900),
                                            ("tcp", 5985), ("tcp", 5986)])
def test_every_default_management_port_is_bastion_only(protocol, port):
    app = C.example()
    app["services"].append({"name": "admin", "zone": "data", "protocol": protocol, "port": port,
                            "sources": ["10.250.8.0/28", "10.180.0.0/16"]})
    problems = M.validate(app, **C.check_kwargs())[1]
    assert [p.split(":")[0] for p in problems] == ["application.services[2].sources[1]"], problems
    assert "management service admin (%s/%d, " % (protocol, port) in problems[0]


def test_management_from_inside_the_bastion_networks_passes():
    app = C.example()
    app["bastion_cidrs"].append("2001:db8:250::/48")
    app["services"].append(_ssh_admin(["10.250.8.0/28", "10.250.8.8/29", "10.250.8.3/32", "2001:db8:250:1::/64"]))
    app["services"].append({"name": "rdp", "zone": "gov-extranet", "protocol": "udp", "port": 3389,
                            "sources": ["10.250.8.0/28"]})
    assert M.validate(app, **C.check_kwargs())[1] == []


def test_other_ports_and_protocols_are_not_management():
    app = C.example()
    # tcp/22 is management, udp/22 is not; icmp has no port
    app["services"].append({"name": "not-ssh", "zone": "gov-extranet", "protocol": "udp", "port": 22,
                            "sources": ["10.180.0.0/16"]})
    app["services"].append({"name": "ping", "zone": "gov-extranet", "protocol": "icmp", "sources": ["10.180.0.0/16"]})
    assert M.validate(app, **C.check_kwargs())[1] == []
    assert M.management_reason({"protocol": "udp", "port": 22}) is None
    assert M.management_reason({"protocol": "tcp", "port": 22}) == "tcp/22, ssh"


def test_management_true_marks_any_service_and_false_exempts_none():
    app = C.example()
    app["services"][1]["management"] = True
    problems = M.validate(app, **C.check_kwargs())[1]
    assert [p.split(":")[0] for p in problems] == ["application.services[1].sources[0]",
                                                   "application.services[1].sources[1]"]
    assert "management service counter-https (tcp/443, marked management: true)" in problems[0]
    app = C.example()
    app["services"].append(_ssh_admin(["10.180.0.0/16"], management=False))
    assert [p.split(":")[0] for p in M.validate(app, **C.check_kwargs())[1]] == ["application.services[2].sources[0]"]
    app["services"][2]["management"] = "yes"
    assert "application.services[2].management: must be true or false, not string \"yes\"" in \
        M.validate(app, **C.check_kwargs())[1]


def test_sources_outside_the_internet_zone_are_bounded():
    app = C.example()
    app["services"][1]["sources"] = ["10.0.0.0/8", "2001:db8::/32"]  # the broadest allowed
    assert M.validate(app, **C.check_kwargs())[1] == []
    app["services"][1]["sources"] = ["10.0.0.0/7"]
    assert M.validate(app, **C.check_kwargs())[1] == [
        "application.services[1].sources[0]: 10.0.0.0/7 is broader than /8, the broadest source allowed outside "
        "the internet-facing zone — list the networks that use the service (each /8 or longer); rule "
        "source-prefix-bound, GB/T 22239-2019 8.1.3.2 a/c"]
    app = C.example()
    app["services"][0]["sources"] = ["0.0.0.0/0", "::/0", "128.0.0.0/1"]  # the internet zone: any source
    assert M.validate(app, **C.check_kwargs())[1] == []


@pytest.mark.parametrize("cidr, fits", [("10.36.0.0/16", True), ("10.36.20.0/29", True), ("10.38.0.0/15", False),
                                        ("10.36.20.0/30", False), ("10.36.20.1/32", False),
                                        ("2001:db8:36::/48", True), ("2001:db8:36::/64", True),
                                        ("2001:db8::/47", False), ("2001:db8:36::/65", False)])
def test_zone_prefix_bounds(cidr, fits):
    app = C.example()
    app["zones"] = [dict(app["zones"][0], cidr=cidr)] + app["zones"][1:]
    if cidr == "10.36.0.0/16":  # the other zones lie in it: move them
        for zone, third in zip(app["zones"][1:], (10, 30, 40)):
            zone["cidr"] = "10.37.%d.0/24" % third
    problems = M.validate(app, **C.check_kwargs())[1]
    if fits:
        assert problems == []
    else:
        assert [p.split(":")[0] for p in problems] == ["application.zones[0].cidr"], problems
        assert "a zone subnet is /16 to /29 (IPv6 /48 to /64) — declare" in problems[0]
        assert problems[0].endswith("rule zone-prefix-bound, GB/T 22239-2019 8.1.2.1 c")


def test_the_trial_may_not_open_management_to_test_networks():
    app = C.example()
    app["services"].append(_ssh_admin(["10.250.8.0/28"]))
    app["trial"]["test_cidrs"] = ["10.250.8.0/29", "192.0.2.0/28"]
    problems = M.validate(app, **C.check_kwargs())[1]
    assert [p.split(":")[0] for p in problems] == ["application.trial.test_cidrs[1]"]
    assert "192.0.2.0/28 would reach management service ssh-admin (tcp/22, ssh) during the trial" in problems[0]
    del app["services"][2]
    assert M.validate(app, **C.check_kwargs())[1] == []  # without a management service test networks are fine


def test_the_default_policy_is_documented_and_passes_the_example():
    effective, problems = M.resolve_policy(None)
    assert problems == [] and effective == M.default_policy()
    assert effective["zone_prefix"] == {"ipv4": {"min": 16, "max": 29}, "ipv6": {"min": 48, "max": 64}}
    assert sorted((m["protocol"], m["port"]) for m in effective["management_services"]) == [
        ("tcp", 22), ("tcp", 23), ("tcp", 3389), ("tcp", 5900), ("tcp", 5985), ("tcp", 5986), ("udp", 3389)]
    assert M.validate(C.example(), policy=M.default_policy(), **C.check_kwargs())[1] == []
    assert M.validate(C.example(), policy={}, **C.check_kwargs())[1] == []
    text = (C.REPO / "docs" / "manifest.md").read_text(encoding="utf-8")
    for rule in RULE_IDS:
        assert "`%s`" % rule in text, rule


def test_the_policy_example_in_the_docs_is_valid_and_the_example_passes_it():
    import yaml
    text = (C.REPO / "docs" / "manifest.md").read_text(encoding="utf-8")
    block = text.split("```yaml\ngovcloud_manifest_policy:", 1)[1].split("```", 1)[0]
    policy = yaml.safe_load("govcloud_manifest_policy:" + block)["govcloud_manifest_policy"]
    effective, problems = M.resolve_policy(policy)
    assert problems == []
    assert effective["zone_prefix"]["ipv4"] == {"min": 20, "max": 28} and effective["bastion_min_prefix"]["ipv4"] == 24
    assert ("tcp", 6443) in [(m["protocol"], m["port"]) for m in effective["management_services"]]
    assert M.validate(C.example(), policy=policy, **C.check_kwargs())[1] == []


@pytest.mark.parametrize("policy, path", C.LOOSENING_POLICIES, ids=lambda v: v if isinstance(v, str) else None)
def test_a_policy_that_loosens_or_is_malformed_is_refused_by_name(policy, path):
    normalised, problems = M.validate(C.example(), policy=policy, **C.check_kwargs())
    assert normalised is None
    assert any(p.startswith(path + ":") for p in problems), problems
    malformed = ("policy", "policy.management_ports", "policy.zone_prefix.ipv4")
    if "policy.management_services[" not in path and path not in malformed:
        assert [p for p in problems if "never loosen" in p], problems


def test_removing_ssh_from_the_management_services_says_it_loosens():
    policy = {"management_services": [m for m in M.DEFAULT_MANAGEMENT_SERVICES if m["port"] != 22]}
    assert M.validate(C.example(), policy=policy)[1] == [
        "policy.management_services: leaves out tcp/22 (ssh), a default management service: a policy may tighten "
        "the manifest rules, never loosen them (docs/manifest.md, \"Security rules\"); list every default and add "
        "the cloud's own"]
    assert M.validate(C.example(), policy={"zone_prefix": {"ipv4": {"min": 8}}})[1] == [
        "policy.zone_prefix.ipv4.min: /8 would allow zones broader than the default /16: a policy may tighten the "
        "manifest rules, never loosen them (docs/manifest.md, \"Security rules\")"]


@pytest.mark.parametrize("policy, path", C.TIGHTENING_POLICIES, ids=lambda v: v if isinstance(v, str) else None)
def test_a_tightening_policy_applies(policy, path):
    normalised, problems = M.validate(C.example(), policy=policy, **C.check_kwargs())
    assert normalised is None
    assert any(p.startswith(path + ":") and " rule " in p for p in problems), problems
    assert not [p for p in problems if p.startswith("policy")]


def test_a_tightened_zone_bound_is_named_in_the_message():
    problems = M.validate(C.example(), policy={"zone_prefix": {"ipv4": {"min": 25, "max": 28}}}, **C.check_kwargs())[1]
    assert problems[0] == (
        "application.zones[0].cidr: 10.36.20.0/24 is broader than /25: a zone subnet is /25 to /28 (IPv6 /48 to /64) "
        "— declare the addresses the zone needs, at most a /25; rule zone-prefix-bound, GB/T 22239-2019 8.1.2.1 c")


def test_check_request_takes_the_policy_option():
    params = {"manifest": C.example(), "flavors": C.check_kwargs()["flavors"], "policy": {"anywhere_zones": []}}
    result = M.check_request(params)
    assert result["failed"] and result["problems"][0].startswith("application.services[0].sources[0]: 0.0.0.0/0")
    assert M.check_request(dict(params, policy=None))["valid"]


def test_derived_facts_come_from_the_manifest_once():
    app, problems = M.validate(C.example(), **C.check_kwargs())
    assert problems == []
    people = dict((p["id"], p) for p in app["contacts"])
    derived = M.check_request(dict(manifest=C.example(), **C.check_kwargs()))["derived"]
    # 三权分立: one account per responsible duty, in the order admin, operator, auditor
    assert derived["tenant_users"] == [
        {"name": app["id"] + "-sysadmin", "duty": "admin", "person": app["responsible"]["system_admin"],
         "email": people[app["responsible"]["system_admin"]].get("email")},
        {"name": app["id"] + "-secadmin", "duty": "operator", "person": app["responsible"]["security_officer"],
         "email": people[app["responsible"]["security_officer"]].get("email")},
        {"name": app["id"] + "-auditor", "duty": "auditor", "person": app["responsible"]["auditor"],
         "email": people[app["responsible"]["auditor"]].get("email")}]
    assert derived["tenant_description"] == "%s / %s (%s)" % (app["name"]["zh"], app["name"]["en"],
                                                              app["owning_unit"]["zh"])
    assert derived["quotas"]["ram"] == app["quotas"]["ram_mb"] and "ram_mb" not in derived["quotas"]
    assert M.check_request(dict(manifest={"id": "x"}))["derived"] == {}


def test_duty_accounts_without_an_auditor_and_the_hardening_level_clamp():
    app, dummy = M.validate(C.example(), **C.check_kwargs())
    del app["responsible"]["auditor"]
    assert [u["duty"] for u in M.duty_accounts(app)] == ["admin", "operator"]
    assert [M.hardening_level({"mlps": {"level": level}}) for level in (1, 2, 3, 4)] == [2, 2, 3, 3]
    assert M.quota_options({"ram_mb": 1, "cores": 2}) == {"cores": 2, "ram": 1}
