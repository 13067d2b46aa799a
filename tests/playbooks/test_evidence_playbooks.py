# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Playbook-level tests: real ansible-playbook runs of the evidence action plugins and the callback.

The playbooks are written per test into a temporary directory (several of them are wrong on purpose).
Needs `make collection` (the checkout linked under .work/collections).
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import sqlite3
import subprocess
import sys
import textwrap

import pytest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
COLLECTIONS = os.path.join(REPO, ".work", "collections")
PLAYBOOK_BIN = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")

if not os.path.isdir(os.path.join(COLLECTIONS, "ansible_collections", "govcloud", "lifecycle")):
    pytest.fail("run `make collection` first: %s does not hold govcloud.lifecycle" % COLLECTIONS, pytrace=False)


def run_playbook(tmp_path, playbook, callback=True, extra_args=(), application="pbtest", callback_ini=""):
    """Run a playbook with the json stdout callback; return (rc, parsed output, stderr)."""
    cfg = tmp_path / "ansible.cfg"
    cfg.write_text(textwrap.dedent("""\
        [defaults]
        collections_path = %s
        stdout_callback = ansible.posix.json
        retry_files_enabled = False
        %s
        [callback_evidence]
        application = %s
        %s
        """) % (COLLECTIONS, "callbacks_enabled = govcloud.lifecycle.evidence" if callback else "",
                application, callback_ini))
    (tmp_path / "hosts").write_text('localhost ansible_connection=local ansible_python_interpreter="%s"\n'
                                    % sys.executable)
    (tmp_path / "playbook.yml").write_text(textwrap.dedent(playbook))
    env = dict(os.environ, ANSIBLE_CONFIG=str(cfg), GOVCLOUD_EVIDENCE_KEY=str(tmp_path / "key" / "sign.pem"),
               ANSIBLE_HOME=str(tmp_path / "ansible-home"), ANSIBLE_LOCAL_TEMP=str(tmp_path / "ansible-tmp"))
    for name in ("GOVCLOUD_EVIDENCE_DIR", "GOVCLOUD_EVIDENCE_ANCHOR", "GOVCLOUD_EVIDENCE_APPLICATION"):
        env.pop(name, None)
    proc = subprocess.run([PLAYBOOK_BIN, "-i", str(tmp_path / "hosts"), str(tmp_path / "playbook.yml")]
                          + list(extra_args), cwd=str(tmp_path), env=env, capture_output=True, text=True,
                          timeout=300, check=False)
    try:
        output = json.loads(proc.stdout[proc.stdout.index("{"):])
    except ValueError:
        pytest.fail("ansible-playbook printed no JSON (rc %d):\n%s\n%s" % (proc.returncode, proc.stdout, proc.stderr))
    return proc.returncode, output, proc.stderr


def task_results(output):
    """{task name: result on localhost} over every play."""
    return {task["task"]["name"]: task["hosts"]["localhost"]
            for play in output["plays"] for task in play["tasks"] if "localhost" in task["hosts"]}


def count_records(directory):
    path = os.path.join(str(directory), "ledger.sqlite")
    if not os.path.exists(path):
        return None
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT count(*) FROM records").fetchone()[0]
    finally:
        conn.close()


# ------------------------------------------------------------------------------------------- behaviour

BEHAVIOUR = """\
- name: Evidence modules behave
  hosts: localhost
  gather_facts: false
  vars:
    ev: "{{ playbook_dir }}/evidence/demo"
    approval:
      approver: Li Wei
      decision: approved
      date: "2026-03-02"
  tasks:
    - name: Record (check)
      govcloud.lifecycle.evidence_record:
        application: demo
        kind: approval
        details: "{{ approval }}"
      check_mode: true
      diff: true
      register: check_run
    - name: Ledger after check mode
      ansible.builtin.stat:
        path: "{{ ev }}"
      register: after_check
    - name: Record
      govcloud.lifecycle.evidence_record:
        application: demo
        kind: approval
        details: "{{ approval }}"
        once: true
      register: real_run
    - name: Record (idempotent)
      govcloud.lifecycle.evidence_record:
        application: demo
        kind: approval
        details: "{{ approval }}"
        once: true
      register: again
    - name: Record (idempotent, check)
      govcloud.lifecycle.evidence_record:
        application: demo
        kind: approval
        details: "{{ approval }}"
        once: true
      check_mode: true
      register: again_check
    - name: Gate (check)
      govcloud.lifecycle.lifecycle_gate:
        application: demo
        stage: formal_operation
      check_mode: true
      register: gate_check
      failed_when: false
    - name: Gate
      govcloud.lifecycle.lifecycle_gate:
        application: demo
        stage: resource_allocation
      register: gate
    - name: Info
      govcloud.lifecycle.evidence_info:
        application: demo
        kind: [gate]
      register: gates
    - name: Verify
      govcloud.lifecycle.evidence_verify:
        application: demo
      register: verified
    - name: Check the results
      ansible.builtin.assert:
        that:
          - check_run is changed
          - check_run.record.seq == 1
          - check_run.diff.after is search('approver')
          - not after_check.stat.exists
          - real_run is changed and real_run.record.seq == 1 and real_run.anchor.seq == 1
          - again is not changed and again.record.seq == 1
          - again_check is not changed
          - gate_check.passed == false and gate_check.record is not defined
          - gate_check.missing | sort == ['mlps_assessment_passed', 'security_assessment_passed', 'security_scan_passed', 'trial_completed']
          - gate.passed and gate.record.seq == 2
          - gates.matched == 1 and gates.records[0].kind == 'gate'
          - verified.ok and verified.count == 2 and verified.verify.anchor.signed_seq == 2
"""


def test_modules_behave_in_a_playbook(tmp_path):
    rc, output, stderr = run_playbook(tmp_path, BEHAVIOUR, callback=False)
    results = task_results(output)
    assert rc == 0, json.dumps(results.get("Check the results"), indent=1) + stderr
    assert count_records(tmp_path / "evidence" / "demo") == 2

    # an attacker edits record 1; the module names it
    conn = sqlite3.connect(str(tmp_path / "evidence" / "demo" / "ledger.sqlite"))
    conn.execute("DROP TRIGGER records_no_update")
    conn.execute("UPDATE records SET actor = 'someone else' WHERE seq = 1")
    conn.commit()
    conn.close()
    rc, output, stderr = run_playbook(tmp_path, """\
        - name: Verify a tampered ledger
          hosts: localhost
          gather_facts: false
          tasks:
            - name: Verify
              govcloud.lifecycle.evidence_verify:
                application: demo
        """, callback=False)
    result = task_results(output)["Verify"]
    assert rc != 0 and result["failed"] and result["first_bad_seq"] == 1
    assert "at record 1" in result["msg"] and "altered" in result["msg"]


# ------------------------------------------------------------------------------------------- batches

BATCH = """\
- name: Records in one batch
  hosts: localhost
  gather_facts: false
  vars:
    checks:
      - kind: control_check
        stage: hardening
        clauses: ["8.1.4.1.a"]
        result: pass
        details: {control: 8.1.4.1.a-01, actual: "duplicates: none"}
      - kind: control_check
        stage: hardening
        clauses: ["8.1.4.1.b"]
        result: gap
        targets: [web1]
        details: {control: 8.1.4.1.b-03, actual: "TMOUT=unset", db_password: hunter2-secret}
      - kind: mlps_assessment
        details: {assessor_org: C, report_number: R-1, date: "2026-01-01", conclusion: compliant, level: 3}
  tasks:
    - name: Batch (check)
      govcloud.lifecycle.evidence_record:
        application: demo
        records: "{{ checks }}"
      check_mode: true
      diff: true
      register: batch_check
    - name: Ledger after check mode
      ansible.builtin.stat:
        path: "{{ playbook_dir }}/evidence/demo"
      register: after_check
    - name: Batch
      govcloud.lifecycle.evidence_record:
        application: demo
        records: "{{ checks }}"
        once: true
      register: batch
    - name: Batch again (once)
      govcloud.lifecycle.evidence_record:
        application: demo
        records: "{{ checks }}"
        once: true
      register: batch_again
    - name: Batch with an item twice and an empty batch (once)
      govcloud.lifecycle.evidence_record:
        application: demo
        records: ["{{ checks[0] }}", {kind: note, stage: trial, summary: twice}, {kind: note, stage: trial, summary: twice}]
        once: true
      register: batch_twice
    - name: Empty batch
      govcloud.lifecycle.evidence_record:
        application: demo
        records: []
      register: batch_empty
    - name: Batch with one bad item
      govcloud.lifecycle.evidence_record:
        application: demo
        records:
          - {kind: note, stage: trial, summary: fine}
          - {kind: mlps_assessment, details: {assessor_org: C, report_number: R, date: "2026-01-01",
                                              conclusion: compliant, level: three}}
          - {kind: note, stage: trial, summary: also fine}
      register: bad_detail
      ignore_errors: true
    - name: Batch with an unknown field in an item
      govcloud.lifecycle.evidence_record:
        application: demo
        records:
          - {kind: note, stage: trial}
          - {kind: note, stage: trial}
          - {kind: note, stage: trial, colour: red}
      register: bad_field
      ignore_errors: true
    - name: Batch with a bad choice in an item
      govcloud.lifecycle.evidence_record:
        application: demo
        records:
          - {kind: note, stage: retirement}
      register: bad_choice
      ignore_errors: true
    - name: Batch and single-record fields together
      govcloud.lifecycle.evidence_record:
        application: demo
        kind: note
        records:
          - {kind: note, stage: trial}
      register: both
      ignore_errors: true
    - name: Verify
      govcloud.lifecycle.evidence_verify:
        application: demo
      register: verified
    - name: Read back
      govcloud.lifecycle.evidence_info:
        application: demo
      register: stored
    - name: Check the results
      ansible.builtin.assert:
        that:
          - batch_check is changed and not after_check.stat.exists
          - batch_check.records | map(attribute='seq') | list == [1, 2, 3]
          - batch_check.diff.after is search('8.1.4.1.b-03')
          - batch is changed and batch.records | map(attribute='seq') | list == [1, 2, 3]
          - batch.anchor.seq == 3
          - batch.records[0].targets == ['localhost'] and batch.records[1].targets == ['web1']
          - batch.records[2].result == 'pass' and batch.records[2].stage == 'mlps_assessment'
          - batch_again is not changed and batch_again.records == [] and batch_again.existing == [1, 2, 3]
          - bad_detail is failed and bad_detail.msg is search('records\\[1\\]. details.level')
          - bad_field is failed and bad_field.msg is search('records\\[2\\]. .*colour')
          - bad_choice is failed and bad_choice.msg is search('records\\[0\\]. .*stage')
          - both is failed and both.msg is search('mutually exclusive')
          - batch_twice is changed and batch_twice.records | map(attribute='seq') | list == [4]
          - batch_twice.existing == [1]
          - batch_empty is not changed and batch_empty.records == []
          - verified.ok and verified.count == 4 and verified.verify.anchor.signed_seq == 4
          - stored.records | length == 4
"""


def test_batch_is_all_or_nothing_and_names_the_bad_item(tmp_path):
    rc, output, stderr = run_playbook(tmp_path, BATCH, callback=False)
    results = task_results(output)
    assert rc == 0, json.dumps(results.get("Check the results"), indent=1) + stderr
    assert count_records(tmp_path / "evidence" / "demo") == 4  # no item of a failed batch was written
    assert "Traceback" not in stderr
    ledger = (tmp_path / "evidence" / "demo" / "ledger.sqlite").read_bytes()
    assert b"hunter2-secret" not in ledger


# ------------------------------------------------------------------------------------------- bad input

# (task name, module, args, expected text in msg, ledger used)
BAD_INPUT = [
    ("record wrong type details", "evidence_record", {"application": "demo", "kind": "note", "stage": "trial",
                                                      "details": "not a mapping"}, "details", "good"),
    ("record wrong type once", "evidence_record", {"application": "demo", "kind": "note", "stage": "trial",
                                                   "once": "perhaps"}, "once", "good"),
    ("record wrong type level", "evidence_record", {"application": "demo", "kind": "mlps_assessment", "details": {
        "assessor_org": "C", "report_number": "R", "date": "2026-01-01", "conclusion": "compliant",
        "level": "three"}}, "details.level: 'three' is not an integer", "good"),
    ("record unknown kind", "evidence_record", {"application": "demo", "kind": "bogus"},
     "value of kind must be one of", "good"),
    ("record unknown option", "evidence_record", {"application": "demo", "kind": "note", "colour": "red"},
     "Unsupported parameters", "good"),
    ("record bad application", "evidence_record", {"application": "Tax Portal!", "kind": "note", "stage": "trial"},
     "application: 'Tax Portal!' must be a slug", "good"),
    ("record missing artifact", "evidence_record", {"application": "demo", "kind": "note", "stage": "trial",
                                                    "artifacts": ["no-such-file.pdf"]}, "is not a file", "good"),
    ("record approval missing", "evidence_record", {"application": "demo", "kind": "approval",
                                                    "details": {"approver": "Li"}}, "missing: decision, date", "good"),
    ("record filing missing", "evidence_record", {"application": "demo", "kind": "filing",
                                                  "details": {"filing_number": "F-1"}},
     "missing: filing_authority, date", "good"),
    ("record mlps missing", "evidence_record", {"application": "demo", "kind": "mlps_assessment",
                                                "details": {"assessor_org": "C"}},
     "missing: report_number, date, conclusion, level", "good"),
    ("record handover missing", "evidence_record", {"application": "demo", "kind": "data_handover",
                                                    "details": {"items": ["db.dump"]}},
     "missing: confirmed_by, confirmation_date", "good"),
    ("record security missing", "evidence_record", {"application": "demo", "kind": "security_assessment"},
     "missing: assessor_org, report_number, date, conclusion", "good"),
    ("record trial missing", "evidence_record", {"application": "demo", "kind": "trial_completion",
                                                 "details": {"start_date": "2026-01-01"}},
     "missing: end_date, conclusion", "good"),
    ("record application missing", "evidence_record", {"application": "demo", "kind": "application"},
     "missing: applicant_org, system_name, mlps_level, date", "good"),
    ("record wipe missing", "evidence_record", {"application": "demo", "kind": "wipe"},
     "missing: method, verification", "good"),
    ("record unwritable", "evidence_record", {"application": "demo", "kind": "note", "stage": "trial"},
     "cannot create", "unwritable"),
    ("record unwritable (check)", "evidence_record", {"application": "demo", "kind": "note", "stage": "trial"},
     "is not a directory", "unwritable"),
    ("record corrupt", "evidence_record", {"application": "demo", "kind": "note", "stage": "trial"},
     "cannot be opened", "corrupt"),
    ("verify corrupt", "evidence_verify", {"application": "demo"}, "cannot be opened", "corrupt"),
    ("verify absent", "evidence_verify", {"application": "demo"}, "no ledger at", "absent"),
    ("verify wrong type", "evidence_verify", {"application": "demo", "require_anchor": "sometimes"},
     "require_anchor", "good"),
    ("info corrupt", "evidence_info", {"application": "demo"}, "cannot be opened", "corrupt"),
    ("info wrong type limit", "evidence_info", {"application": "demo", "limit": "many"}, "limit", "good"),
    ("info bad since", "evidence_info", {"application": "demo", "since": "yesterday"},
     "since: 'yesterday' is not an ISO-8601", "good"),
    ("info unknown stage", "evidence_info", {"application": "demo", "stage": ["retirement"]},
     "value of stage must be one or more of", "good"),
    ("gate corrupt", "lifecycle_gate", {"application": "demo", "stage": "trial"}, "cannot be opened", "corrupt"),
    ("gate unknown stage", "lifecycle_gate", {"application": "demo", "stage": "retirement"},
     "value of stage must be one of", "good"),
    ("gate wrong type window", "lifecycle_gate", {"application": "demo", "stage": "trial",
                                                  "filing_window_days": "a month"}, "filing_window_days", "good"),
    ("gate negative window", "lifecycle_gate", {"application": "demo", "stage": "trial", "filing_window_days": -1,
                                                "record": False}, "filing_window_days: must be a non-negative", "good"),
    ("gate bad as_of", "lifecycle_gate", {"application": "demo", "stage": "trial", "as_of": "someday"},
     "as_of: 'someday'", "good"),
]


_NO_TB = "(traceback unavailable)"


def test_bad_input_is_refused_clearly(tmp_path):
    dirs = {"good": tmp_path / "good", "unwritable": "/etc/hostname/evidence", "corrupt": tmp_path / "corrupt",
            "absent": tmp_path / "absent"}
    (tmp_path / "corrupt").mkdir()
    (tmp_path / "corrupt" / "ledger.sqlite").write_bytes(b"this is not SQLite " * 400)
    tasks = [{"name": "Good record", "govcloud.lifecycle.evidence_record": {
        "application": "demo", "kind": "note", "stage": "trial", "evidence_dir": str(dirs["good"])}}]
    for name, module, args, _expected, where in BAD_INPUT:
        task = {"name": name, "govcloud.lifecycle." + module: dict(args, evidence_dir=str(dirs[where])),
                "ignore_errors": True}
        if "(check)" in name:
            task["check_mode"] = True
        tasks.append(task)
    playbook = json.dumps([{"name": "Bad input", "hosts": "localhost", "gather_facts": False, "tasks": tasks}])
    rc, output, stderr = run_playbook(tmp_path, playbook, callback=False)
    results = task_results(output)
    assert rc == 0, stderr
    assert results["Good record"].get("changed"), results["Good record"]
    problems = []
    for name, _module, _args, expected, _where in BAD_INPUT:
        result = results[name]
        text = json.dumps(result)
        if not result.get("failed") or expected not in result.get("msg", ""):
            problems.append("%s: expected failure mentioning %r, got %s" % (name, expected, result.get("msg")))
        # core adds exception="(traceback unavailable)" to every failed action result; a real one holds a traceback
        if "Traceback" in text or result.get("exception", _NO_TB) != _NO_TB or "module_stderr" in result:
            problems.append("%s: traceback in result: %s" % (name, text[:500]))
    assert problems == []
    assert "Traceback" not in stderr
    assert count_records(dirs["good"]) == 1  # only the good record: nothing appended by any bad task
    assert (tmp_path / "corrupt" / "ledger.sqlite").read_bytes() == b"this is not SQLite " * 400
    assert not os.path.exists(dirs["absent"])


# ------------------------------------------------------------------------------------------- secrets

def _private_key_pem():
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                             serialization.NoEncryption()).decode()


def test_secrets_never_reach_the_ledger(tmp_path):
    password = "Pw-" + secrets.token_hex(8)
    token = "tok" + secrets.token_hex(12)
    extra = "Xs-" + secrets.token_hex(8)
    pem = _private_key_pem()
    play = {
        "name": "Secrets", "hosts": "localhost", "gather_facts": False,
        "vars": {"db_password": password, "api_token": token, "tls_private_key": pem,
                 "header_value": "Bearer " + token, "out": str(tmp_path / "out")},
        "tasks": [],
    }
    for no_log in (False, True):
        suffix = " (no_log)" if no_log else ""
        tasks = [
            {"name": "Password on a command line" + suffix,
             "ansible.builtin.command": "echo connecting with {{ db_password }}", "changed_when": True},
            {"name": "Token in a header" + suffix, "ansible.builtin.uri": {
                "url": "http://127.0.0.1:9/", "headers": {"X-Auth-Token": "{{ api_token }}"}, "timeout": 2},
             "ignore_errors": True},
            {"name": "Token via another variable" + suffix,
             "ansible.builtin.command": "echo {{ header_value }}", "changed_when": True},
            {"name": "Private key to a file" + suffix, "ansible.builtin.copy": {
                "content": "{{ tls_private_key }}", "dest": "{{ out }}-%s.pem" % no_log, "mode": "0600"}},
            {"name": "Private key on a command line" + suffix,
             "ansible.builtin.command": {"argv": ["echo", "{{ tls_private_key }}"]}, "changed_when": True},
            {"name": "Extra var secret" + suffix,
             "ansible.builtin.command": "echo {{ deploy_secret }}", "changed_when": True},
            {"name": "Failure message with the password" + suffix,
             "ansible.builtin.fail": {"msg": "login refused for {{ db_password }}"}, "ignore_errors": True},
            {"name": "Evidence record with secrets" + suffix, "govcloud.lifecycle.evidence_record": {
                "application": "secret-test", "kind": "note", "stage": "deployment",
                "summary": "used {{ api_token }} and {{ tls_private_key }}",
                "details": {"admin_password": "{{ db_password }}", "note": "{{ deploy_secret }}"}}},
        ]
        for task in tasks:
            if no_log:
                task["no_log"] = True
        play["tasks"].extend(tasks)
    rc, output, stderr = run_playbook(tmp_path, json.dumps([play]), extra_args=["-e", "deploy_secret=" + extra],
                                      application="secret-test")
    assert rc == 0, stderr
    evidence = tmp_path / "evidence" / "secret-test"
    files = sorted(p for p in evidence.iterdir() if p.is_file())
    names = {p.name for p in files}
    assert "ledger.sqlite" in names and "ledger.anchors" in names
    data = {p.name: p.read_bytes() for p in files}
    # the test must be able to fail: every task was recorded (12 by the callback, 2 by the module)
    conn = sqlite3.connect(str(evidence / "ledger.sqlite"))
    kinds = conn.execute("SELECT kind, count(*) FROM records GROUP BY kind").fetchall()
    censored = conn.execute("SELECT count(*) FROM records WHERE details LIKE '%censored%'").fetchone()[0]
    conn.close()
    assert dict(kinds) == {"task": 14, "note": 2}, kinds
    assert censored == 7
    needles = [password, token, extra] + [line for line in pem.splitlines() if "-----" not in line]
    leaks = ["%s in %s" % (needle[:12], name) for name, blob in data.items() for needle in needles
             if needle.encode() in blob]
    assert leaks == []


def test_secrets_of_captured_output_and_command_forms_reach_no_evidence(tmp_path):
    """Issue 12 item 4: output, failure messages and the usual command-line and environment forms, and the values a
    no_log task used, leave no secret in the ledger bytes or any report file; a plain stdout excerpt stays readable."""
    vals = dict((name, name[:3] + "-" + secrets.token_hex(8)) for name in (
        "mysqlpw", "envpw", "authz", "urlpw", "opaque", "printed", "failmsg", "tokenenv"))
    play = {
        "name": "Output secrets", "hosts": "localhost", "gather_facts": False,
        "vars": {"db_password": vals["printed"], "plain_setting": vals["opaque"]},
        "tasks": [
            {"name": "Stdout prints a secret", "ansible.builtin.command": "echo the db password is {{ db_password }}",
             "changed_when": True},
            {"name": "Plain output stays readable", "ansible.builtin.command": "echo hello-visible-output",
             "changed_when": True},
            {"name": "A failure message with a secret", "ansible.builtin.command": "sh -c 'echo login failed: password="
             + vals["failmsg"] + " >&2; exit 3'", "ignore_errors": True},
            {"name": "mysql with the password glued to -p", "ansible.builtin.shell": "true mysql -u root -p" + vals["mysqlpw"]
             + " -e 'select 1'; echo done", "changed_when": True},
            {"name": "MYSQL_PWD= in a shell line", "ansible.builtin.shell": "MYSQL_PWD=" + vals["envpw"]
             + " true mysql -u root; OS_TOKEN=" + vals["tokenenv"] + " true", "changed_when": True},
            {"name": "Authorization header", "ansible.builtin.shell": "echo curl -H 'Authorization: Token "
             + vals["authz"] + "' http://127.0.0.1:9/", "changed_when": True},
            {"name": "URL with user and password", "ansible.builtin.command": "echo https://admin:" + vals["urlpw"]
             + "@mirror.invalid/repo", "changed_when": True},
            {"name": "A no_log task uses a plainly named variable",
             "ansible.builtin.command": {"argv": ["true"]}, "vars": {"password": "{{ plain_setting }}"},
             "no_log": True, "changed_when": True},
            {"name": "A later task echoes it", "ansible.builtin.command": "echo {{ plain_setting }}",
             "changed_when": True},
            {"name": "Report", "govcloud.lifecycle.report": {
                "evidence_dir": str(tmp_path / "evidence" / "out-test"), "dest": str(tmp_path / "report")}},
        ],
    }
    # the no_log task hands the variable to a secret-named argument, as a real module call would
    play["tasks"][7] = {"name": "A no_log task uses a plainly named variable", "ansible.builtin.set_fact": {
        "db_login_password": "{{ plain_setting }}"}, "no_log": True}
    rc, output, stderr = run_playbook(tmp_path, json.dumps([play]), application="out-test")
    assert rc == 0, stderr
    evidence = tmp_path / "evidence" / "out-test"
    blobs = {p.name: p.read_bytes() for p in list(evidence.iterdir()) + list((tmp_path / "report").rglob("*"))
             if p.is_file()}
    assert {"ledger.sqlite", "evidence-report.html", "evidence-records.json", "oscal-assessment-results.json"} \
        <= set(blobs), sorted(blobs)
    conn = sqlite3.connect(str(evidence / "ledger.sqlite"))
    rows = [json.loads(r[0]) for r in conn.execute("SELECT details FROM records WHERE kind = 'task'")]
    conn.close()
    by_task = dict((r["task"], r) for r in rows)
    # the test can fail: every task is there, and the plain output is readable with its hash and length
    assert {"Stdout prints a secret", "A failure message with a secret", "mysql with the password glued to -p", "A later task echoes it",
            "Plain output stays readable"} <= set(by_task), sorted(by_task)
    plain = by_task["Plain output stays readable"]["output"]["stdout"]
    assert plain["excerpt"] == "hello-visible-output" and plain["length"] == len("hello-visible-output")
    assert plain["sha256"] == hashlib.sha256(b"hello-visible-output").hexdigest()
    failed = by_task["A failure message with a secret"]
    assert failed["rc"] == 3 and "<redacted>" in failed["output"]["stderr"]["excerpt"], failed
    leaks = ["%s in %s" % (name, blob_name) for blob_name, blob in blobs.items() for name, value in vals.items()
             if value.encode() in blob]
    assert leaks == []


@pytest.mark.parametrize("typed,expect", [
    ('{"secure_decommission_confirm": "{{ secure_decommission_application_id }}"}', "is a template"),
    ('{"secure_decommission_confirm": "{%- if true -%}dc-conf{%- endif -%}"}', "is a template"),
    ('{"secure_decommission_confirm": "dc-other"}', "must equal the application id 'dc-conf' (got 'dc-other')"),
], ids=["expression", "statement", "wrong"])
def test_a_destructive_run_refused_for_its_confirmation_records_only_the_refusal(tmp_path, typed, expect):
    """Compared as typed: a template is refused even though it would render to the application id; the refusal is
    the only record (no data handover, no passing sanitization gate), and no cloud call is made (none is reachable:
    no cloud is configured for this run)."""
    role = {"name": "Decommission the application",
            "ansible.builtin.include_role": {"name": "govcloud.lifecycle.secure_decommission"},
            "vars": {"secure_decommission_application_id": "dc-conf", "secure_decommission_mode": "decommission",
                     "secure_decommission_handover": {"confirmed_by": "客户 customer",
                                                      "confirmation_date": "2026-11-30"},
                     "secure_decommission_log_retention": {"mode": "keep", "retention_days": 180,
                                                           "location": "provider log archive"}}}
    play = [{"name": "Decommission", "hosts": "localhost", "gather_facts": False,
             "vars": {"govcloud_evidence_stage": "decommission"}, "tasks": [role]}]
    env_cloud = dict(os.environ)
    os.environ.pop("OS_CLOUD", None)
    try:
        rc, output, stderr = run_playbook(tmp_path, json.dumps(play), application="dc-conf",
                                          extra_args=["-e", typed])
    finally:
        os.environ.clear()
        os.environ.update(env_cloud)
    assert rc == 2, stderr
    text = json.dumps(output, ensure_ascii=False)
    assert expect in text, text[-2000:]
    conn = sqlite3.connect(str(tmp_path / "evidence" / "dc-conf" / "ledger.sqlite"))
    rows = conn.execute("SELECT stage, kind, result, summary FROM records").fetchall()
    conn.close()
    assert [(r[1], r[2]) for r in rows] == [("task", "fail")], rows
    assert rows[0][0] == "decommission" and rows[0][3].startswith("failed: "), rows
    assert ("as typed" if "template" in expect else "Refuse before anything is recorded") in rows[0][3], rows


# ------------------------------------------------------------------------------------------- callback trouble

def test_callback_trouble_is_loud_never_fatal_and_leaves_a_gap_record(tmp_path):
    evidence = tmp_path / "evidence" / "gap-test"
    evidence.mkdir(parents=True)
    (evidence / "ledger.sqlite").write_bytes(b"garbage " * 1000)
    rc, output, stderr = run_playbook(tmp_path, """\
        - name: Evidence trouble
          hosts: localhost
          gather_facts: false
          tasks:
            - name: Change while the ledger is broken
              ansible.builtin.command: "true"
            - name: Repair the ledger
              ansible.builtin.file:
                path: "{{ playbook_dir }}/evidence/gap-test/ledger.sqlite"
                state: absent
            - name: Change after the repair
              ansible.builtin.command: "true"
        """, application="gap-test", callback_ini="batch_size = 1")
    assert rc == 0, stderr
    assert "EVIDENCE NOT RECORDED" in stderr and "could not write 1 record(s)" in stderr
    conn = sqlite3.connect(str(evidence / "ledger.sqlite"))
    rows = conn.execute("SELECT kind, result, summary FROM records ORDER BY seq").fetchall()
    conn.close()
    assert [r[:2] for r in rows] == [("evidence_gap", "gap"), ("task", "changed"), ("task", "changed")], rows
    assert rows[0][2].startswith("1 task record(s) could not be written")
    assert "Repair the ledger" in rows[1][2] and "Change after the repair" in rows[2][2]


def test_a_check_run_leaves_the_ledger_as_it_was_except_what_ran_for_real(tmp_path):
    evidence = tmp_path / "evidence" / "check-test"
    playbook = """\
        - name: Check run
          hosts: localhost
          gather_facts: false
          tasks:
            - name: Would write a file
              ansible.builtin.copy:
                content: "x\\n"
                dest: "{{ playbook_dir }}/predicted.txt"
                mode: "0600"
            - name: Would fail
              ansible.builtin.fail:
                msg: predicted failure
              ignore_errors: true
            - name: Runs for real in a check run
              ansible.builtin.command: "true"
              check_mode: false
        """
    rc, output, stderr = run_playbook(tmp_path, playbook, application="check-test", extra_args=["--check"])
    assert rc == 0, stderr
    results = task_results(output)
    assert results["Would write a file"]["changed"] is True  # predicted, shown in the run's output
    assert not (tmp_path / "predicted.txt").exists()
    conn = sqlite3.connect(str(evidence / "ledger.sqlite"))
    rows = conn.execute("SELECT kind, result, summary FROM records ORDER BY seq").fetchall()
    conn.close()
    assert rows == [("task", "changed", "changed: Runs for real in a check run on localhost")], rows
    # the same playbook for real records both changes and the failure
    rc, _output, stderr = run_playbook(tmp_path, playbook, application="check-test")
    assert rc == 0, stderr
    assert count_records(evidence) == 4


def test_a_background_job_is_recorded_when_waited_for_under_its_launching_task(tmp_path):
    evidence = tmp_path / "evidence" / "async-test"
    rc, output, stderr = run_playbook(tmp_path, """\
        - name: Background jobs
          hosts: localhost
          gather_facts: false
          vars:
            secret_token: s3cr3t-value-for-the-test
          tasks:
            - name: Make the marks
              ansible.builtin.command: "touch {{ playbook_dir }}/mark-{{ item }}"
              args:
                creates: "{{ playbook_dir }}/mark-{{ item }}"
              loop: [a, b]
              async: 60
              poll: 0
              register: jobs
            - name: Use the token
              ansible.builtin.command: "echo {{ secret_token }}"
              async: 60
              poll: 0
              changed_when: false
              no_log: true
              register: token_job
            - name: Make the marks (wait)
              ansible.builtin.async_status:
                jid: "{{ item.ansible_job_id }}"
              loop: "{{ jobs.results }}"
              register: done
              until: done.finished
              retries: 30
              delay: 1
            - name: Use the token (wait)
              ansible.builtin.async_status:
                jid: "{{ token_job.ansible_job_id }}"
              register: token_done
              until: token_done.finished
              retries: 30
              delay: 1
              no_log: true
        """, application="async-test")
    assert rc == 0, stderr
    assert (tmp_path / "mark-a").exists() and (tmp_path / "mark-b").exists()
    conn = sqlite3.connect(str(evidence / "ledger.sqlite"))
    rows = [json.loads(r[0]) for r in conn.execute("SELECT details FROM records WHERE kind = 'task' ORDER BY seq")]
    blob = (evidence / "ledger.sqlite").read_bytes()
    conn.close()
    marks = [r for r in rows if r["task"] == "Make the marks"]
    assert len(marks) == 2, rows
    for record in marks:
        assert record["action"] == "ansible.builtin.command" and record["waited_by"] == "Make the marks (wait)"
        assert "touch %s/mark-" % tmp_path in json.dumps(record["args"]), record  # the item's rendered arguments
    # a no_log launch's job id is censored before any callback sees it: its no_log wait is recorded, censored,
    # under its own name
    token = [r for r in rows if r["task"] == "Use the token (wait)"]
    assert len(token) == 1 and token[0]["censored"] and "args" not in token[0] and "output" not in token[0]
    assert b"s3cr3t-value-for-the-test" not in blob
    # the launches themselves changed nothing yet: no record of their own
    assert {r["task"] for r in rows} == {"Make the marks", "Use the token (wait)"}
