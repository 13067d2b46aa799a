# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Units of the decommission preconditions, sanitization plan, deletion steps, leftover scan and certificate
(plugin_utils/_decommission.py); the real runs are molecule/decommission."""
from __future__ import annotations

import pathlib

import pytest
import yaml

from ansible_collections.govcloud.lifecycle.plugins.plugin_utils import _decommission as d
from ansible_collections.govcloud.lifecycle.plugins.plugin_utils._evidence_gates import evaluate
from ansible_collections.govcloud.lifecycle.plugins.plugin_utils.evidence import Ledger

REPO = pathlib.Path(__file__).resolve().parents[4]

APP = "dc-app"
PID = "p1"


def inventory(**resources):
    res = {key: [] for key in d.ORDER}
    res.update(resources)
    return {"project_id": PID, "project": APP, "resources": res}


GATE_MISSING = {"requirements": [
    {"id": "data_handover_confirmed", "description": "data handover confirmed", "status": "missing",
     "reason": "no 'data_handover' record"},
    {"id": "log_retention", "description": "logs retained", "status": "ok", "reason": "seq 3"}]}


def test_preconditions_list_everything_missing_in_one_message():
    verdict = d.preconditions(APP, "", GATE_MISSING, ["secure_decommission_handover_waiver.reason: required"])
    assert not verdict["passed"] and len(verdict["missing"]) == 3
    msg = verdict["message"]
    assert "nothing was wiped or deleted; missing 3" in msg
    assert "secure_decommission_confirm: must equal the application id 'dc-app' (not given)" in msg
    assert "data_handover_confirmed" in msg and "log_retention" not in msg
    assert "waiver.reason" in msg


def test_confirmation_must_be_the_application_id():
    assert "got 'dc-ap'" in d.preconditions(APP, "dc-ap", {})["message"]
    assert d.preconditions(APP, APP, {"requirements": [{"id": "x", "status": "pending"}]})["passed"]


def test_waiver_and_log_retention_input():
    assert d.waiver_problems({}) == []
    assert d.waiver_problems({"approver": "wang"}) == [
        "secure_decommission_handover_waiver.reason: required for a waiver",
        "secure_decommission_handover_waiver.date: required for a waiver"]
    ok = d.log_retention({"mode": "keep", "retention_days": 180, "location": "archive"})
    assert ok["result"] == "pass" and ok["details"]["subject"] == "log_retention"
    short = d.log_retention({"mode": "delete", "retention_days": 90})
    assert short["result"] == "fail" and len(short["problems"]) == 3
    assert "below the 180 days" in " ".join(short["problems"])
    assert d.log_retention({"mode": "keep", "retention_days": True, "location": "x"})["result"] == "fail"


def test_handover_list_covers_data_code_documents_logs():
    inv = inventory(volumes=[{"id": "v1", "name": "data", "size": 1}],
                    snapshots=[{"id": "s1", "name": "snap", "volume_id": "v1"}],
                    images=[{"id": "i1", "name": "img", "disk_format": "qcow2"}])
    items = d.handover_items(inv, {"id": APP, "servers": [{"name": "web", "role": "front"}],
                                   "data": {"classification": "important"}})
    cats = [i["category"] for i in items]
    assert {"data_set", "code", "document", "log"} <= set(cats)
    assert all(i["name"] and i["format"] for i in items)
    assert any("qcow2" == i["format"] for i in items)


SERVERS = [{"id": "srv1", "name": "web"}, {"id": "srv2", "name": "db"}]


def test_wipe_plan_paths():
    inv = inventory(servers=SERVERS, volumes=[
        {"id": "v1", "name": "data", "size": 1, "attachments": []},
        {"id": "v2", "name": "secret", "size": 1, "encrypted": True},
        {"id": "v3", "name": "db", "size": 2, "attachments": [{"server_id": "srv2", "device": "/dev/vdb"}]},
        {"id": "v4", "name": "logs", "size": 1}],
        snapshots=[{"id": "s1", "name": "snap"}], images=[{"id": "i1", "name": "img"}])
    guests = [{"server": "web", "host": "guest1", "devices": {"data": "/dev/spare"}},
              {"server": "srv2", "host": "guest2"}]
    plan = {e["target"]: e for e in d.wipe_plan(inv, guests, ["guest1"])}
    assert plan["volume:v1"]["path"] == "in_guest" and plan["volume:v1"]["device"] == "/dev/spare"
    assert plan["volume:v1"]["duty"] == "customer" and plan["volume:v1"]["method"] == "Clear"
    assert plan["volume:v2"]["path"] == "crypto_erase" and plan["volume:v2"]["method"] == "Purge"
    # guest2 is mapped (attachment device) but not reachable: the provider clears
    assert plan["volume:v3"]["path"] == "provider_clear" and "guest2" in plan["volume:v3"]["reason"]
    assert plan["volume:v4"]["path"] == "provider_clear"
    assert plan["snapshot:s1"]["duty"] == plan["image:i1"]["duty"] == "cloud_service_provider"
    assert "an image" in plan["image:i1"]["reason"]
    reachable = {e["target"]: e for e in d.wipe_plan(inv, guests, ["guest1", "guest2"])}
    assert reachable["volume:v3"]["device"] == "/dev/vdb"
    # media certified by an earlier (killed) run are neither wiped nor recorded again
    assert "volume:v1" not in {e["target"] for e in d.wipe_plan(inv, guests, ["guest1"], ["volume:v1"])}
    with pytest.raises(d.DecommissionError, match="^secure_decommission_guests: "):
        d.wipe_plan(inv, [{"server": "web"}], [])


def test_wipe_records_carry_certificate_fields_and_duty():
    inv = inventory(servers=SERVERS, volumes=[
        {"id": "v1", "name": "data", "size": 1}, {"id": "v2", "name": "enc", "encrypted": True},
        {"id": "v4", "name": "l"}])
    plan = d.wipe_plan(inv, [{"server": "web", "host": "g", "devices": {"v1": "/dev/spare"}}], ["g"])
    cert = {"media": "/dev/spare (loop0, 64 bytes)", "method": "Clear", "tool": "govcloud.lifecycle.block_wipe",
            "tool_version": "1.0.0", "verification": "full read-back: pass", "date": "2026-01-01"}
    wipe = {"certificate": cert, "verification": {"result": "pass"}, "changed": True}
    recs = {r["targets"][0]: r for r in d.wipe_records(plan, {"volume:v1": wipe}, "auditor", "2026-11-26",
                                                       operator="ops")}
    guest = recs["volume:v1"]
    assert guest["result"] == "pass" and guest["actor"] == "ops" and guest["targets"] == ["volume:v1", "g:/dev/spare"]
    for field in ("media", "method", "tool", "tool_version", "verification", "verification_result", "validator", "date"):
        assert guest["details"][field], field
    assert guest["details"]["date"] == "2026-11-26" and guest["details"]["duty"]["clear"] == "customer"
    assert recs["volume:v2"]["result"] == "info" and recs["volume:v2"]["details"]["method"] == "Purge"
    assert recs["volume:v4"]["result"] == "gap" and recs["volume:v4"]["party"] == "cloud_service_provider"
    failed = d.wipe_records(plan, {"volume:v1": {"failed": True, "msg": "refusing: mounted"}})
    assert failed[0]["result"] == "fail" and "mounted" in failed[0]["details"]["verification"]
    missing = d.wipe_records(plan, {})
    assert missing[0]["result"] == "fail"


def read(key, resources, **item):
    return {"item": dict({"key": key}, **item), "resources": resources}


def test_step_queries_and_targets():
    assert d.step_queries("servers", PID)[0]["parameters"] == {"all_projects": True, "project_id": PID}
    assert d.step_queries("security_groups", PID)[0]["parameters"] == {}
    assert [q["key"] for q in d.step_queries("keypairs", PID, [{"id": "u1"}])] == ["keypairs"]
    with pytest.raises(d.DecommissionError, match="^step: "):
        d.step_queries("everything", PID)
    ports = [{"id": "a", "device_owner": "network:router_interface"}, {"id": "b", "device_owner": "compute:nova"},
             {"id": "c", "device_owner": "network:dhcp"}, {"id": "d", "device_owner": ""}]
    assert [p["id"] for p in d.step_targets([read("ports", ports)], "ports", PID)["delete"]] == ["b", "d"]
    groups = [{"id": "g1", "project_id": PID, "name": "default"}, {"id": "g2", "project_id": "other"}]
    assert [g["id"] for g in d.step_targets([read("security_groups", groups)], "security_groups", PID)["delete"]] \
        == ["g1"]
    assignments = [{"role": {"id": "r"}, "user": {"id": "u1"}, "scope": {"project": {"id": PID}}},
                   {"role": {"id": "r"}, "group": {"id": "g1"}, "scope": {"project": {"id": PID}}}]
    ra = d.step_targets([read("role_assignments", assignments)], "role_assignments", PID)["delete"]
    assert {(a.get("user"), a.get("group")) for a in ra} == {("u1", None), (None, "g1")}


def test_users_kept_when_they_hold_roles_elsewhere_and_planned_ones_deleted_after_a_kill():
    users = [{"id": "u1", "name": "a"}, {"id": "u2", "name": "b"}, {"id": "u3", "name": "shared"},
             {"id": "u9", "name": "stranger"}]
    everywhere = [{"role": {"id": "r"}, "user": {"id": "u3"}, "scope": {"project": {"id": "other"}}},
                  {"role": {"id": "r"}, "user": {"id": "u1"}, "scope": {"project": {"id": PID}}},
                  {"role": {"id": "r"}, "user": {"id": "u9"}, "scope": {"project": {"id": "other"}}}]
    # u2 lost its assignment in a killed run: only the plan still names it
    out = d.step_targets([read("users", users), read("all_assignments", everywhere)], "users", PID, ["u2", "u3"])
    assert [u["id"] for u in out["delete"]] == ["u1", "u2"]
    assert out["keep"][0]["id"] == "u3" and "other" in out["keep"][0]["reason"]


def test_leftovers_and_certificate():
    clean = d.leftovers(PID, [read("networks", []), read("security_groups", [{"id": "x", "project_id": "other"}])], [])
    assert clean["total"] == 0 and clean["result"] == "pass"
    left = d.leftovers(PID, [read("security_groups", [{"id": "x", "project_id": PID}])], [], [{"id": "u1"}], [], True)
    assert left["total"] == 3 and left["counts"]["project"] == 1 and left["result"] == "fail"
    wipes = [{"seq": 4, "actor": "ops", "result": "fail", "targets": ["volume:v1", "g:/dev/spare"],
              "details": {"method": "Clear", "verification_result": "fail"}},
             {"seq": 7, "actor": "ops", "result": "pass", "targets": ["volume:v1", "g:/dev/spare"],
              "details": {"method": "Clear", "verification": "full read-back: pass", "validator": "aud",
                          "duty": {"clear": "customer"}, "date": "2026-11-26"}},
             {"seq": 5, "actor": "ops", "result": "gap", "targets": ["snapshot:s1"], "details": {"method": "Clear"}}]
    cert = d.certificate(APP, wipes, clean, "ops", "aud", "2026-11-26")
    assert cert["result"] == "gap" and cert["details"]["outstanding_provider"] == ["snapshot:s1"]
    assert [i["seq"] for i in cert["details"]["items"]] == [5, 7]  # the latest record of each medium counts
    assert cert["details"]["document"] == d.CERTIFICATE
    assert d.certificate(APP, wipes[1:2], clean)["result"] == "pass"
    assert d.certificate(APP, wipes[1:2], left)["result"] == "fail"


def test_gates_accept_a_waiver_and_need_log_retention(tmp_path):
    with Ledger(tmp_path / "ev") as ledger:
        gate = evaluate(ledger, APP, "sanitization")
        assert gate["missing"] == ["data_handover_confirmed", "log_retention"]
        ledger.append(application=APP, kind="approval", details={
            "approver": "wang", "decision": "approved", "date": "2026-11-26", "subject": d.WAIVER_SUBJECT,
            "reason": "data already migrated to the provincial platform"})
        retention = d.log_retention({"mode": "keep", "retention_days": 120, "location": "archive"})
        ledger.append(application=APP, kind="control_check", stage="data_handover", result=retention["result"],
                      details=retention["details"])
        gate = evaluate(ledger, APP, "sanitization")
        assert gate["failed"] == ["log_retention"] and gate["missing"] == []
        retention = d.log_retention({"mode": "keep", "retention_days": 200, "location": "archive"})
        ledger.append(application=APP, kind="control_check", stage="data_handover", result="pass",
                      details=retention["details"])
        assert evaluate(ledger, APP, "sanitization")["passed"]
        # provider-side duties do not hold up deletion, a failed wipe does
        ledger.append(application=APP, kind="wipe", result="gap", details={"method": "Clear", "verification": "x"})
        gate = evaluate(ledger, APP, "decommission")
        assert gate["passed"] and gate["items"][1]["status"] == "pending"
        ledger.append(application=APP, kind="wipe", result="fail", details={"method": "Clear", "verification": "x"})
        assert evaluate(ledger, APP, "decommission")["failed"] == ["wipes_passed"]


def test_input_problems_and_what_a_dry_run_counts_as_met():
    assert d.input_problems({}, {}) == []
    retention = {"mode": "keep", "retention_days": 30, "location": "a"}
    problems = d.input_problems({"reason": "x", "approver": "y"}, retention)
    assert problems == ["secure_decommission_handover_waiver.date: required for a waiver",
                        "secure_decommission_log_retention.retention_days: 30 is below the 180 days (6 months) "
                        "required"]
    verdict = d.preconditions(APP, APP, GATE_MISSING, recorded_by_run=["data_handover_confirmed"])
    assert verdict["passed"] and "data_handover_confirmed recorded from this run's input" in verdict["message"]


def test_unrecorded_deletions_name_what_an_interrupted_run_deleted_without_its_record():
    from ansible_collections.govcloud.lifecycle.plugins.plugin_utils._decommission import unrecorded_deletions
    plan = {"inventory": {"resources": {
        "ports": [{"id": "p1", "name": "port-a"}, {"id": "p2", "name": "port-b"}],
        "routers": [{"id": "r1", "name": "rt"}], "networks": [{"id": "n1", "name": "net"}],
        "role_assignments": [{"id": "role:user:u1"}]}}}
    later = {"inventory": {"resources": {"ports": [{"id": "p2", "name": "port-b"}], "networks": [{"id": "n1"}]}}}
    current = {"resources": {"networks": [{"id": "n1", "name": "net"}]}}
    records = [
        {"result": "changed", "details": {"resource": {"type": "port", "id": "p1", "state": "absent"}}},
        # a router deleted by name (= its id) with its record
        {"result": "changed", "details": {"resource": {"type": "router", "name": "r1", "state": "absent"}}},
        # a failed deletion is no deletion
        {"result": "fail", "details": {"resource": {"type": "port", "id": "p2", "state": "absent"}}},
    ]
    lost = unrecorded_deletions([plan, later], current, records, ["8.1.4.8"])
    assert [(r["details"]["resource"]["type"], r["details"]["resource"]["id"]) for r in lost] == [("port", "p2")]
    assert lost[0]["stage"] == "decommission" and lost[0]["clauses"] == ["8.1.4.8"] and lost[0]["targets"] == ["p2"]
    # the project gone: every planned resource without a record, once, role assignments left out
    gone = unrecorded_deletions([plan, later], {}, records[:2])
    assert sorted(r["targets"][0] for r in gone) == ["n1", "p2"]
    assert unrecorded_deletions([], current, records) == []


def test_a_keypair_is_known_by_its_user_and_name_across_runs():
    """A keypair's id is its name: a record of an earlier round's user's "admin" keypair, or another user's keypair
    of that name still in the cloud, must not pass for the record of this user's (molecule/decommission, round 3)."""
    from ansible_collections.govcloud.lifecycle.plugins.plugin_utils._decommission import unrecorded_deletions
    plan = {"inventory": {"resources": {"keypairs": [{"id": "admin", "name": "admin", "user_id": "u2"},
                                                     {"id": "admin", "name": "admin", "user_id": "u3"}]}}}
    earlier = [{"result": "changed", "details": {"resource": {"type": "keypair", "id": "admin", "name": "admin",
                                                              "user": "u1", "state": "absent"}}}]
    current = {"resources": {"keypairs": [{"id": "admin", "name": "admin", "user_id": "u3"}]}}
    lost = unrecorded_deletions([plan], current, earlier)
    assert [r["details"]["resource"] for r in lost] == [
        {"type": "keypair", "id": "admin", "name": "admin", "state": "absent", "user": "u2"}]
    # its own record, once there, is found
    assert unrecorded_deletions([plan], current, earlier + [{"result": "changed", "details": lost[0]["details"]}]) == []


def test_every_writer_names_a_kind_by_one_type():
    from ansible_collections.govcloud.lifecycle.plugins.plugin_utils import _decommission as D
    plan = {"inventory": {"resources": {"floating_ips": [{"id": "f1"}], "application_creds": [{"id": "a1"}],
                                        "keypairs": [{"id": "kp", "name": "kp"}], "users": [{"id": "u1"}]}}}
    lost = D.unrecorded_deletions([plan], {}, [])
    assert {r["details"]["resource"]["type"] for r in lost} == {"ip", "application_credential", "keypair", "user"}
    # the types the role's deleters use (vars/main.yml) are these same names
    deleters = yaml.safe_load((REPO / "roles" / "secure_decommission" / "vars" / "main.yml").read_text(
        encoding="utf-8"))["secure_decommission__deleters"]
    assert {k: v["type"] for k, v in deleters.items()} == {k: D.TYPE_OF[k] for k in deleters}


def test_no_log_deletions_get_one_record_per_deleted_item():
    from ansible_collections.govcloud.lifecycle.plugins.plugin_utils._decommission import deletion_records
    results = [
        {"changed": True, "status": 202, "item": {"id": "kp-a", "name": "kp-a", "user_id": "u1"}},
        {"changed": False, "status": 404, "item": {"id": "kp-b", "name": "kp-b", "user_id": "u1"}},
    ]
    recs = deletion_records(results, "keypairs", ["8.1.4.8"])
    assert [r["details"]["resource"] for r in recs] == [
        {"type": "keypair", "id": "kp-a", "name": "kp-a", "state": "absent", "user": "u1"}]
    assert recs[0]["result"] == "changed" and recs[0]["stage"] == "decommission" and recs[0]["targets"] == ["kp-a"]
    assert deletion_records([], "keypairs") == []
