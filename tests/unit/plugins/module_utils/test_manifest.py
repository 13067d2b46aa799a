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
        "application.services[0].sources[0]: 0.0.0.0/0 (anywhere) is only allowed for services in the internet "
        "zone, not \"gov-extranet\""]


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
