# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""playbooks/promote.yml's gate and rectification items (整改项), by real ansible-playbook runs on the
controller: a blocking open item refuses the promotion and is listed; once a later passing check closes it the
gate passes (the run then stops at the first cloud call, on a cloud name that does not exist)."""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys

import pytest
import yaml

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "unit" / "plugins" / "module_utils"))
import report_cases as C  # noqa: E402  pylint: disable=wrong-import-position
from playbook_env import PLAYBOOK_BIN, playbook_env  # noqa: E402  pylint: disable=wrong-import-position

EXAMPLE = REPO / "inventories" / "example"
APP = "jx-bdcdj"
HOSTS = ("demo-bdc-web-01", "demo-bdc-app-01", "demo-bdc-db-01")


@pytest.fixture
def env(tmp_path):
    return playbook_env(tmp_path, OS_CLOUD="no-such-cloud-h13", OS_CLIENT_CONFIG_FILE=str(tmp_path / "clouds.yaml"))


def promote(env):
    run = subprocess.run([str(PLAYBOOK_BIN), "-i", str(EXAMPLE), str(REPO / "playbooks" / "promote.yml"),
                          "-e", "govcloud_cloud=no-such-cloud-h13"], cwd=str(REPO), env=env,
                         capture_output=True, text=True, timeout=300, check=False)
    return run.returncode, run.stdout + run.stderr


def hardening(control, host, result, seq_hint=""):
    return dict(application=APP, kind="control_check", stage="hardening", party="customer", result=result,
                clauses=[control.split("-")[0]], targets=[host], actor="ops@example",
                summary="%s | check%s: %s" % (control, seq_hint, result),
                details={"control": control, "level": 3, "mode": "enforce"})


def ready(tmp_path):
    """Everything formal operation needs, as the stage playbooks record it, plus one host failing 8.1.4.1.b-01."""
    recs = [
        dict(kind="application", details={"applicant_org": "江西省自然资源厅", "system_name": "不动产登记",
                                          "mlps_level": 3, "date": "2026-08-01"}),
        dict(kind="trial_completion", details={"start_date": "2026-09-01", "end_date": "2026-11-20",
                                               "conclusion": "completed"}),
        dict(kind="stage_result", stage="security_assessment", result="pass", summary="automated assessment"),
        dict(kind="security_assessment", details={"assessor_org": "Lab", "report_number": "SA-1",
                                                  "date": "2026-11-21", "conclusion": "passed"}),
        dict(kind="mlps_assessment", details={"assessor_org": "C", "report_number": "D-1", "date": "2026-11-22",
                                              "conclusion": "basically_compliant", "level": 3}),
        dict(kind="approval", details={"approver": "王建国", "decision": "approved", "date": "2026-11-23",
                                       "subject": "promotion", "reference": "赣自然资函〔2026〕58号"}),
    ]
    for r in recs:
        r.setdefault("application", APP)
        r.setdefault("actor", "ops@example")
    for host in HOSTS:
        recs.append(hardening("8.1.4.1.a-01", host, "pass"))
        recs.append(hardening("8.1.4.1.b-01", host, "gap" if host == "demo-bdc-db-01" else "pass"))
    with C.E.Ledger(str(tmp_path / "evidence"), key_file=str(tmp_path / "evidence-signing.pem")) as led:
        led.append_many(recs)


def test_promote_refuses_with_a_blocking_item_listed_and_passes_once_it_is_closed(env, tmp_path):
    ready(tmp_path)
    rc, out = promote(env)
    assert rc == 2, out
    assert "rectification_closed failed" in out, out
    assert "RC-8.1.4.1.b-01@demo-bdc-db-01-" in out and "high severity" in out, out
    # the other hosts pass the control: no item for them
    assert "@demo-bdc-web-01" not in out and "@demo-bdc-app-01" not in out, out
    assert "Find the project" not in out  # refused before any cloud call

    with C.E.Ledger(str(tmp_path / "evidence"), key_file=str(tmp_path / "evidence-signing.pem")) as led:
        led.append(**hardening("8.1.4.1.b-01", "demo-bdc-db-01", "pass", " (fixed)"))
    rc, out = promote(env)
    assert rc == 2, out  # stops at the first cloud call: there is no cloud of that name
    assert "Gate to formal operation" in out and "rectification_closed failed" not in out, out
    assert "Promote | Find the project" in out and "no-such-cloud-h13" in out, out
    with C.E.Ledger(str(tmp_path / "evidence"), key_file=str(tmp_path / "evidence-signing.pem"),
                    create=False) as led:
        gates = list(led.records(application=APP, kind="gate"))
    assert [g["result"] for g in gates] == ["fail", "pass"]
    items = {i["id"]: i for g in gates for i in g["details"]["items"]}
    assert items["rectification_closed"]["status"] == "ok"


def test_manifest_can_make_medium_items_blocking(env, tmp_path):
    ready(tmp_path)
    with C.E.Ledger(str(tmp_path / "evidence"), key_file=str(tmp_path / "evidence-signing.pem")) as led:
        led.append(**hardening("8.1.4.1.b-01", "demo-bdc-db-01", "pass", " (fixed)"))
        led.append(**hardening("8.1.4.1.a-05", "demo-bdc-app-01", "gap"))  # medium
    rc, out = promote(env)
    assert rc == 2 and "rectification_closed failed" not in out, out  # medium does not block by default
    run = subprocess.run([str(PLAYBOOK_BIN), "-i", str(EXAMPLE), str(REPO / "playbooks" / "promote.yml"),
                          "-e", "govcloud_cloud=no-such-cloud-h13",
                          "-e", '{"application": %s}' % _example_with_rectification()],
                         cwd=str(REPO), env=env, capture_output=True, text=True, timeout=300, check=False)
    out = run.stdout + run.stderr
    assert run.returncode == 2 and "rectification_closed failed" in out, out
    assert "RC-8.1.4.1.a-05@demo-bdc-app-01-" in out and "medium severity" in out, out


def _example_with_rectification():
    app = yaml.safe_load((EXAMPLE / "group_vars" / "all" / "application.yml").read_text(encoding="utf-8"))
    app = app["application"]
    for server in app["servers"]:
        server["image"] = "devcloud-tiny"
    app["rectification"] = {"due_days": 15, "blocking": ["high", "medium"]}
    return json.dumps(app, ensure_ascii=False)
