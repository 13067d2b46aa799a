# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The project's strategy (ansible.cfg: govcloud.lifecycle.mitogen_linear) in real ansible-playbook runs.

Its modules run in one persistent interpreter per host (the same process for every task, which is what saves a
module's imports), the built-in linear strategy starts one per task, and both leave the same evidence records.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
COLLECTIONS = os.path.join(REPO, ".work", "collections")
PLAYBOOK_BIN = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")

if not os.path.isdir(os.path.join(COLLECTIONS, "ansible_collections", "govcloud", "lifecycle")):
    pytest.fail("run `make collection` first: %s does not hold govcloud.lifecycle" % COLLECTIONS, pytrace=False)

sys.path.insert(0, COLLECTIONS)
from ansible_collections.govcloud.lifecycle.plugins.plugin_utils.evidence import Ledger  # noqa: E402  pylint: disable=wrong-import-position

PLAY = """\
- name: A stage play
  hosts: controller
  gather_facts: false
  vars: {govcloud_evidence_stage: network}
  tasks:
    - name: The module's interpreter, first task
      ansible.builtin.command: python3 -c "import os; print(os.getppid())"
      register: first
    - name: The module's interpreter, second task
      ansible.builtin.command: python3 -c "import os; print(os.getppid())"
      register: second
    - name: Change something (8.1.3.2.a)
      ansible.builtin.copy:
        content: "x"
        dest: "{{ playbook_dir }}/out.txt"
        mode: "0600"
      tags: [mlps_8_1_3_2_a]
    - name: Say which processes ran the modules
      ansible.builtin.debug:
        msg: "PIDS {{ first.stdout }} {{ second.stdout }}"
"""


def run(tmp_path, strategy=None):
    inv = tmp_path / "inventory"
    (inv / "group_vars" / "all").mkdir(parents=True)
    (inv / "hosts.yml").write_text(textwrap.dedent("""\
        controller:
          hosts:
            localhost:
              ansible_connection: local
              ansible_python_interpreter: "%s"
        """) % sys.executable)
    (inv / "group_vars" / "all" / "app.yml").write_text(
        'application: {id: strat-app}\ngovcloud_evidence_application: "{{ application.id }}"\n')
    (tmp_path / "play.yml").write_text(PLAY)
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(REPO, "ansible.cfg"),
               GOVCLOUD_EVIDENCE_DIR=str(tmp_path / "evidence"), GOVCLOUD_EVIDENCE_KEY=str(tmp_path / "key.pem"),
               GOVCLOUD_WITNESS_DIR=str(tmp_path / "witness"), GOVCLOUD_WITNESS_KEY=str(tmp_path / "witness.pem"),
               ANSIBLE_HOME=str(tmp_path / "ansible-home"))
    for name in ("GOVCLOUD_EVIDENCE_APPLICATION", "GOVCLOUD_EVIDENCE_STAGE", "ANSIBLE_STRATEGY"):
        env.pop(name, None)
    if strategy:
        env["ANSIBLE_STRATEGY"] = strategy
    proc = subprocess.run([PLAYBOOK_BIN, "-i", str(inv), str(tmp_path / "play.yml")], cwd=str(tmp_path), env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    pids = proc.stdout.split('"PIDS ', 1)[1].split('"', 1)[0].split()
    ledger = Ledger(str(tmp_path / "evidence"), key_file=str(tmp_path / "key.pem"))
    try:
        assert ledger.verify()["ok"]
        records = [(r["stage"], r["kind"], r["summary"].split(":")[0], tuple(r["clauses"]), r["result"])
                   for r in ledger.records() if r["kind"] == "task"]
    finally:
        ledger.close()
    return pids, records


def test_project_strategy_keeps_one_interpreter_and_the_same_records(tmp_path):
    (tmp_path / "mitogen").mkdir()
    (tmp_path / "linear").mkdir()
    mitogen_pids, mitogen_records = run(tmp_path / "mitogen")
    linear_pids, linear_records = run(tmp_path / "linear", strategy="linear")
    # Mitogen: both commands were started by the same (persistent) interpreter; linear: one process per task
    assert mitogen_pids[0] == mitogen_pids[1], mitogen_pids
    assert linear_pids[0] != linear_pids[1], linear_pids
    assert mitogen_records == linear_records and len(mitogen_records) == 3, (mitogen_records, linear_records)
    assert any(r[3] == ("8.1.3.2.a",) for r in mitogen_records), mitogen_records
