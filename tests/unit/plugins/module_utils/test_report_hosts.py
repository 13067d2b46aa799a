# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The report control by control and host by host, over real ledgers shaped like baseline_hardening's records;
the OSCAL catalog and profiles validated with the pinned NIST schemas and loaded by compliance-trestle."""

from __future__ import annotations

import html as htmllib
import json
import re
import sys

import jsonschema
import pytest
import yaml
from jsonschema.exceptions import ValidationError

import report_cases as C

sys.path.insert(0, str(C.REPO / "tools" / "demo"))
import check_report  # noqa: E402  pylint: disable=wrong-import-position

R, E = C.R, C.E
SCHEMAS = C.REPO / "tests" / "data" / "oscal" / "1.1.2"
HOSTS = ("demo-bdc-app-01", "demo-bdc-db-01", "demo-bdc-web-01")
FAILING = ("8.1.4.1.b-01", "demo-bdc-db-01")


@pytest.fixture(autouse=True)
def _no_default_key(tmp_path, monkeypatch):
    monkeypatch.setenv("GOVCLOUD_EVIDENCE_KEY", str(tmp_path / "absent-key.pem"))
    monkeypatch.delenv("GOVCLOUD_EVIDENCE_DIR", raising=False)


def files(out):
    return {f: (out / R.FILE_NAMES[f]) for f in R.FORMATS}


@pytest.fixture
def three_hosts(tmp_path):
    C.build_ledger(tmp_path / "ledger", C.hardened(hosts=HOSTS, failing=[FAILING]))
    out = tmp_path / "out"
    C.render(tmp_path / "ledger", out, mlps_level=3)
    return tmp_path / "ledger", out


def _validator(model):
    schema = json.loads((SCHEMAS / ("oscal_%s_schema.json" % model)).read_text(encoding="utf-8"))

    def pattern(validator, pat, instance, _schema):
        py = pat.replace("\\p{L}", "[^\\W\\d_]").replace("\\p{N}", "\\d")
        if validator.is_type(instance, "string") and not re.search(py, instance):
            yield ValidationError("%r does not match %r" % (instance, pat))

    cls = jsonschema.validators.extend(jsonschema.Draft7Validator, {"pattern": pattern})
    return cls(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)


def errors(model, doc):
    return ["%s: %s" % (list(e.absolute_path), e.message) for e in _validator(model).iter_errors(doc)]


def test_one_host_of_three_failing_one_control(three_hosts):
    ledger, out = three_hosts
    export = json.loads(files(out)["json"].read_text(encoding="utf-8"))
    by_seq = {r["seq"]: r for r in export["records"]}
    ctl = {c["id"]: c for c in export["controls"]}
    row = ctl[FAILING[0]]
    assert row["status"] == "gap"
    states = {h["host"]: h["status"] for h in row["hosts"]}
    assert states == {"demo-bdc-app-01": "met", "demo-bdc-db-01": "gap", "demo-bdc-web-01": "met"}
    bad = next(h for h in row["hosts"] if h["host"] == FAILING[1])
    assert by_seq[bad["decisive_record"]]["targets"] == [FAILING[1]]
    assert by_seq[bad["decisive_record"]]["result"] == "gap"
    # the siblings of the same sub-clause are met on every host, whatever the failing record says
    for sibling in ("8.1.4.1.b-02", "8.1.4.1.b-03", "8.1.4.1.a-01"):
        assert ctl[sibling]["status"] == "met" and {h["status"] for h in ctl[sibling]["hosts"]} == {"met"}
    # one rectification item, for exactly that control on that host
    items = export["rectification"]["items"]
    assert [(i["control"], i["host"], i["status"], i["severity"]) for i in items] == [
        (FAILING[0], FAILING[1], "open", "high")]

    doc = json.loads(files(out)["oscal"].read_text(encoding="utf-8"))
    assert errors("assessment-results", doc) == []
    result = doc["assessment-results"]["results"][0]
    inventory = {i["uuid"]: i["props"][0]["value"] for i in result["local-definitions"]["inventory-items"]}
    assert sorted(inventory.values()) == list(HOSTS)
    observations = {o["uuid"]: o for o in result["observations"]}
    findings = [f for f in result["findings"] if f["target"]["target-id"] == "gbt22239-" + FAILING[0]]
    assert len(findings) == 3
    state = {}
    for f in findings:
        hosts = set()
        for rel in f["related-observations"]:
            obs = observations[rel["observation-uuid"]]
            assert obs["methods"] == ["TEST"]
            hosts.update(inventory[s["subject-uuid"]] for s in obs["subjects"])
        assert len(hosts) == 1  # a finding is about one host; its observations are that host's records
        state[hosts.pop()] = f["target"]["status"]["state"]
    assert state == {"demo-bdc-app-01": "satisfied", "demo-bdc-db-01": "not-satisfied",
                     "demo-bdc-web-01": "satisfied"}
    # one finding per control per host: 11 clauses + 77 controls x 3 hosts at level 3
    assert len(result["findings"]) == 11 + 77 * 3


def assert_rows_hold_only_their_records(out):
    """Every control row of the HTML and of the JSON lists only records about that very control (the check
    `make demo` ends with: tools/demo/check_report.py)."""
    summary, problems = check_report.check(out)
    assert problems == [] and summary["controls"] == 77, problems
    return summary["record_links"] // 2  # each link is counted in the HTML and in the JSON


def test_the_row_check_finds_a_record_of_another_control(three_hosts):
    _ledger, out = three_hosts
    export = json.loads(files(out)["json"].read_text(encoding="utf-8"))
    rows = {c["id"]: c for c in export["controls"]}
    rows["8.1.4.1.b-02"]["records"].append(rows["8.1.4.1.b-01"]["records"][0])
    files(out)["json"].write_text(json.dumps(export), encoding="utf-8")
    _summary, problems = check_report.check(out)
    assert problems == ["JSON row 8.1.4.1.b-02 lists record #%d, which is not about it"
                        % rows["8.1.4.1.b-01"]["records"][0]]


def test_every_control_row_lists_only_records_of_that_control(three_hosts):
    _ledger, out = three_hosts
    assert assert_rows_hold_only_their_records(out) >= 77 * 2
    html = files(out)["html"].read_text(encoding="utf-8")
    row = re.search(r'<tr id="control-8\.1\.4\.1\.b-01".*?</tr>', html, re.S).group(0)
    text = htmllib.unescape(re.sub(r"<[^>]+>", " ", row))
    assert "2/3 台主机符合" in text and "demo-bdc-db-01: ✖ 差距 #" in text
    # the host view: every host, every control with its latest result
    for host in HOSTS:
        assert len(re.findall(r'<tr id="hc-%s-' % re.escape(host), html)) == 77
    assert re.search(r'<tr id="hc-demo-bdc-db-01-8\.1\.4\.1\.b-01" data-state="gap"', html)
    assert re.search(r'<tr id="hc-demo-bdc-web-01-8\.1\.4\.1\.b-01" data-state="met"', html)


def test_demo_shaped_report_shows_manual_controls_attested_or_due_never_gaps(tmp_path):
    """A ledger shaped like `make demo`'s (four hosts, the manual checks of the role) plus the example's
    attestations file, recorded as record_attestations.yml records it."""
    from ansible_collections.govcloud.lifecycle.plugins.plugin_utils import _attestations as A
    hosts = ("demo-bdc-app-01", "demo-bdc-db-01", "demo-bdc-ops-01", "demo-bdc-web-01")
    manifest = yaml.safe_load((C.REPO / "inventories" / "example" / "group_vars" / "all" / "application.yml")
                              .read_text(encoding="utf-8"))["application"]
    plan = A.plan(str(C.REPO / "inventories" / "example" / "attestations.yml"), manifest, "2026-12-01")
    assert plan["problems"] == []
    recs = C.hardened(hosts=hosts, app="jx-bdcdj")
    recs += [dict(r, application="jx-bdcdj") for r in plan["records"]]
    C.build_ledger(tmp_path / "ledger", recs)
    result = C.render(tmp_path / "ledger", tmp_path / "out", application="jx-bdcdj", mlps_level=3,
                      as_of="2026-12-06")
    manual = result["manual_controls"]
    assert manual["total"] == len(C.MANUAL_ON_HOST) == 15
    assert manual["other"] == 0  # never a gap, never "no record"
    assert manual["attested"] + manual["not_applicable"] == 13 and manual["due"] == 2
    export = json.loads(files(tmp_path / "out")["json"].read_text(encoding="utf-8"))
    status = {c["id"]: c["status"] for c in export["controls"]}
    assert status["8.1.4.2.g-01"] == status["8.1.4.6-02"] == "manual_due"
    assert status["8.1.4.9.a-01"] == "attested" and status["8.1.4.10.b-01"] == "not_applicable"
    assert assert_rows_hold_only_their_records(tmp_path / "out") > 0
    html = files(tmp_path / "out")["html"].read_text(encoding="utf-8")
    assert "需人工核查的控制项 15 项：人工核查符合 12 项，待人工核查 2 项，不适用 1 项，其他（差距/无记录）0 项。" in html
    doc = json.loads(files(tmp_path / "out")["oscal"].read_text(encoding="utf-8"))
    methods = {m for o in doc["assessment-results"]["results"][0]["observations"] for m in o["methods"]}
    assert methods == {"TEST", "EXAMINE", "INTERVIEW"}


def test_a_record_of_a_multi_control_sub_clause_counts_for_none(tmp_path):
    recs = C.lifecycle()
    recs.append(dict(application=C.APP, kind="control_check", stage="hardening", party="customer", result="pass",
                     clauses=["8.1.4.5"], summary="agent present", targets=["web-1"], actor="ops@example"))
    recs.append(dict(application=C.APP, kind="control_check", stage="hardening", party="customer", result="pass",
                     clauses=["8.1.4.1.d"], summary="2FA via bastion", targets=["web-1"], actor="ops@example"))
    C.build_ledger(tmp_path / "ledger", recs)
    C.render(tmp_path / "ledger", tmp_path / "out")
    export = json.loads(files(tmp_path / "out")["json"].read_text(encoding="utf-8"))
    status = {c["id"]: c["status"] for c in export["controls"]}
    assert status["8.1.4.5-01"] == status["8.1.4.5-02"] == "missing"
    assert status["8.1.4.1.d-01"] == "met"  # the sub-clause has that one control
    assert "8.1.4.5" in files(tmp_path / "out")["html"].read_text(encoding="utf-8")


def test_jx4_and_jx5_are_never_met_without_records(tmp_path):
    recs = [dict(application=C.APP, kind="note", stage="trial", party="customer", summary="a note", actor="x")]
    C.build_ledger(tmp_path / "ledger", recs)
    C.render(tmp_path / "ledger", tmp_path / "out")
    export = json.loads(files(tmp_path / "out")["json"].read_text(encoding="utf-8"))
    clauses = {c["id"]: c for c in export["clauses"]}
    assert clauses["JX-5"]["status"] == "missing" and clauses["JX-5"]["records"] == []
    assert clauses["JX-4"]["status"] == "met" and clauses["JX-4"]["records"]  # the trial's own party acted
    C.build_ledger(tmp_path / "l2", [dict(recs[0], party="cloud_service_provider")])
    C.render(tmp_path / "l2", tmp_path / "o2")
    export = json.loads(files(tmp_path / "o2")["json"].read_text(encoding="utf-8"))
    assert {c["id"]: c["status"] for c in export["clauses"]}["JX-4"] == "gap"
    for clause in export["clauses"]:
        assert clause["status"] != "met" or clause["records"], clause


def test_catalog_and_profiles_validate_and_the_results_reference_them(three_hosts):
    _ledger, out = three_hosts
    docs = {name: json.loads((out / fname).read_text(encoding="utf-8")) for name, fname in R.OSCAL_CATALOG_FILES.items()}
    assert errors("catalog", {"catalog": {"uuid": "not-a-uuid"}}) and errors("profile", {"profile": {}})
    assert errors("catalog", docs["catalog"]) == []
    assert errors("profile", docs["profile-2"]) == [] and errors("profile", docs["profile-3"]) == []
    controls = [c for g in docs["catalog"]["catalog"]["groups"] for c in g["controls"]]
    mlps = [c for c in controls if c["id"].startswith("gbt22239-")]
    assert len(mlps) == 77 and len(controls) == 77 + 11
    # our paraphrase, never the standard's text: the statement is the catalogue's requirement column
    cat = {c["id"]: c for c in R.load_catalog()["mlps"]["controls"]}
    for c in mlps:
        assert c["parts"][0]["prose"] == cat[c["id"][len("gbt22239-"):]]["requirement"]
    l2 = docs["profile-2"]["profile"]["imports"][0]["include-controls"][0]["with-ids"]
    l3 = docs["profile-3"]["profile"]["imports"][0]["include-controls"][0]["with-ids"]
    assert len(l3) == 77 + 11 and len(l2) == sum(1 for c in cat.values() if 2 in c["levels"]) + 11
    ar = json.loads(files(out)["oscal"].read_text(encoding="utf-8"))["assessment-results"]
    ids = {c["id"] for c in controls}
    reviewed = ar["results"][0]["reviewed-controls"]["control-selections"][0]["include-controls"]
    assert {c["control-id"] for c in reviewed} <= ids
    assert {f["target"]["target-id"] for f in ar["results"][0]["findings"]} <= ids
    hrefs = {r["rlinks"][0]["href"] for r in ar["back-matter"]["resources"] if r.get("rlinks")}
    assert hrefs == {R.OSCAL_CATALOG_FILES["catalog"], R.OSCAL_CATALOG_FILES["profile-3"]}


def test_oscal_documents_load_in_compliance_trestle(three_hosts):
    from trestle.oscal.assessment_results import AssessmentResults
    from trestle.oscal.catalog import Catalog
    from trestle.oscal.profile import Profile

    _ledger, out = three_hosts
    cat = Catalog.oscal_read(out / R.OSCAL_CATALOG_FILES["catalog"])
    assert len([c for g in cat.groups for c in g.controls]) == 88
    for level in (2, 3):
        prof = Profile.oscal_read(out / R.OSCAL_CATALOG_FILES["profile-%d" % level])
        assert prof.imports[0].href == R.OSCAL_CATALOG_FILES["catalog"]
    ar = AssessmentResults.oscal_read(files(out)["oscal"])
    assert len(ar.results[0].findings) == 11 + 77 * 3
    assert len(ar.results[0].local_definitions.inventory_items) == 3


def test_a_result_beside_the_word_password_stays_visible(three_hosts):
    """The summary baseline_hardening writes for 8.1.4.1.a-08 keeps its result in every output (issue 13)."""
    _ledger, out = three_hosts
    for fmt, path in files(out).items():
        text = path.read_text(encoding="utf-8")
        assert "8.1.4.1.a-08 | Refuse reuse of recent passwords: pass" in text, fmt
        assert "Refuse reuse of recent passwords: " + E.REDACTED not in text, fmt


def test_a_record_on_a_project_is_system_level_not_a_host(tmp_path):
    """What the tenant role writes (a control check whose only target is the project id) is no host."""
    recs = C.hardened(hosts=HOSTS)
    recs.insert(3, dict(application=C.APP, kind="control_check", stage="resource_allocation", party="customer",
                        result="pass", clauses=["8.1.4.2.a"], targets=["fa72fce262574a58a8e254c850b0a62c"],
                        summary="tenant holds the duty groups", actor="ops@example"))
    C.build_ledger(tmp_path / "ledger", recs)
    C.render(tmp_path / "ledger", tmp_path / "out", mlps_level=3)
    export = json.loads(files(tmp_path / "out")["json"].read_text(encoding="utf-8"))
    ctl = {c["id"]: c for c in export["controls"]}
    assert sorted(h["host"] for h in ctl["8.1.4.6-02"]["hosts"]) == list(HOSTS)
    assert ctl["8.1.4.6-02"]["status"] == "manual_due"
    assert ctl["8.1.4.2.a-01"]["status"] == "met" and len(ctl["8.1.4.2.a-01"]["records"]) == 4


def test_a_task_on_a_cloud_resource_names_no_host_and_no_host_control(tmp_path):
    """What the callback writes for a cloud task (it ran on localhost, details.resource names the project): the
    controller is no host of the application, and the task is cloud-layer evidence of its sub-clause only."""
    recs = C.hardened(hosts=HOSTS)
    task = dict(application=C.APP, kind="task", stage="resource_allocation", party="cloud_service_provider",
                result="changed", clauses=["8.1.4.2.a"], targets=["localhost"], actor="ops@example",
                summary="changed: tenant : 8.1.4.2.a | Create or update the application's project on localhost",
                details={"host": "localhost", "action": "openstack.cloud.project", "changed": True,
                         "resource": {"type": "project", "name": C.APP, "id": "fa72fce262574a58a8e254c850b0a62c"}})
    on_host = dict(task, targets=[HOSTS[0]], summary="changed: 8.1.4.1.a-01 | UIDs unique on " + HOSTS[0],
                   clauses=["8.1.4.1.a-01"], details={"host": HOSTS[0], "action": "ansible.builtin.command"})
    recs[3:3] = [task, on_host]
    C.build_ledger(tmp_path / "ledger", recs)
    C.render(tmp_path / "ledger", tmp_path / "out", mlps_level=3)
    export = json.loads(files(tmp_path / "out")["json"].read_text(encoding="utf-8"))
    ctl = {c["id"]: c for c in export["controls"]}
    task_seq = next(r["seq"] for r in export["records"] if r["kind"] == "task" and r["targets"] == ["localhost"])
    for row in ctl.values():
        assert "localhost" not in [h["host"] for h in row["hosts"]], row["id"]
        assert task_seq not in row["records"], row["id"]
    assert sorted(h["host"] for h in ctl["8.1.4.6-02"]["hosts"]) == list(HOSTS)
    assert ctl["8.1.4.6-02"]["status"] == "manual_due"
    # a task on a host that cites a control id is that host's evidence for it
    host_seq = next(r["seq"] for r in export["records"] if r["kind"] == "task" and r["targets"] == [HOSTS[0]])
    assert host_seq in ctl["8.1.4.1.a-01"]["records"]
    # ... and the project task is listed under its sub-clause, with the records that cite a sub-clause only
    from ansible_collections.govcloud.lifecycle.plugins.plugin_utils import _findings as F
    book = F.ControlBook(yaml.safe_load((C.REPO / "data" / "catalog" / "mlps_controls.yml").read_text("utf-8")))
    for rec in export["records"]:
        book.add(rec)
    assert [b["seq"] for b in book.clause_only["8.1.4.2.a"]] == [task_seq]
    assert "localhost" not in book.hosts


def test_a_control_switched_off_on_a_host_says_so_with_its_record(tmp_path):
    """baseline_hardening's record of a switched-off control (plugin_utils/_baseline.control_records): the host
    is "missing" for that control, the reason and the record named, never met."""
    from ansible_collections.govcloud.lifecycle.plugins.plugin_utils import _baseline as B
    controls = R.load_catalog()["mlps"]["controls"]
    off, host = "8.1.4.6-01", HOSTS[1]
    recs = [r for r in C.hardened(hosts=HOSTS)
            if not (r["kind"] == "control_check" and r.get("details", {}).get("control") == off
                    and r["targets"] == [host])]
    toggles = {c["id"]: c["id"] != off for c in controls}
    recs += [dict(r, application=C.APP, party="customer", actor="ops@example")
             for r in B.control_records([], host, 3, "enforce", catalogue=controls, toggles=toggles)]
    C.build_ledger(tmp_path / "ledger", recs)
    C.render(tmp_path / "ledger", tmp_path / "out", mlps_level=3)
    export = json.loads(files(tmp_path / "out")["json"].read_text(encoding="utf-8"))
    row = {c["id"]: c for c in export["controls"]}[off]
    cell = {h["host"]: h for h in row["hosts"]}[host]
    assert row["status"] == "missing" and row["why"] == "switched_off"
    assert cell["status"] == "missing" and cell["why"] == "switched_off"
    by_seq = {r["seq"]: r for r in export["records"]}
    assert by_seq[cell["decisive_record"]]["details"]["switched_off"] == "baseline_hardening_8_1_4_6_01"
    assert {h["status"] for h in row["hosts"] if h["host"] != host} == {"met"}
    html = files(tmp_path / "out")["html"].read_text(encoding="utf-8")
    assert "运维人员已关闭此控制项" in html
