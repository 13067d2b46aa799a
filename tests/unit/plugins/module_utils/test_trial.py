# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

import pytest

from ansible_collections.govcloud.lifecycle.plugins.module_utils import _trial, manifest

SERVERS = [
    {"name": "web-01", "zone": "internet", "flavor": "m1.tiny", "image": "img"},
    {"name": "app-01", "zone": "gov-extranet", "flavor": "m1.small", "image": "img"},
    {"name": "db-01", "zone": "data", "flavor": "m1.small", "image": "img",
     "volumes": [{"name": "pgdata", "size_gb": 2}, {"name": "wal", "size_gb": 1, "type": "fast"}]},
]
SERVICES = [
    {"name": "public-https", "zone": "internet", "protocol": "tcp", "port": 443, "sources": ["0.0.0.0/0"],
     "servers": ["web-01"]},
    {"name": "counter-https", "zone": "gov-extranet", "protocol": "tcp", "port": 443,
     "sources": ["10.180.0.0/16", "10.181.0.0/16"]},
]
TRIAL = {"start": "2026-12-01", "end": "2027-02-27"}


def plan(**trial):
    return _trial.intent("app", SERVERS, SERVICES, dict(TRIAL, **trial))


def test_every_server_and_volume_carries_the_trial_metadata():
    wanted = plan()
    expected = {"govcloud_app": "app", "govcloud_phase": "trial", "govcloud_trial_start": "2026-12-01",
                "govcloud_trial_end": "2027-02-27"}
    for item in wanted["servers"] + wanted["volumes"]:
        assert {k: item["metadata"][k] for k in expected} == expected
    zones = {s["name"]: s["metadata"]["govcloud_zone"] for s in wanted["servers"]}
    assert zones == {"web-01": "internet", "app-01": "gov-extranet", "db-01": "data"}
    assert [v["name"] for v in wanted["volumes"]] == ["db-01-pgdata", "db-01-wal"]
    assert wanted["volumes"][0]["metadata"]["govcloud_zone"] == "data"


def test_exposure_group_only_on_servers_behind_a_service_and_fip_only_in_the_internet_zone():
    wanted = plan()
    groups = {s["name"]: s["security_groups"] for s in wanted["servers"]}
    assert groups == {"web-01": ["app-internet", "app-trial-exposure"],
                      "app-01": ["app-gov-extranet", "app-trial-exposure"],
                      "db-01": ["app-data"]}
    assert wanted["floating_ips"] == ["web-01"]
    assert [s["name"] for s in wanted["servers"] if s["floating_ip"]] == ["web-01"]


def test_exposure_rules_are_the_declared_services_from_their_sources():
    rules = plan()["exposure_group"]["rules"]
    got = sorted((r["direction"], r["protocol"], r["port_range_min"], r["remote_ip_prefix"]) for r in rules)
    assert got == [("ingress", "tcp", 443, "0.0.0.0/0"), ("ingress", "tcp", 443, "10.180.0.0/16"),
                   ("ingress", "tcp", 443, "10.181.0.0/16")]


def test_test_cidrs_replace_the_sources():
    rules = plan(test_cidrs=["192.0.2.0/28"])["exposure_group"]["rules"]
    assert [(r["port_range_min"], r["remote_ip_prefix"]) for r in rules] == [(443, "192.0.2.0/28")]


@pytest.mark.parametrize("change, field", [
    (dict(application_id="Bad_Id"), "trial_environment_application_id"),
    (dict(trial={"start": "2026-12-01", "end": "2026-11-01"}), "trial_environment_trial.end"),
    (dict(trial={"start": "01.12.2026", "end": "2027-02-27"}), "trial_environment_trial.start"),
    (dict(trial=dict(TRIAL, test_cidrs=["0.0.0.0/0"])), "trial_environment_trial.test_cidrs[0]"),
    (dict(trial=dict(TRIAL, test_cidrs=["10.1.1.5/24"])), "trial_environment_trial.test_cidrs[0]"),
    (dict(servers=[dict(SERVERS[0], zone="dmz")]), "trial_environment_servers[0].zone"),
    (dict(servers=[SERVERS[0], SERVERS[0]]), "trial_environment_servers[1].name"),
    (dict(servers=[]), "trial_environment_servers"),
    (dict(services=[dict(SERVICES[0], servers=["nope"])]), "trial_environment_services[0].servers[0]"),
])
def test_bad_input_names_the_field(change, field):
    args = dict(application_id="app", servers=SERVERS, services=SERVICES, trial=TRIAL)
    args.update(change)
    found = _trial.problems(args["application_id"], args["servers"], args["services"], args["trial"])
    assert any(p.startswith(field + ":") for p in found), found
    with pytest.raises(_trial.TrialError) as err:
        _trial.intent(args["application_id"], args["servers"], args["services"], args["trial"])
    assert field in str(err.value)


def test_good_input_has_no_problems():
    assert _trial.problems("app", SERVERS, SERVICES, dict(TRIAL, test_cidrs=["192.0.2.0/28"])) == []


def cloud_server(name, meta, status="ACTIVE", fixed="10.0.0.5", floating=None, sid=None, project="p1"):
    addrs = [{"addr": fixed, "OS-EXT-IPS:type": "fixed"}]
    if floating:
        addrs.append({"addr": floating, "OS-EXT-IPS:type": "floating"})
    return {"id": sid or "id-" + name, "name": name, "status": status, "metadata": meta, "project_id": project,
            "addresses": {"net": addrs}}


def test_state_diff_and_idempotence():
    wanted = plan()
    empty = _trial.state(wanted, [], [])
    assert _trial.diff(wanted, empty)["changed"] is True
    servers = [cloud_server(s["name"], dict(s["metadata"], extra="kept"), floating="172.24.4.9" if s["floating_ip"] else None)
               for s in wanted["servers"]]
    volumes = [{"id": "v-" + v["name"], "name": v["name"], "status": "in-use", "metadata": v["metadata"],
                "attachments": [{"server_id": "id-db-01"}]} for v in wanted["volumes"]]
    # a server of another application with the same name pattern is not ours
    servers.append(cloud_server("other", {"govcloud_app": "x"}))
    have = _trial.state(wanted, servers, volumes)
    assert sorted(have["servers"]) == ["app-01", "db-01", "web-01"]
    assert _trial.diff(wanted, have)["changed"] is False
    stale = _trial.state(_trial.intent("app", SERVERS, SERVICES, {"start": "2026-12-01", "end": "2027-01-31"}),
                         servers, volumes)
    assert _trial.diff(plan(end="2027-01-31"), stale)["changed"] is True


def test_inventory_maps_test_hosts_in_one_place():
    wanted = plan()
    servers = [cloud_server(s["name"], s["metadata"], fixed="10.0.0.%d" % i,
                            floating="172.24.4.9" if s["floating_ip"] else None)
               for i, s in enumerate(wanted["servers"])]
    inv = _trial.inventory(wanted, _trial.state(wanted, servers, []), {"app-01": "nspawn-a"})
    group = inv["all"]["children"]["trial_app"]
    assert group["vars"]["govcloud_trial_end"] == "2027-02-27"
    assert group["hosts"]["web-01"]["ansible_host"] == "172.24.4.9"
    assert group["hosts"]["db-01"]["ansible_host"] == "10.0.0.2"
    assert "ansible_host" not in group["hosts"]["nspawn-a"] and group["hosts"]["nspawn-a"]["govcloud_server"] == "app-01"
    assert "app-01" not in group["hosts"]
    assert inv["all"]["children"]["govcloud_trial"] == {"children": {"trial_app": {}}}


BASTION = {"host": "172.24.4.250", "user": "ops", "known_hosts_file": "/srv/trial/known_hosts"}


def test_inventory_through_bastion_pins_host_keys_on_both_hops():
    wanted = plan()
    servers = [cloud_server(s["name"], s["metadata"], fixed="10.0.0.%d" % i,
                            floating="172.24.4.9" if s["floating_ip"] else None)
               for i, s in enumerate(wanted["servers"])]
    have = _trial.state(wanted, servers, [])
    hosts = _trial.inventory(wanted, have, {"app-01": "nspawn-a"}, bastion=BASTION)["all"]["children"]["trial_app"]["hosts"]
    web = hosts["web-01"]
    # a bastion in the management zone reaches the fixed address, even where a floating one exists
    assert web["ansible_host"] == "10.0.0.0"
    # ... and the control node, outside the cloud, probes the floating one (playbooks/assess.yml); none where
    # there is no floating address, nor on a host standing in (its own inventory has its address)
    assert web["govcloud_floating_ip"] == "172.24.4.9"
    assert "govcloud_floating_ip" not in hosts["db-01"] and "govcloud_floating_ip" not in hosts["nspawn-a"]
    args = web["ansible_ssh_common_args"]
    assert "ProxyCommand='ssh -W %h:%p -p 22 -o StrictHostKeyChecking=yes -o UserKnownHostsFile=/srv/trial/known_hosts" in args
    assert args.count("StrictHostKeyChecking=yes") == 2 and "StrictHostKeyChecking=no" not in args
    assert args.endswith("ops@172.24.4.250'")
    # the controller's ssh_args (first on the command line; an operator's own may switch checking off) are replaced
    assert "StrictHostKeyChecking" not in web["ansible_ssh_args"] and web["ansible_host_key_checking"] is True
    assert web["govcloud_bastion_via"] == "ops@172.24.4.250:22"
    # a host standing in for a server keeps the connection its own inventory gives it
    assert "ansible_ssh_common_args" not in hosts["nspawn-a"]
    floating = dict(BASTION, address="floating", port=2222, identity_file="/srv/trial/id")
    web = _trial.inventory(wanted, have, bastion=floating)["all"]["children"]["trial_app"]["hosts"]["web-01"]
    assert web["ansible_host"] == "172.24.4.9"
    assert "-p 2222 " in web["ansible_ssh_common_args"] and "-i /srv/trial/id -o IdentitiesOnly=yes" in web["ansible_ssh_common_args"]


@pytest.mark.parametrize("bastion, field", [
    ({"host": "b", "user": "ops"}, "known_hosts_file: required"),
    ({"user": "ops", "known_hosts_file": "/k"}, "host: required"),
    (dict(BASTION, port=0), "port: 0 is not a TCP port"),
    (dict(BASTION, port=True), "port: True is not a TCP port"),
    (dict(BASTION, address="public"), "address: 'public' is not fixed or floating"),
    (dict(BASTION, user="ops x"), "user: 'ops x' contains a blank"),
    (dict(BASTION, strict=False), "strict: unknown key"),
    ("172.24.4.250", "must be a mapping"),
])
def test_bad_bastion_is_refused_by_field(bastion, field):
    problems = _trial.bastion_problems(bastion)
    assert any(field in p for p in problems), problems
    with pytest.raises(_trial.TrialError, match="trial_environment_bastion"):
        _trial.bastion_connection(bastion)


def test_no_bastion_means_direct_connections():
    assert _trial.bastion_problems(None) == [] and _trial.bastion_problems({}) == []


def meta(app, end, phase="trial", start="2026-01-01"):
    return {"govcloud_app": app, "govcloud_phase": phase, "govcloud_trial_start": start, "govcloud_trial_end": end,
            "govcloud_zone": "data"}


def test_expiry_sorts_applications_by_their_window():
    servers = [
        cloud_server("a1", meta("old", "2026-11-20")), cloud_server("a2", meta("old", "2026-11-20"), status="SUSPENDED"),
        cloud_server("b1", meta("soon", "2026-12-05")),
        cloud_server("c1", meta("later", "2027-03-01")),
        cloud_server("d1", meta("promoted", "2026-10-01", phase="formal")),
        cloud_server("e1", {}),
        cloud_server("f1", meta("edge", "2026-11-26")),
    ]
    got = _trial.expiry(servers, "2026-11-26", 14)
    assert [r["application"] for r in got["expired"]] == ["old"]
    assert got["expired"][0]["active_server_ids"] == ["id-a1"] and got["expired"][0]["days_left"] == -6
    # the end date is the last trial day: not expired on that day
    assert [r["application"] for r in got["ending"]] == ["edge", "soon"]
    assert [r["application"] for r in got["running"]] == ["later"]
    assert got["notes"] == []


def test_expiry_notes_bad_metadata_and_disagreeing_servers():
    servers = [cloud_server("a1", meta("x", "someday")), cloud_server("b1", meta("y", "2026-01-01")),
               cloud_server("b2", meta("y", "2027-01-01"))]
    got = _trial.expiry(servers, "2026-11-26", 0)
    assert any("someday" in n for n in got["notes"]) and any("disagree" in n for n in got["notes"])
    assert [r["application"] for r in got["running"]] == ["y"]


@pytest.mark.parametrize("today, within, field", [("26.11.2026", 1, "trial_expiry_today"),
                                                  ("2026-11-26", -1, "trial_expiry_within_days"),
                                                  ("2026-11-26", True, "trial_expiry_within_days")])
def test_expiry_bad_options_name_the_field(today, within, field):
    with pytest.raises(_trial.TrialError) as err:
        _trial.expiry([], today, within)
    assert str(err.value).startswith(field)


def test_manifest_trial_fields_are_checked():
    def problems(trial):
        app = {"id": "app", "servers": SERVERS, "zones": [{"name": "internet", "cidr": "10.1.0.0/24"}],
               "quotas": {"instances": 10, "cores": 10, "ram_mb": 100000, "volumes": 10, "gigabytes": 100},
               "trial": dict(TRIAL, **trial)}
        return [str(p) for p in manifest.semantic_problems(app)]
    assert not [p for p in problems({"test_cidrs": ["192.0.2.0/28"]}) if "trial" in p]
    assert any(p.startswith("application.trial.test_cidrs[0]:") and "anywhere" in p
               for p in problems({"test_cidrs": ["0.0.0.0/0"]}))
    assert any(p.startswith("application.trial.test_cidrs[0]:") for p in problems({"test_cidrs": ["127.0.0.0/24"]}))
    assert any(p.startswith("application.trial.quotas.instances:") for p in problems({"quotas": {"instances": 1}}))
    bogus = manifest.schema_problems({"application": {"trial": dict(TRIAL, quotas={"bogus": 1})}})
    assert any(str(p).startswith("application.trial.quotas") for p in bogus), bogus
    fine = manifest.schema_problems({"application": {"trial": dict(TRIAL, quotas={"instances": 4},
                                                                   test_cidrs=["192.0.2.0/28"])}})
    assert not [p for p in fine if str(p).startswith("application.trial")], fine


def test_expiry_limits_to_the_named_applications_and_reports_in_one_line():
    servers = [cloud_server("a1", meta("old", "2026-11-20")), cloud_server("b1", meta("soon", "2026-12-05")),
               cloud_server("c1", meta("later", "2027-03-01"))]
    got = _trial.expiry(servers, "2026-11-26", 14)
    assert got["report"] == "as of 2026-11-26: ended without promotion: old; ending within 14 days: soon on 2026-12-05"
    only = _trial.expiry(servers, "2026-11-26", 14, ["later"])
    assert only["expired"] == [] and only["ending"] == [] and [r["application"] for r in only["running"]] == ["later"]
    assert only["report"] == "as of 2026-11-26: ended without promotion: none; ending within 14 days: none"
    bad = _trial.expiry([cloud_server("x1", meta("x", "soon"))], "2026-11-26", 14)
    assert bad["report"].endswith("; notes: " + bad["notes"][0])
