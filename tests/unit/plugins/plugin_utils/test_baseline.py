# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""plugin_utils/_baseline.py (the baseline_hardening role's controller-side derivations) and its filters,
the latter rendered through Ansible's own templating as the role's vars render them."""
from __future__ import annotations

import os

import pytest
import yaml
from ansible.errors import AnsibleFilterError

from ansible_collections.govcloud.lifecycle.plugins.filter.baseline_hardening import FilterModule
from ansible_collections.govcloud.lifecycle.plugins.plugin_utils import _baseline as B

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))

# getent passwd / shadow facts as ansible.builtin.getent returns them (fields after the name)
PASSWD = {
    "root": ["x", "0", "0", "root", "/root", "/bin/bash"],
    "daemon": ["x", "1", "1", "daemon", "/usr/sbin", "/usr/sbin/nologin"],
    "sync": ["x", "4", "65534", "sync", "/bin", "/bin/sync"],
    "games": ["x", "5", "60", "games", "/usr/games", "/usr/sbin/nologin"],
    "lp": ["x", "7", "7", "lp", "/var/spool/lpd", "/bin/sh"],
    "backup": ["x", "34", "34", "backup", "/var/backups", "/usr/sbin/nologin"],
    "ops": ["x", "999", "999", "ops", "/home/ops", "/bin/bash"],
    "alice": ["x", "1000", "1000", "", "/home/alice", "/bin/bash"],
}
SHADOW = {
    "root": ["$y$j9T$abc", "19000", "0", "99999", "7", "", "", ""],
    "daemon": ["*", "19000", "0", "99999", "7", "", "", ""],
    "games": ["$6$salt$hash", "19000", "0", "99999", "7", "", "", ""],  # nologin shell but a usable password
    "lp": ["!", "19000", "0", "99999", "7", "", "", ""],                # locked password but a shell
    "ops": ["$6$x$y", "19000", "0", "99999", "7", "30", "", ""],
    "alice": ["$6$x$y", "19000", "0", "99999", "7", "90", "", ""],
}


def test_login_capable_among_named_accounts_in_their_order():
    assert B.login_capable(PASSWD, SHADOW, names=["lp", "games", "backup", "nobody"]) == ["lp", "games"]
    # no shadow entry counts as locked: backup (nologin) stays out; a shell alone is enough
    assert B.login_capable(PASSWD, {}, names=["backup", "lp"]) == ["lp"]


def test_login_capable_system_accounts_in_passwd_order_with_exclusions():
    assert B.login_capable(PASSWD, SHADOW, system_only=True, exclude=["root", "sync", "ops"]) == ["games", "lp"]
    assert "alice" not in B.login_capable(PASSWD, SHADOW, system_only=True)  # UID 1000 is no system account


def test_inactive_missing_unset_or_too_long():
    assert B.inactive_missing(SHADOW, 35) == ["root", "games", "alice"]
    assert B.inactive_missing(SHADOW, "90", exclude=["root"]) == ["games"]
    assert B.inactive_missing({"x": ["$6$a$b", "", "", "", "", "-1", "", ""]}, 35) == ["x"]
    assert B.inactive_missing({"x": ["$6$a$b", "", "", "", "", "soon", "", ""]}, 35) == []  # unreadable: not above


def test_sysctl_drift():
    settings = {"net.ipv4.ip_forward": 0, "kernel.randomize_va_space": 2, "net.ipv4.ip_local_port_range": "1024 65000"}
    lines = ["net.ipv4.ip_forward = 1", "kernel.randomize_va_space = 2",
             "net.ipv4.ip_local_port_range = 1024\t65000", "sysctl: cannot stat /proc/sys/x: No such file"]
    assert B.sysctl_drift(lines, settings) == ["net.ipv4.ip_forward"]
    assert B.sysctl_drift([], settings) == list(settings)  # a key the kernel did not report drifts


def test_selected_controls_by_level_and_toggle():
    catalogue = [{"id": "a-01", "levels": [2, 3]}, {"id": "a-02", "levels": [3]}, {"id": "a-03", "levels": [2, 3]}]
    toggles = {"a-01": True, "a-02": "yes", "a-03": "false"}
    assert B.selected_controls(catalogue, 3, toggles) == ["a-01", "a-02"]
    assert B.selected_controls(catalogue, "2", toggles) == ["a-01"]
    with pytest.raises(B.BaselineError, match="toggles: no value for a-03"):
        B.selected_controls(catalogue, 3, {"a-01": True, "a-02": True})


def test_control_records_carry_the_control_and_the_host():
    result = {"id": "8.1.4.1.a-03", "clause": "8.1.4.1.a", "title": "Only root has UID 0", "result": "pass",
              "expected": "root is the only UID 0 account", "actual": "uid 0: root"}
    assert B.control_records([result], "web-01", "3", "enforce") == [{
        "kind": "control_check", "stage": "hardening", "clauses": ["8.1.4.1.a"], "targets": ["web-01"],
        "result": "pass", "summary": "8.1.4.1.a-03 | Only root has UID 0: pass",
        "details": {"control": "8.1.4.1.a-03", "level": 3, "mode": "enforce",
                    "expected": "root is the only UID 0 account", "actual": "uid 0: root"}}]


def test_a_switched_off_control_of_the_level_gets_a_record_naming_its_variable():
    catalogue = [{"id": "8.1.4.6-01", "clause": "8.1.4.6", "item": None, "title": "AIDE", "levels": [2, 3]},
                 {"id": "8.1.4.6-02", "clause": "8.1.4.6", "item": None, "title": "Trusted boot", "levels": [2, 3]},
                 {"id": "8.1.4.1.a-09", "clause": "8.1.4.1", "item": "a", "title": "Level 3 only", "levels": [3]}]
    result = {"id": "8.1.4.6-02", "clause": "8.1.4.6", "title": "Trusted boot", "result": "manual",
              "expected": "evidence", "actual": "none"}
    toggles = {"8.1.4.6-01": False, "8.1.4.6-02": True, "8.1.4.1.a-09": False}
    records = B.control_records([result], "db-01", 2, "audit", catalogue=catalogue, toggles=toggles)
    # the level-3 control is not of this level: no record; the level-2 one switched off: one, naming its switch
    assert [(r["details"]["control"], r["result"]) for r in records] == [("8.1.4.6-02", "manual"), ("8.1.4.6-01", "info")]
    assert records[1] == {
        "kind": "control_check", "stage": "hardening", "clauses": ["7.1.4.6"], "targets": ["db-01"], "result": "info",
        "summary": "8.1.4.6-01 | AIDE: not evaluated, switched off (baseline_hardening_8_1_4_6_01: false)",
        "details": {"control": "8.1.4.6-01", "level": 2, "mode": "audit",
                    "switched_off": "baseline_hardening_8_1_4_6_01"}}
    at3 = B.control_records([], "db-01", 3, "audit", catalogue=catalogue, toggles=toggles)
    assert [(r["details"]["control"], r["clauses"]) for r in at3] == [("8.1.4.6-01", ["8.1.4.6"]),
                                                                      ("8.1.4.1.a-09", ["8.1.4.1.a"])]
    assert B.toggle_name("8.1.4.10.a-02") == "baseline_hardening_8_1_4_10_a_02"


def test_filter_errors_are_messages():
    with pytest.raises(AnsibleFilterError, match="level must be 2 or 3"):
        FilterModule().filters()["baseline_control_records"]([], "h", "three", "enforce")
    with pytest.raises(AnsibleFilterError, match="level must be 2 or 3, got 4"):
        FilterModule().filters()["baseline_selected_controls"]([], 4, {})


# Rendered in a process of its own: Ansible's collection loader must be installed before anything imports
# ansible_collections, which this test session has long done.
_RENDER = """
import json, os, sys
import yaml
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import init_plugin_loader
from ansible.template import Templar, trust_as_template

root, names, extra = sys.argv[1], sys.argv[2].split(","), json.loads(sys.argv[3])
init_plugin_loader([os.path.join(root, ".work", "collections")])  # where `make collection` links the checkout
role = os.path.join(root, "roles", "baseline_hardening")
with open(os.path.join(role, "defaults", "main.yml"), encoding="utf-8") as handle:
    variables = yaml.safe_load(handle)
with open(os.path.join(role, "vars", "main.yml"), encoding="utf-8") as handle:
    # role vars are trusted templates when Ansible loads them from the role
    variables.update({k: trust_as_template(v) for k, v in yaml.safe_load(handle).items() if isinstance(v, str)})
with open(os.path.join(root, "data", "catalog", "mlps_controls.yml"), encoding="utf-8") as handle:
    variables["baseline_hardening__catalogue"] = yaml.safe_load(handle)
variables.update(extra)
templar = Templar(loader=DataLoader(), variables=variables)
print(json.dumps({name: templar.template(variables[name]) for name in names}))
"""


def test_the_role_vars_render_through_ansible_templating():
    """The role's own expressions (vars/main.yml), rendered by Ansible with the catalogue and every toggle on
    (the defaults), select every level-3 control, and the account lists come out as the functions say."""
    import json
    import subprocess
    import sys

    names = ["baseline_hardening__selected_ids", "baseline_hardening__default_usable",
             "baseline_hardening__system_usable", "baseline_hardening__inactive_missing"]
    extra = dict(baseline_hardening_level=3, baseline_hardening__ansible_user="ops", baseline_hardening_breakglass_user="",
                 baseline_hardening_default_accounts=["games", "lp", "backup"], baseline_hardening_inactive_days=35,
                 ansible_facts={"getent_passwd": PASSWD, "getent_shadow": SHADOW})
    out = subprocess.run([sys.executable, "-c", _RENDER, ROOT, ",".join(names), json.dumps(extra)],
                         capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr[-3000:]
    got = json.loads(out.stdout)
    with open(os.path.join(ROOT, "data", "catalog", "mlps_controls.yml"), encoding="utf-8") as handle:
        level3 = [c["id"] for c in yaml.safe_load(handle)["controls"] if 3 in c["levels"]]
    assert len(level3) > 60 and got["baseline_hardening__selected_ids"] == level3
    assert got["baseline_hardening__default_usable"] == ["games", "lp"]
    assert got["baseline_hardening__system_usable"] == ["games", "lp"]
    assert got["baseline_hardening__inactive_missing"] == ["root", "games", "alice"]
    # one toggle off takes exactly that control out
    extra["baseline_hardening_8_1_4_1_a_03"] = False
    out = subprocess.run([sys.executable, "-c", _RENDER, ROOT, names[0], json.dumps(extra)],
                         capture_output=True, text=True, check=False)
    assert json.loads(out.stdout)[names[0]] == [c for c in level3 if c != "8.1.4.1.a-03"], out.stderr[-3000:]
