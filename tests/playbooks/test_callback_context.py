# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The evidence callback files task records under the application and stage an inventory gives it.

Operators set ``govcloud_evidence_application: "{{ application.id }}"`` once in the application's
inventory (inventories/example/group_vars/all/evidence.yml) and ``govcloud_evidence_stage`` per play: a real
ansible-playbook run with such an inventory must record under that application and stage, templated.
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


def run(tmp_path, stage_var):
    (tmp_path / "ansible.cfg").write_text(textwrap.dedent("""\
        [defaults]
        collections_path = %s
        callbacks_enabled = govcloud.lifecycle.evidence
        retry_files_enabled = False
        """) % COLLECTIONS)
    inv = tmp_path / "inventory"
    (inv / "group_vars" / "all").mkdir(parents=True, exist_ok=True)
    (inv / "hosts.yml").write_text(textwrap.dedent("""\
        controller:
          hosts:
            localhost:
              ansible_connection: local
              ansible_python_interpreter: "%s"
        """) % sys.executable)
    (inv / "group_vars" / "all" / "app.yml").write_text(textwrap.dedent("""\
        application: {id: ctx-app}
        govcloud_evidence_application: "{{ application.id }}"
        """))
    (tmp_path / "play.yml").write_text(textwrap.dedent("""\
        - name: A stage play
          hosts: controller
          gather_facts: false
          vars: %s
          tasks:
            - name: Change something
              ansible.builtin.copy:
                content: "x"
                dest: "{{ playbook_dir }}/out.txt"
                mode: "0600"
        """) % stage_var)
    env = dict(os.environ, ANSIBLE_CONFIG=str(tmp_path / "ansible.cfg"),
               GOVCLOUD_EVIDENCE_DIR=str(tmp_path / "evidence"),
               GOVCLOUD_EVIDENCE_KEY=str(tmp_path / "key.pem"), ANSIBLE_HOME=str(tmp_path / "ansible-home"))
    env.pop("GOVCLOUD_EVIDENCE_APPLICATION", None)
    env.pop("GOVCLOUD_EVIDENCE_STAGE", None)
    proc = subprocess.run([PLAYBOOK_BIN, "-i", str(inv), str(tmp_path / "play.yml")], cwd=str(tmp_path), env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout + proc.stderr


def test_application_from_inventory_and_stage_from_play_vars(tmp_path):
    output = run(tmp_path, "{govcloud_evidence_stage: network}")
    assert "unassigned" not in output
    records = list(Ledger(str(tmp_path / "evidence"), key_file=str(tmp_path / "key.pem")).records())
    assert [(r["application"], r["stage"], r["kind"], r["result"]) for r in records] == [
        ("ctx-app", "network", "task", "changed")]


def test_without_a_stage_the_default_applies(tmp_path):
    run(tmp_path, "{}")
    records = list(Ledger(str(tmp_path / "evidence"), key_file=str(tmp_path / "key.pem")).records())
    assert [(r["application"], r["stage"]) for r in records] == [("ctx-app", "deployment")]
