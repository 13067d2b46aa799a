# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""manifest_validate and the intake playbook through real ansible-playbook runs (controller only, no cloud)."""

from __future__ import annotations

import datetime
import json
import os
import pathlib
import random
import re
import sqlite3
import subprocess
import sys

import pytest
import yaml

sys.path.insert(0, str(pathlib.Path(__file__).parent))
import manifest_cases as C  # noqa: E402  pylint: disable=wrong-import-position
from forgery import forge  # noqa: E402  pylint: disable=wrong-import-position
from playbook_env import PLAYBOOK_BIN, playbook_env  # noqa: E402  pylint: disable=wrong-import-position

M = C.M
REPO = C.REPO
INVENTORY = REPO / "inventories" / "example"
SAMPLE = 20


@pytest.fixture
def env(tmp_path):
    environ = playbook_env(tmp_path)
    environ.pop("GOVCLOUD_IMAGE", None)
    return environ


def playbook(env, *args):
    run = subprocess.run([str(PLAYBOOK_BIN), "-i", str(INVENTORY)] + [str(a) for a in args], cwd=str(REPO), env=env,
                         capture_output=True, text=True, timeout=300, check=False)
    return run.returncode, run.stdout + run.stderr


def test_sample_of_invalid_manifests_fails_cleanly_through_ansible(env, tmp_path):
    cases = []
    for i in range(SAMPLE):
        mutation = C.MUTATIONS[i % len(C.MUTATIONS)]
        manifest, path = C.mutated(mutation, random.Random(1000 + i))
        cases.append({"name": mutation.__name__, "manifest": manifest, "path": path})
    (tmp_path / "cases.json").write_text(json.dumps({"cases": cases}, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "play.yml").write_text("""
- name: Validate generated manifests
  hosts: controller
  gather_facts: false
  vars_files: [cases.json]
  tasks:
    - name: Validate each case
      govcloud.lifecycle.manifest_validate:
        manifest: "{{ item.manifest }}"
        flavors: "{{ govcloud_flavors }}"
        cloud_reserved_cidrs: "{{ govcloud_cloud_reserved_cidrs }}"
        gate: application
      loop: "{{ cases }}"
      register: checked
      ignore_errors: true  # the test reads each failure
    - name: Keep the results
      ansible.builtin.copy:
        content: "{{ checked.results | to_json }}"
        dest: "%s"
        mode: "0600"
    - name: Fail on the first case for real
      govcloud.lifecycle.manifest_validate:
        manifest: "{{ cases[0].manifest }}"
""" % (tmp_path / "results.json"), encoding="utf-8")
    rc, output = playbook(env, tmp_path / "play.yml")
    assert rc == 2, output
    assert "Traceback" not in output and "Unexpected failure" not in output, output
    assert cases[0]["path"] in output
    results = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert len(results) == SAMPLE
    for case, result in zip(cases, results):
        # ansible-core puts this placeholder on every failure; a crash would carry the traceback text instead
        assert result.get("exception", "(traceback unavailable)") == "(traceback unavailable)", result["exception"]
        assert "Unexpected failure" not in result["msg"]
        assert result["failed"] is True and result["valid"] is False, (case["name"], result)
        assert result["changed"] is False
        assert any(p.startswith(case["path"] + ":") for p in result["problems"]), (case["name"], result["problems"])
        assert result["manifest"] == {}


def _ledger(directory, key):
    from ansible_collections.govcloud.lifecycle.plugins.plugin_utils.evidence import Ledger
    return Ledger(str(directory), key_file=str(key))


def test_intake_records_the_application_and_the_allocation_gate_reads_the_approval(env, tmp_path):
    evidence, key = tmp_path / "evidence", tmp_path / "evidence-signing.pem"
    rc, output = playbook(env, REPO / "playbooks" / "manifest.yml", "--check", "-e", "govcloud_manifest_gate=allocation")
    assert rc == 2 and "no approval by the cloud management unit is recorded" in output, output
    # The gate itself writes nothing; with ansible.cfg's evidence callback on, the failed task may be logged.
    if (evidence / "ledger.sqlite").exists():
        kinds = {r["kind"] for r in _ledger(evidence, key).records()}
        assert kinds <= {"task"}, "the gate must not write records of its own: %s" % kinds

    rc, output = playbook(env, REPO / "playbooks" / "intake.yml")
    assert rc == 0, output
    app = C.example()
    for server in app["servers"]:
        server["image"] = "devcloud-tiny"
    expected = M.digest(M.validate(app, **C.check_kwargs())[0])
    records = [r for r in _ledger(evidence, key).records(application="jx-bdcdj", stage="application")
               if r["kind"] != "task"]
    assert len(records) == 1
    assert records[0]["details"]["manifest_sha256"] == expected
    assert records[0]["details"]["mlps_level"] == 3

    rc, output = playbook(env, REPO / "playbooks" / "manifest.yml", "-e", "govcloud_manifest_gate=allocation")
    assert rc == 2 and "no approval by the cloud management unit is recorded" in output, output

    _ledger(evidence, key).append(
        application="jx-bdcdj", stage="approval", kind="approval", party="management_unit", actor="cloud-admin",
        result="pass", summary="上线申请 approved",
        details={"approver": "江西省信息中心", "decision": "approved", "date": "2026-11-20",
                 "manifest_sha256": expected})
    rc, output = playbook(env, REPO / "playbooks" / "manifest.yml", "-e", "govcloud_manifest_gate=allocation")
    assert rc == 0, output

    changed = dict(C.example(), description="另一个系统 another system")
    (tmp_path / "changed.json").write_text(json.dumps({"application": changed}, ensure_ascii=False), encoding="utf-8")
    rc, output = playbook(env, REPO / "playbooks" / "manifest.yml", "-e", "govcloud_manifest_gate=allocation",
                          "-e", "@%s" % (tmp_path / "changed.json"))
    assert rc == 2 and "needs a new approval" in output, output


def test_govcloud_evidence_dir_in_the_inventory_takes_every_record_of_a_stage(env, tmp_path):
    """One name for the seam: set in an inventory, the callback, the actions and the gates all use that one ledger
    (the environment variable, which the env fixture also sets, is only the fallback); a refused intake is filed
    under stage application."""
    import shutil
    inventory = tmp_path / "inventory"
    shutil.copytree(INVENTORY, inventory)
    chosen = tmp_path / "chosen-ledger"
    (inventory / "group_vars" / "all" / "zz_evidence_dir.yml").write_text("govcloud_evidence_dir: %s\n" % chosen)
    bad = dict(C.example(), zones=[dict(C.example()["zones"][0], cidr="10.36.20.0/33")])
    (tmp_path / "bad.json").write_text(json.dumps({"application": bad}, ensure_ascii=False), encoding="utf-8")

    def run(*args):
        proc = subprocess.run([str(PLAYBOOK_BIN), "-i", str(inventory)] + [str(a) for a in args], cwd=str(REPO),
                              env=env, capture_output=True, text=True, timeout=300, check=False)
        return proc.returncode, proc.stdout + proc.stderr

    rc, output = run(REPO / "playbooks" / "intake.yml", "-e", "@%s" % (tmp_path / "bad.json"))
    assert rc == 2 and "10.36.20.0/33" in output, output
    rc, output = run(REPO / "playbooks" / "intake.yml")
    assert rc == 0, output
    rc, output = run(REPO / "playbooks" / "approve.yml", "-e", "govcloud_approval_approver=江西省信息中心",
                     "-e", "govcloud_approval_decision=approved")
    assert rc == 0, output
    rc, output = run(REPO / "playbooks" / "manifest.yml", "-e", "govcloud_manifest_gate=allocation")
    assert rc == 0, output
    assert not (tmp_path / "evidence").exists(), "a record went to the environment's ledger"
    records = list(_ledger(chosen, tmp_path / "evidence-signing.pem").records())
    kinds = sorted({(r["stage"], r["kind"], r["result"]) for r in records})
    assert ("application", "task", "fail") in kinds, kinds  # the refused intake, by the callback, as application
    assert ("application", "application", "info") in kinds and ("approval", "approval", "pass") in kinds, kinds
    assert not [r for r in records if r["stage"] == "deployment"], kinds
    assert _ledger(chosen, tmp_path / "evidence-signing.pem").verify(require_witness=True)["ok"]


@pytest.mark.parametrize("place", ["inventory", "pin-dir"])
def test_intake_pins_the_key_id_and_a_replaced_key_is_refused(env, tmp_path, place):
    """The pin lives in the operator's inventory (or a directory of pins, one per application): it holds even
    against someone who can replace the ledger, its key and the witness (everything the writer's file access
    reaches) — read by every later run without being passed in."""
    import shutil
    inventory = tmp_path / "inventory"
    shutil.copytree(INVENTORY, inventory, ignore=shutil.ignore_patterns("evidence_key.yml"))
    env = dict(env)
    if place == "inventory":
        env.pop("GOVCLOUD_EVIDENCE_KEY_PIN_DIR")  # the default place: the inventory's group_vars
        pin = inventory / "group_vars" / "all" / "evidence_key.yml"
    else:
        env["GOVCLOUD_EVIDENCE_KEY_PIN_DIR"] = str(tmp_path / "pins" / "not-yet-there")
        pin = tmp_path / "pins" / "not-yet-there" / "jx-bdcdj.yml"
        assert not (inventory / "group_vars" / "all" / "evidence_key.yml").exists()

    def run(*args):
        proc = subprocess.run([str(PLAYBOOK_BIN), "-i", str(inventory)] + [str(a) for a in args], cwd=str(REPO),
                              env=env, capture_output=True, text=True, timeout=300, check=False)
        return proc.returncode, proc.stdout + proc.stderr

    rc, output = run(REPO / "playbooks" / "intake.yml", "--check")
    assert rc == 0 and not pin.exists(), output
    rc, output = run(REPO / "playbooks" / "intake.yml")
    assert rc == 0, output
    evidence, key = tmp_path / "evidence", tmp_path / "evidence-signing.pem"
    key_id = _ledger(evidence, key).verify()["key_id"]
    assert yaml.safe_load(pin.read_text(encoding="utf-8")) == {"govcloud_evidence_key_id": key_id}
    before = pin.read_bytes()
    rc, output = run(REPO / "playbooks" / "intake.yml")
    assert rc == 0 and re.search(r"localhost\s+: ok=\d+\s+changed=0 ", output), output
    assert pin.read_bytes() == before
    # ledger, key and witness replaced: the writer refuses the new key, naming both ids, and writes nothing
    shutil.rmtree(evidence)
    key.unlink()
    shutil.rmtree(os.environ["GOVCLOUD_WITNESS_DIR"])
    rc, output = run(REPO / "playbooks" / "intake.yml")
    assert rc == 2 and key_id in output, output
    new_id = re.search(r"key id ([0-9a-f]{32})", output.replace(key_id, "")).group(1)
    assert new_id != key_id
    assert not (evidence / "ledger.sqlite").exists() or _ledger(evidence, key).count() == 0, output
    assert pin.read_bytes() == before
    if place == "pin-dir":
        assert not (inventory / "group_vars" / "all" / "evidence_key.yml").exists()
        # a pin that cannot be read is refused, never taken for "no pin"
        pin.write_text("govcloud_evidence_key_id: [\n", encoding="utf-8")
        rc, output = run(REPO / "playbooks" / "intake.yml")
        assert rc == 2 and "key id pin %s: cannot be read" % pin in output, output


_FORGED_APPROVAL = dict(application="jx-bdcdj", stage="approval", kind="approval", party="management_unit",
                        result="pass", summary="上线申请 approved",
                        details={"approver": "江西省信息中心", "decision": "approved", "date": "2026-11-20"})


@pytest.mark.parametrize("garbage", [False, True], ids=["chained-no-key", "garbage-hash"])
def test_a_forged_approval_opens_no_gate_and_stops_the_next_run(env, tmp_path, garbage):
    evidence, key = tmp_path / "evidence", tmp_path / "evidence-signing.pem"
    rc, output = playbook(env, REPO / "playbooks" / "intake.yml")
    assert rc == 0, output
    seq = forge(evidence / "ledger.sqlite", _FORGED_APPROVAL, garbage_hash=garbage)

    def state():
        conn = sqlite3.connect(str(evidence / "ledger.sqlite"))
        try:
            rows = conn.execute("SELECT seq, hash FROM records ORDER BY seq").fetchall()
            seals = conn.execute("SELECT seq, sig FROM seals ORDER BY seq").fetchall()
        finally:
            conn.close()
        return rows, seals, (evidence / "ledger.anchors").read_bytes()
    before = state()

    rc, output = playbook(env, REPO / "playbooks" / "manifest.yml", "-e", "govcloud_manifest_gate=allocation")
    assert rc == 2 and "does not verify at record %d" % seq in output, output
    (tmp_path / "gate.yml").write_text("""
- name: Gate
  hosts: controller
  gather_facts: false
  tasks:
    - name: Resource allocation gate
      govcloud.lifecycle.lifecycle_gate:
        application: jx-bdcdj
        stage: resource_allocation
""")
    rc, output = playbook(env, tmp_path / "gate.yml")
    assert rc == 2 and "does not verify at record %d" % seq in output, output
    # the next stage run stops before it writes: neither the ledger nor the anchor file changed
    rc, output = playbook(env, REPO / "playbooks" / "approve.yml", "-e", "govcloud_approval_approver=王建国",
                          "-e", "govcloud_approval_decision=approved")
    assert rc == 2 and "record %d" % seq in output, output
    assert state() == before
    report = _ledger(evidence, key).verify()
    assert not report["ok"] and report["first_bad_seq"] == seq


def test_approve_records_its_subject_and_only_application_approvals_open_allocation(env, tmp_path):
    evidence, key = tmp_path / "evidence", tmp_path / "evidence-signing.pem"
    approve = REPO / "playbooks" / "approve.yml"

    def approvals():
        if not (evidence / "ledger.sqlite").exists():
            return []
        return list(_ledger(evidence, key).records(application="jx-bdcdj", kind="approval"))

    rc, output = playbook(env, approve, "-e", "govcloud_approval_approver=王建国", "-e", "govcloud_approval_decision=approved",
                          "-e", "govcloud_approval_subject=go-live")
    assert rc == 2 and "govcloud_approval_subject" in output and "got 'go-live'" in output, output
    assert approvals() == []

    rc, output = playbook(env, approve, "-e", "govcloud_approval_approver=江西省信息中心",
                          "-e", "govcloud_approval_decision=approved")
    assert rc == 0, output
    rc, output = playbook(env, approve, "-e", "govcloud_approval_approver=王建国", "-e", "govcloud_approval_decision=rejected",
                          "-e", "govcloud_approval_subject=promotion", "-e", "govcloud_approval_reference=赣自然资函〔2026〕58号")
    assert rc == 0, output
    recorded = approvals()
    assert [(r["details"]["subject"], r["result"]) for r in recorded] == [("application", "pass"), ("promotion", "fail")]
    assert recorded[1]["details"]["reference"] == "赣自然资函〔2026〕58号" and "正式运行" in recorded[1]["summary"]
    # a supervisor's rejection of going into operation is not the management unit's word on the application
    rc, output = playbook(env, REPO / "playbooks" / "manifest.yml", "-e", "govcloud_manifest_gate=allocation")
    assert rc == 0, output


def test_trial_playbook_refuses_an_application_in_formal_operation_before_any_cloud_call(env, tmp_path):
    evidence, key = tmp_path / "evidence", tmp_path / "evidence-signing.pem"
    trial = REPO / "playbooks" / "trial.yml"
    env = dict(env, OS_CLOUD="no-such-cloud")
    env.pop("GOVCLOUD_HANDOVER_VAULT_PASSWORD", None)
    rc, output = playbook(env, trial, "-e", "trial_in_formal_operation=skp")
    assert rc == 2 and "trial_in_formal_operation: skp is not fail or skip; nothing was changed" in output, output
    # in the trial run the phase check passes and the next check (the hand-over vault password) stops it
    rc, output = playbook(env, trial)
    assert rc == 2 and "GOVCLOUD_HANDOVER_VAULT_PASSWORD: not set" in output, output

    _ledger(evidence, key).append(
        application="jx-bdcdj", stage="formal_operation", kind="stage_result", party="cloud_service_provider",
        actor="ops", result="pass", summary="正式运行", details={"date": "2026-11-20"})
    seq = max(r["seq"] for r in _ledger(evidence, key).records(application="jx-bdcdj"))
    # deploying and completing the trial are both refused; skip ends both without a change or a guest touched
    for extra in ((), ("-e", "trial_conclusion=completed")):
        rc, output = playbook(env, trial, *extra)
        assert rc == 2, output
        assert ("jx-bdcdj is in formal operation since 2026-11-20 (ledger seq %d): playbooks/trial.yml deploys into "
                "the trial run only; nothing was changed" % seq) in output, output
        assert "GOVCLOUD_HANDOVER_VAULT_PASSWORD" not in output and "Deploy into the trial run" not in output

        rc, output = playbook(env, trial, *extra, "-e", "trial_in_formal_operation=skip")
        assert rc == 0, output
        assert "jx-bdcdj is in formal operation since 2026-11-20: nothing to deploy or record" in output, output
        assert "changed=0" in output and "Deploy into the trial run" not in output and "Log baseline" not in output


def test_record_playbooks_refuse_a_date_in_the_future_and_record_nothing(env, tmp_path):
    evidence, key = tmp_path / "evidence", tmp_path / "evidence-signing.pem"
    # two days ahead and one back: a future date under any time zone, a past one even across midnight
    future = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=2)).date().isoformat()
    past = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=1)).date().isoformat()
    filing = REPO / "playbooks" / "record_filing.yml"
    args = ("-e", "govcloud_filing_number=36010099000-26001", "-e", "govcloud_filing_authority=南昌市公安局网安支队")
    rc, output = playbook(env, filing, *args, "-e", "govcloud_filing_date=" + future)
    assert rc == 2, output
    assert ("1 field(s) wrong, nothing recorded: govcloud_filing_date: %s is not a date YYYY-MM-DD not in the future"
            % future) in output, output
    assert not (evidence / "ledger.sqlite").exists() or not list(_ledger(evidence, key).records(kind="filing"))

    rc, output = playbook(env, filing, *args, "-e", "govcloud_filing_date=" + past)
    assert rc == 0, output
    assert [r["details"]["date"] for r in _ledger(evidence, key).records(kind="filing")] == [past]
