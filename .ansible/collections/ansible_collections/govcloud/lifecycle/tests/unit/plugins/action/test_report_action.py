# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""govcloud.lifecycle.report through real ansible-playbook: check mode, idempotence, clean failures."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

REPO = pathlib.Path(__file__).resolve().parents[4]
sys.path.insert(0, str(REPO / "tests" / "unit" / "plugins" / "module_utils"))
import report_cases as C  # noqa: E402

PLAY = """
- hosts: localhost
  gather_facts: false
  tasks:
    - {name: predict, govcloud.lifecycle.report: {evidence_dir: "%(led)s", dest: "%(out)s"}, check_mode: true, diff: true}
    - {name: write, govcloud.lifecycle.report: {evidence_dir: "%(led)s", dest: "%(out)s"}}
    - {name: again, govcloud.lifecycle.report: {evidence_dir: "%(led)s", dest: "%(out)s"}}
    - {name: again check, govcloud.lifecycle.report: {evidence_dir: "%(led)s", dest: "%(out)s"}, check_mode: true}
    - {name: bad language, govcloud.lifecycle.report: {evidence_dir: "%(led)s", dest: "%(out)s", language: fr},
       ignore_errors: true}
    - {name: missing ledger, govcloud.lifecycle.report: {evidence_dir: "%(tmp)s/none", dest: "%(out)s"},
       ignore_errors: true}
    - {name: corrupted ledger, govcloud.lifecycle.report: {evidence_dir: "%(tmp)s/bad", dest: "%(out)s"},
       ignore_errors: true}
    - {name: unwritable dest, govcloud.lifecycle.report: {evidence_dir: "%(led)s", dest: "%(tmp)s/blocker/x"},
       ignore_errors: true}
"""


def test_report_through_ansible_playbook(tmp_path):
    C.build_ledger(tmp_path / "ledger")
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "ledger.sqlite").write_bytes(b"garbage" * 500)
    (tmp_path / "blocker").write_text("a file")
    out = tmp_path / "out"
    play = tmp_path / "play.yml"
    play.write_text(PLAY % {"led": tmp_path / "ledger", "out": out, "tmp": tmp_path})
    # the report action is under test, not the callback: the callback commits its records as the tasks end and would
    # make the "no key" of this test a real key between the prediction and the write
    cfg = tmp_path / "ansible.cfg"
    cfg.write_text("".join(line for line in (REPO / "ansible.cfg").read_text().splitlines(True)
                           if not line.startswith("callbacks_enabled")))
    env = dict(os.environ, ANSIBLE_CONFIG=str(cfg), ANSIBLE_STDOUT_CALLBACK="ansible.builtin.json",
               ANSIBLE_COLLECTIONS_PATH=str(REPO / ".work" / "collections"),
               GOVCLOUD_EVIDENCE_KEY=str(tmp_path / "no-key.pem"))
    playbook_bin = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")
    proc = subprocess.run([playbook_bin, "-i", "localhost,", "-c", "local", str(play)],
                          env=env, capture_output=True, text=True, cwd=str(tmp_path), timeout=300, check=False)
    if proc.returncode not in (0, 2) or not proc.stdout.strip().startswith("{"):
        raise AssertionError(proc.stdout[-3000:] + proc.stderr[-3000:])
    tasks = {t["task"]["name"]: t["hosts"]["localhost"] for t in json.loads(proc.stdout)["plays"][0]["tasks"]}

    predict = tasks["predict"]
    assert predict["changed"] is True and predict["msg"].startswith("would write")
    # the OSCAL catalog and the two profiles the assessment results reference are written beside them
    assert set(predict["diff"]["after"]) == {"html", "json", "oscal", "oscal_catalog", "oscal_profile2", "oscal_profile3"}
    assert tasks["write"]["changed"] is True
    assert {k: v["sha256"] for k, v in tasks["write"]["files"].items()} == \
        {k: v["sha256"] for k, v in predict["files"].items()}
    assert tasks["again"]["changed"] is False and tasks["again check"]["changed"] is False
    assert sorted(os.listdir(out)) == sorted(list(C.R.FILE_NAMES.values()) + list(C.R.OSCAL_CATALOG_FILES.values()))

    for name, needle in (("bad language", "language"), ("missing ledger", "evidence_dir:"),
                         ("corrupted ledger", "evidence_dir:"), ("unwritable dest", "dest:")):
        res = tasks[name]
        assert res.get("failed") is True, name
        assert needle in res["msg"], (name, res["msg"])
        assert "Traceback" not in json.dumps(res), name
    assert not (tmp_path / "none").exists()
    assert "Traceback" not in proc.stderr
