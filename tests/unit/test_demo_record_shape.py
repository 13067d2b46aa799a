# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""tools/demo/compare_records.py: the demo's record shape survives refactorings (issue 14), on real ledgers."""

from __future__ import annotations

import json
import pathlib
import sys

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tools" / "demo"))
sys.path.insert(0, str(REPO / "tests" / "unit" / "plugins" / "module_utils"))
import compare_records as CR  # noqa: E402  pylint: disable=wrong-import-position
import report_cases as C  # noqa: E402  pylint: disable=wrong-import-position

TASK = "govcloud.lifecycle.tenant : 8.1.4.1.a | Create the users with their initial passwords"
NAME = TASK.split(" : ", 1)[1]  # how compare_records knows the task: without the role prefix


def _task(clauses, task=TASK, host="localhost"):
    return dict(application=C.APP, kind="task", stage="resource_allocation", party="customer", actor="ops@example",
                clauses=clauses, targets=[], result="changed", summary="changed: %s on %s" % (task, host),
                details={"task": task, "host": host})


def _stage(clauses):
    return dict(application=C.APP, kind="stage_result", stage="hardening", party="customer", actor="ops@example",
                clauses=clauses, targets=[], result="pass", summary="系统部署 hardening done")


def _ledger(tmp_path, name, records):
    C.build_ledger(tmp_path / name, records)
    return str(tmp_path / name / "ledger.sqlite")


@pytest.fixture(autouse=True)
def _no_default_key(tmp_path, monkeypatch):
    monkeypatch.setenv("GOVCLOUD_EVIDENCE_KEY", str(tmp_path / "absent-key.pem"))
    monkeypatch.delenv("GOVCLOUD_EVIDENCE_DIR", raising=False)


def test_the_leading_control_id_may_be_cited_and_nothing_else(tmp_path):
    before = CR.shape(_ledger(tmp_path, "before", [_task([]), _stage(["JX-2.2", "8.1.4.1"])]))
    cited = _ledger(tmp_path, "cited", [_task(["7.1.4.1", "7.1.4.1.a", "8.1.4.1", "8.1.4.1.a"]),
                                        _stage(["JX-2.2", "8.1.4.1"])])
    assert CR.compare(before, CR.shape(cited), {}) == ([], [])
    # a clause the name does not lead with is a difference, named with the task
    other = _ledger(tmp_path, "other", [_task(["8.1.4.1.a", "8.1.3.2.a"]), _stage(["JX-2.2", "8.1.4.1"])])
    problems, _one_side = CR.compare(before, CR.shape(other), {})
    assert problems == ["task resource_allocation|%s cites ['8.1.3.2.a', '8.1.4.1.a']; before [[]]" % NAME]
    # and so is a clause dropped
    before_cited = CR.shape(cited)
    problems, _one_side = CR.compare(before_cited, CR.shape(_ledger(tmp_path, "dropped", [
        _task(["8.1.4.1.a"]), _stage(["JX-2.2", "8.1.4.1"])])), {})
    assert len(problems) == 1 and problems[0].startswith("task resource_allocation|")


def test_a_record_kind_cited_differently_is_missing_and_new_unless_corrected(tmp_path):
    before = CR.shape(_ledger(tmp_path, "before", [_stage(["8.1.4.1", "JX-2.3"])]))
    now = CR.shape(_ledger(tmp_path, "now", [_stage(["8.1.4.1", "JX-2.2"])]))
    problems, _one_side = CR.compare(before, now, {})
    assert problems == ["missing: hardening stage_result citing ['8.1.4.1', 'JX-2.3']",
                        "new: hardening stage_result citing ['8.1.4.1', 'JX-2.2']"]
    fix = {("hardening", "stage_result", ("8.1.4.1", "JX-2.3")): ("8.1.4.1", "JX-2.2")}
    assert CR.compare(before, now, fix) == ([], [])


def test_tasks_on_one_side_are_listed_not_counted(tmp_path):
    before = CR.shape(_ledger(tmp_path, "before", [_task([]), _stage(["JX-2.2"])]))
    now = CR.shape(_ledger(tmp_path, "now", [_stage(["JX-2.2"])]))
    assert CR.compare(before, now, {}) == ([], ["resource_allocation|%s (before only)" % NAME])


def test_the_checked_in_shape_and_corrections_are_read_and_match_themselves(tmp_path, capsys):
    shape = json.loads((REPO / "tools" / "demo" / "records.json").read_text(encoding="utf-8"))
    fixes = CR._corrections(REPO / "tools" / "demo" / "record-corrections.yml")  # pylint: disable=protected-access
    assert shape["records"] and shape["tasks"] and fixes
    for key in fixes:  # every correction names a record of the shape: none is dead
        assert [key[0], key[1], list(key[2])] in shape["records"], key
    # `check` on a ledger holding the corrected shape of the example's hardening stage result passes, and
    # on the uncorrected one fails naming it
    stage = next(r for r in shape["records"] if r[:2] == ["hardening", "stage_result"])
    fixed = list(fixes[(stage[0], stage[1], tuple(stage[2]))])
    only = tmp_path / "shape.json"
    only.write_text(json.dumps({"records": [stage], "tasks": {}}), encoding="utf-8")
    good = _ledger(tmp_path, "good", [_stage(fixed)])
    assert CR.main(["check", good, "--shape", str(only)]) == 0
    bad = _ledger(tmp_path, "bad", [_stage(stage[2])])
    assert CR.main(["check", bad, "--shape", str(only)]) == 1
    assert "DIFFERENT new: hardening stage_result citing %s" % stage[2] in capsys.readouterr().out


@pytest.mark.parametrize("task, cited", [
    ("8.1.4.1.a | Create users", {"8.1.4", "8.1.4.1", "8.1.4.1.a", "7.1.4", "7.1.4.1", "7.1.4.1.a", "8.1", "7.1"}),
    ("govcloud.lifecycle.promotion : JX-2.7 | Mark the servers", {"JX-2.7"}),
    ("8.1.4.4.b-02 | Listeners", {"8.1.4", "8.1.4.4", "8.1.4.4.b", "7.1.4", "7.1.4.4", "7.1.4.4.b", "8.1", "7.1"}),
    ("Tenant | Write the hand-over file", set()),
])
def test_lead_clauses(task, cited):
    assert CR.lead_clauses(task) == cited


def test_a_task_moved_into_a_role_is_compared_and_a_file_may_gain_its_import_clauses(tmp_path):
    def moved(clauses, task, path):
        rec = _task(clauses, task=task)
        rec["details"]["task_path"] = "/x/ansible_collections/govcloud/lifecycle/%s:12" % path
        return rec
    before = CR.shape(_ledger(tmp_path, "before", [moved([], "PAM | Keep the stacks", "playbooks/harden.yml")]))
    in_role = "govcloud.lifecycle.baseline_hardening : PAM | Keep the stacks"
    now = CR.shape(_ledger(tmp_path, "now", [moved(["8.1.4.2"], in_role, "roles/baseline_hardening/tasks/pam.yml")]))
    problems, one_side = CR.compare(before, now, {})
    assert one_side == [] and problems == [
        "task resource_allocation|PAM | Keep the stacks cites ['8.1.4.2']; before [[]]"]
    assert CR.compare(before, now, {}, {"roles/baseline_hardening/tasks/pam.yml": {"8.1.4.2"}}) == ([], [])
    # a gain of another file allows nothing here
    assert CR.compare(before, now, {}, {"roles/baseline_hardening/tasks/ssh.yml": {"8.1.4.2"}})[0] == problems


def test_a_correction_without_its_reason_is_refused(tmp_path):
    path = tmp_path / "c.yml"
    path.write_text("- {stage: hardening, task_file: roles/x/tasks/y.yml, gain: [8.1.4.2]}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="without its reason"):
        CR._gains(path)  # pylint: disable=protected-access


def test_a_new_record_kind_is_a_difference_unless_added_with_its_reason(tmp_path):
    before = CR.shape(_ledger(tmp_path, "before", [_stage(["8.1.4.1", "JX-2.2"])]))
    now = CR.shape(_ledger(tmp_path, "now", [_stage(["8.1.4.1", "JX-2.2"]), _stage(["8.1.4.2.g"])]))
    assert CR.compare(before, now, {})[0] == ["new: hardening stage_result citing ['8.1.4.2.g']"]
    assert CR.compare(before, now, {}, added={("hardening", "stage_result", ("8.1.4.2.g",))}) == ([], [])
    path = tmp_path / "c.yml"
    path.write_text("- {stage: hardening, kind: stage_result, added: [8.1.4.2.g], why: a new kind of evidence}\n",
                    encoding="utf-8")
    assert CR._added(path) == {("hardening", "stage_result", ("8.1.4.2.g",))}  # pylint: disable=protected-access
    assert CR._corrections(path) == {}  # pylint: disable=protected-access
