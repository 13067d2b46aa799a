# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""playbooks/record_attestations.yml through real ansible-playbook runs (controller only, no cloud), and the
report over the ledger it writes: valid file recorded once, every kind of bad file refused by field with
nothing recorded, an expired attestation shown as "manual check due", a risk acceptance closing an item."""

from __future__ import annotations

import pathlib
import shutil
import subprocess
import sys

import pytest
import yaml

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "unit" / "plugins" / "module_utils"))
import report_cases as C  # noqa: E402  pylint: disable=wrong-import-position
from playbook_env import PLAYBOOK_BIN, playbook_env  # noqa: E402  pylint: disable=wrong-import-position

EXAMPLE = REPO / "inventories" / "example"
PLAYBOOK = REPO / "playbooks" / "record_attestations.yml"
APP = "jx-bdcdj"
KINDS = ("attestation", "risk_acceptance")


@pytest.fixture
def env(tmp_path):
    return playbook_env(tmp_path)


def start(env, *args):
    return subprocess.Popen([str(PLAYBOOK_BIN), "-i", str(EXAMPLE), str(PLAYBOOK)] + [str(a) for a in args],
                            cwd=str(REPO), env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def finish(proc):
    out = proc.communicate(timeout=300)[0]
    return proc.returncode, out


def run(env, *args):
    return finish(start(env, *args))


def records(tmp_path, evidence=None):
    directory = evidence or tmp_path / "evidence"
    if not (directory / "ledger.sqlite").exists():
        return []
    with C.E.Ledger(str(directory), key_file=str(tmp_path / "evidence-signing.pem"), create=False) as led:
        return [r for r in led.records(application=APP) if r["kind"] in KINDS]


def example_file():
    return yaml.safe_load((EXAMPLE / "attestations.yml").read_text(encoding="utf-8"))


def write_case(directory, doc):
    """An attestations file with the example's attached documents beside it."""
    directory.mkdir(parents=True, exist_ok=True)
    shutil.copytree(EXAMPLE / "attestations", directory / "attestations", dirs_exist_ok=True)
    path = directory / "attestations.yml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_example_file_is_recorded_once_with_its_files_hashed(env, tmp_path):
    rc, out = run(env, "--check")
    assert rc == 0, out
    assert records(tmp_path) == [], "check mode recorded"

    rc, out = run(env)
    assert rc == 0, out
    first = records(tmp_path)
    expected = example_file()["attestations"]
    assert len(first) == len(expected) == 13
    assert [r["details"]["control"] for r in first] == [e["control"] for e in expected]
    backup = next(r for r in first if r["details"]["control"] == "8.1.4.9.a-01")
    assert backup["details"]["attested_by"] == "chen-jing" and backup["details"]["name"] == "陈静"
    assert backup["details"]["valid_until"] == "2027-11-20" and backup["party"] == "customer"
    assert [a["name"] for a in backup["artifacts"]] == ["attestations/backup-policy.md",
                                                        "attestations/restore-drill-2026-11.md"]
    assert backup["artifacts"][0]["sha256"] == C.E.hash_file(str(EXAMPLE / "attestations" / "backup-policy.md"))
    assessor = next(r for r in first if r["details"]["control"] == "8.1.4.1.d-01")
    assert assessor["party"] == "management_unit" and assessor["result"] == "pass"
    na = next(r for r in first if r["details"]["control"] == "8.1.4.10.b-01")
    assert na["result"] == "info" and na["details"]["reason"]

    rc, out = run(env)
    assert rc == 0, out
    assert "changed=0" in out, out
    assert len(records(tmp_path)) == 13


def _bad_cases():
    def mutate(fn):
        doc = example_file()
        fn(doc)
        return doc
    return {
        "unknown control": (mutate(lambda d: d["attestations"][0].update(control="8.1.4.99.z-01")),
                            "attestations[0].control: '8.1.4.99.z-01' is not a control"),
        "unknown contact": (mutate(lambda d: d["attestations"][1].update(by="li-si")),
                            "attestations[1].by: 'li-si' is neither a contact id"),
        "future date": (mutate(lambda d: d["attestations"][2].update(date="2099-01-01")),
                        "attestations[2].date: 2099-01-01 is in the future"),
        "missing reference": (mutate(lambda d: d["attestations"][3].pop("reference")),
                              "attestations[3].reference: missing"),
        "result not in the list": (mutate(lambda d: d["attestations"][4].update(result="ok")),
                                   "attestations[4].result: 'ok' is not one of met, not_met, not_applicable"),
        "attached file missing": (mutate(lambda d: d["attestations"][9].update(files=["attestations/gone.pdf"])),
                                  "attestations[9].files[0]: attestations/gone.pdf not found"),
        "not applicable without reason": (mutate(lambda d: d["attestations"][12].pop("reason")),
                                          "attestations[12].reason: missing"),
        "acceptance not by the unit leader": (
            mutate(lambda d: d.update(risk_acceptances=[{"control": "8.1.4.9.c-01", "accepted_by": "liu-yang",
                                                         "reason": "r", "date": "2026-11-25",
                                                         "expires": "2027-06-30"}])),
            "risk_acceptances[0].accepted_by: 'liu-yang' is not the unit leader"),
    }


def test_bad_files_are_refused_by_field_and_record_nothing(env, tmp_path):
    procs = {}
    for i, (name, (doc, _message)) in enumerate(sorted(_bad_cases().items())):
        case_env = dict(env, GOVCLOUD_EVIDENCE_DIR=str(tmp_path / ("evidence-%d" % i)))
        path = write_case(tmp_path / ("case-%d" % i), doc)
        procs[name] = (i, start(case_env, "-e", "govcloud_attestations_file=%s" % path))
    for name, (doc, message) in sorted(_bad_cases().items()):
        i, proc = procs[name]
        rc, out = finish(proc)
        assert rc == 2, (name, out)
        assert "nothing recorded" in out and message in out, (name, out)
        assert "Traceback" not in out, (name, out)
        assert records(tmp_path, tmp_path / ("evidence-%d" % i)) == [], name


def test_expired_attestation_is_manual_check_due_and_acceptance_closes_an_item(env, tmp_path):
    doc = {
        "assessors": ["江西省信息安全测评中心"],
        "attestations": [
            # long expired: the control falls back to "manual check due"
            {"control": "8.1.4.9.b-01", "result": "met", "by": "chen-jing", "role": "系统管理员", "date": "2024-01-10",
             "reference": "赣自然资信〔2024〕1号", "validity_days": 30},
            # valid: met by attestation
            {"control": "8.1.4.9.a-01", "result": "met", "by": "chen-jing", "role": "系统管理员",
             "date": "2026-11-20", "reference": "赣自然资信〔2026〕12号", "files": ["attestations/backup-policy.md"]},
            # not met: opens a rectification item, which the unit leader's acceptance closes
            {"control": "8.1.4.9.c-01", "result": "not_met", "by": "江西省信息安全测评中心", "role": "测评师",
             "date": "2026-11-20", "reference": "JXSA-2026-101 遗留问题 2"},
        ],
        "risk_acceptances": [
            {"control": "8.1.4.9.c-01", "accepted_by": "wang-jianguo", "reason": "热备列入二期 hot standby in phase 2",
             "date": "2026-11-25", "expires": "2027-06-30", "reference": "赣自然资信〔2026〕15号"},
        ],
    }
    path = write_case(tmp_path / "case", doc)
    rc, out = run(env, "-e", "govcloud_attestations_file=%s" % path)
    assert rc == 0, out
    assert [r["kind"] for r in records(tmp_path)] == ["attestation"] * 3 + ["risk_acceptance"]
    assert records(tmp_path)[0]["details"]["valid_until"] == "2024-02-09"

    out_dir = tmp_path / "report"
    result = C.R.run(C.params(tmp_path / "evidence", out_dir, evidence_key=str(tmp_path / "evidence-signing.pem"),
                              as_of="2026-12-01", mlps_level=3, language="en"))
    rows = {c["id"]: c for c in __import__("json").loads(
        (out_dir / C.R.FILE_NAMES["json"]).read_text(encoding="utf-8"))["controls"]}
    assert rows["8.1.4.9.b-01"]["status"] == "manual_due"
    assert rows["8.1.4.9.b-01"]["why"] == "attestation_expired"
    assert rows["8.1.4.9.a-01"]["status"] == "attested"
    assert rows["8.1.4.9.c-01"]["status"] == "gap"
    items = result["rectification"]
    assert items["open"] == 0 and items["open_blocking"] == 0
    html = (out_dir / C.R.FILE_NAMES["html"]).read_text(encoding="utf-8")
    assert "◇ manual check due" in html and "✔ closed by risk acceptance" in html
    # after the acceptance expires the item is open again (medium: not blocking by default)
    later = C.R.run(C.params(tmp_path / "evidence", tmp_path / "later", as_of="2027-07-01", mlps_level=3))
    assert later["rectification"]["open"] == 1 and later["rectification"]["overdue"] == 1
