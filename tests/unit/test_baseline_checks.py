# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The baseline_hardening host checks as files (roles/baseline_hardening/files/checks/*.sh) and the reading of
their output on the controller (the govcloud.lifecycle.baseline_check_results filter).

The checks' helpers and runner run here in a real bash; the checks themselves read the host they run on
(molecule/hardening_nspawn and hardening_vm evaluate them on real test hosts).
"""
from __future__ import annotations

import base64
import glob
import os
import re
import shutil
import subprocess
import sys

import pytest
import yaml

from ansible.errors import AnsibleFilterError

from ansible_collections.govcloud.lifecycle.plugins.filter.baseline_check_results import baseline_check_results

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ROLE = os.path.join(ROOT, "roles", "baseline_hardening")
CHECKS_DIR = os.path.join(ROLE, "files", "checks")
LIB = os.path.join(CHECKS_DIR, "lib.sh")


def _yaml(path):
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


CATALOGUE = _yaml(os.path.join(ROOT, "data", "catalog", "mlps_controls.yml"))["controls"]
VARS = _yaml(os.path.join(ROLE, "vars", "main.yml"))
GROUPS = VARS["baseline_hardening__check_groups"]


def _functions(path):
    with open(path, encoding="utf-8") as fh:
        return re.findall(r"^(check_\w+)\(\) \{$", fh.read(), re.M)


def _fn(cid):
    return "check_" + cid.replace(".", "_").replace("-", "_")


def _bash(script, env=None, timeout=60):
    run_env = {"PATH": os.environ["PATH"], "LC_ALL": "C"}
    run_env.update(env or {})
    return subprocess.run(["bash", "-c", script], capture_output=True, text=True, env=run_env, timeout=timeout,
                          check=False)


# ------------------------------------------------------------------ the files
def test_one_file_per_group_and_one_function_per_control_in_its_group():
    files = sorted(os.path.basename(p)[:-3] for p in glob.glob(os.path.join(CHECKS_DIR, "*.sh")))
    assert files == sorted(GROUPS + ["lib"])
    where = {}
    for group in GROUPS:
        for name in _functions(os.path.join(CHECKS_DIR, group + ".sh")):
            assert name not in where, "%s defined in %s and %s" % (name, where.get(name), group)
            where[name] = group
    assert _functions(LIB) == []
    assert sorted(where) == sorted(_fn(c["id"]) for c in CATALOGUE)
    # a group holds whole clauses, and the groups come in catalogue order (so does the runner's output)
    clause_group = {}
    for c in CATALOGUE:
        clause_group.setdefault(c["clause"], set()).add(where[_fn(c["id"])])
    assert all(len(g) == 1 for g in clause_group.values()), clause_group
    order = [where[_fn(c["id"])] for c in CATALOGUE]
    assert sorted(set(order), key=order.index) == GROUPS


def test_every_value_a_check_reads_is_in_the_check_environment():
    env = set(VARS["baseline_hardening__check_env"])
    used = set()
    for path in glob.glob(os.path.join(CHECKS_DIR, "*.sh")):
        with open(path, encoding="utf-8") as fh:
            used |= set(re.findall(r"\$\{?(MLPS_[A-Z0-9_]+)", fh.read()))
    assert used - {"MLPS_CHECK_TIMEOUT"} == env


def test_no_role_value_is_pasted_into_the_checks():
    for path in glob.glob(os.path.join(CHECKS_DIR, "*.sh")):
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
        assert not re.search(r"\{\{|\{%|\{#", text), path


def test_the_checks_are_shellcheck_clean():
    shellcheck = shutil.which("shellcheck", path=os.path.dirname(sys.executable)) or shutil.which("shellcheck")
    assert shellcheck, "shellcheck is missing: it is pinned in tools/toolchain/requirements.in (make deps)"
    res = subprocess.run([shellcheck, "--severity=style", "--format=gcc"]
                         + sorted(glob.glob(os.path.join(CHECKS_DIR, "*.sh"))), capture_output=True, text=True,
                         check=False)
    assert res.returncode == 0, res.stdout + res.stderr


# ------------------------------------------------------------------ the helpers and the runner, in bash
def _lib(body, env=None):
    return _bash(". %s\n%s" % (LIB, body), env)


@pytest.mark.parametrize("text, key, value", [
    ("minlen = 8\n# minlen = 12\nminlen=14\n", "minlen", "14"),
    ("  deny =  5  \nunlock_time = 600\n", "deny", "5"),
    ("minclass\n", "minclass", ""),
    ("Storage=persistent\n", "Storage", "persistent"),
])
def test_eqv_reads_the_last_key_value_line(text, key, value):
    res = _lib('printf %%s "$T" | eqv %s' % key, {"T": text})
    assert res.returncode == 0 and res.stdout.strip() == value


def test_wsv_reads_the_first_whitespace_separated_value():
    res = _lib('printf %s "$T" | wsv PASS_MAX_DAYS', {"T": "#PASS_MAX_DAYS 1\nPASS_MAX_DAYS\t90\nPASS_MAX_DAYS 60\n"})
    assert res.stdout == "90\n"


def test_not_in_drops_exactly_the_listed_words():
    res = _lib('printf "root\\nansible\\nansible2\\n\\nbob\\n" | not_in "ansible -"')
    assert res.stdout == "root\nansible2\n\nbob\n"
    assert _lib('printf "a\\nb\\n" | not_in ""').stdout == "a\nb\n"


def test_ere_escape_makes_a_name_literal():
    assert _lib('ere_escape "ntp1.example.org"').stdout == "ntp1\\.example\\.org"
    res = _lib('for x in a.b axb; do echo "$x" | grep -cE "^$(ere_escape "a.b")$"; done')
    assert res.stdout.split() == ["1", "0"]


def _run(checks, ids, env=None):
    res = _lib(checks + "\nmlps_run " + " ".join(ids), env)
    assert res.returncode == 0, res.stderr
    return res.stdout


FAKE = """
check_8_1_4_1_a_01() { echo "duplicates: none"; true; }
check_8_1_4_1_a_02() { echo "duplicates: 1001"; false; }
check_8_1_4_1_d_01() { echo "bastion (堡垒机) declared"; exit 2; }
check_8_1_4_2_a_01() { read -r x; echo "stdin: ${x:-none} value: $MLPS_X"; }
check_8_1_4_2_b_01() { sleep 5; }
check_8_1_4_2_b_02() { head -c 4000 /dev/zero | tr '\\0' x; echo; echo "the end"; }
"""


def test_the_runner_prints_one_line_per_control_that_the_filter_reads():
    ids = ["8.1.4.1.a-01", "8.1.4.1.a-02", "8.1.4.1.d-01", "8.1.4.2.a-01", "8.1.4.2.b-01", "8.1.4.2.b-02",
           "8.1.4.2.c-01"]
    out = _run(FAKE, ids, {"MLPS_X": "it's $(not run)", "MLPS_CHECK_TIMEOUT": "1"})
    lines = out.splitlines()
    assert [line.split("\t")[0] for line in lines] == ids and all(line.count("\t") == 2 for line in lines)
    expectations = dict((c["id"], {"expect": "what passes for " + c["id"]}) for c in CATALOGUE)
    results = baseline_check_results(out, CATALOGUE, expectations, level=3)
    got = dict((r["id"], (r["result"], r["actual"])) for r in results)
    assert got["8.1.4.1.a-01"] == ("pass", "duplicates: none")
    assert got["8.1.4.1.a-02"] == ("gap", "duplicates: 1001")
    assert got["8.1.4.1.d-01"] == ("manual", "bastion (堡垒机) declared")
    # no stdin (the script is not fed to it), and a value with shell syntax stays a value
    assert got["8.1.4.2.a-01"] == ("pass", "stdin: none value: it's $(not run)")
    assert got["8.1.4.2.b-01"] == ("gap", "check timed out")
    # the last 1500 bytes of a long output
    assert got["8.1.4.2.b-02"][0] == "pass" and got["8.1.4.2.b-02"][1].endswith("x\nthe end")
    assert len(got["8.1.4.2.b-02"][1]) == 1500
    # a control without a check is a gap that says so
    assert got["8.1.4.2.c-01"][0] == "gap" and "command not found" in got["8.1.4.2.c-01"][1]
    assert [r["clause"] for r in results][:3] == ["8.1.4.1.a", "8.1.4.1.a", "8.1.4.1.d"]
    assert results[0]["title"] == CATALOGUE[0]["title"] and results[0]["expected"] == "what passes for 8.1.4.1.a-01"


def test_a_real_group_file_loads_and_runs_its_manual_checks():
    # the 8.1.4.9 b/c checks read nothing of the host: they always say what evidence to attach
    with open(os.path.join(CHECKS_DIR, "backup.sh"), encoding="utf-8") as fh:
        out = _run(fh.read(), ["8.1.4.9.a-01", "8.1.4.9.b-01", "8.1.4.9.c-01"], {"MLPS_BACKUP_UNITS": ""})
    results = baseline_check_results(out, CATALOGUE, dict((c["id"], {"expect": "x"}) for c in CATALOGUE))
    assert [r["result"] for r in results] == ["manual", "manual", "manual"]
    assert results[0]["actual"].startswith("no backup unit declared (baseline_hardening_backup_units)")


# ------------------------------------------------------------------ the filter
EXPECT = dict((c["id"], {"expect": "expected " + c["id"]}) for c in CATALOGUE)


def _line(cid, status, text):
    return "%s\t%s\t%s" % (cid, status, base64.b64encode(text.encode()).decode() if text else "")


def test_filter_reads_status_output_and_level():
    out = "\n".join([
        "bash: warning: setlocale: LC_ALL: cannot change locale",
        _line("8.1.4.1.a-03", 0, "uid 0: root \n"),
        "",
        _line("8.1.4.10.a-02", 1, "/tmp on /"),
        _line("8.1.4.2.e-01", 2, "show the policy"),
        _line("8.1.4.3.a-01", 124, ""),
        _line("8.1.4.3.a-02", 1, ""),
    ])
    three = baseline_check_results(out, CATALOGUE, EXPECT)
    assert [(r["id"], r["clause"], r["result"], r["actual"]) for r in three] == [
        ("8.1.4.1.a-03", "8.1.4.1.a", "pass", "uid 0: root"),
        ("8.1.4.10.a-02", "8.1.4.10.a", "gap", "/tmp on /"),
        ("8.1.4.2.e-01", "8.1.4.2.e", "manual", "show the policy"),
        ("8.1.4.3.a-01", "8.1.4.3.a", "gap", "check timed out"),
        ("8.1.4.3.a-02", "8.1.4.3.a", "gap", ""),
    ]
    assert three[0]["expected"] == "expected 8.1.4.1.a-03"
    assert set(three[0]) == {"id", "clause", "title", "result", "expected", "actual"}
    two = baseline_check_results(out.splitlines(), CATALOGUE, EXPECT, level="2")
    assert [r["clause"] for r in two] == ["7.1.4.1.a", "7.1.4.10.a", "7.1.4.2.e", "7.1.4.3.a", "7.1.4.3.a"]
    assert baseline_check_results("", CATALOGUE, EXPECT) == []


@pytest.mark.parametrize("out, message", [
    (_line("8.1.4.99-01", 0, "x"), "line 1 of the check output (8.1.4.99-01) names a control the catalogue does not"),
    ("8.1.4.1.a-03\tzero\t", "has no exit status but 'zero'"),
    ("8.1.4.1.a-03\t0\t%%%", "has no base64 output field"),
])
def test_filter_names_the_line_it_cannot_read(out, message):
    with pytest.raises(AnsibleFilterError, match=re.escape(message)):
        baseline_check_results(out, CATALOGUE, EXPECT)


def test_filter_refuses_a_control_without_expectation_and_a_bad_level():
    with pytest.raises(AnsibleFilterError, match="has no expectation"):
        baseline_check_results(_line("8.1.4.1.a-03", 0, "x"), CATALOGUE, {})
    with pytest.raises(AnsibleFilterError, match="level must be 2 or 3"):
        baseline_check_results("", CATALOGUE, EXPECT, level=4)
    with pytest.raises(AnsibleFilterError, match="as a string or a list of lines"):
        baseline_check_results(None, CATALOGUE, EXPECT)
