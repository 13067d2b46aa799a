# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Pure logic of the security assessment: declared ports, ss and apt parsing, findings, verdict."""

from __future__ import annotations

import pytest

from ansible_collections.govcloud.lifecycle.plugins.plugin_utils import _security_assessment as sa

APP = {
    "servers": [{"name": "web", "zone": "internet"}, {"name": "app", "zone": "gov"}, {"name": "app2", "zone": "gov"}],
    "services": [
        {"name": "https", "zone": "internet", "protocol": "tcp", "port": 443, "servers": ["web"]},
        {"name": "syslog", "zone": "gov", "protocol": "udp", "port": 514},  # no servers: every server of the zone
        {"name": "ping", "zone": "gov", "protocol": "icmp"},
    ],
    "flows": [{"from": "internet", "to": "gov", "protocol": "tcp", "port": 8443},
              {"from": "gov", "to": "internet", "protocol": "tcp", "port": 9000}],
}
SSH = [{"protocol": "tcp", "port": 22, "why": "ssh"}]

SS = """\
tcp   LISTEN 0      128          0.0.0.0:22        0.0.0.0:*    users:(("sshd",pid=1,fd=3))
tcp   LISTEN 0      128             [::]:22           [::]:*    users:(("sshd",pid=1,fd=4))
udp   UNCONN 0      0          127.0.0.1:323       0.0.0.0:*    users:(("chronyd",pid=2,fd=5))
udp   UNCONN 0      0     10.0.2.15%ens3:68        0.0.0.0:*    users:(("systemd-network",pid=3,fd=18))
tcp   LISTEN 0      5            0.0.0.0:18081     0.0.0.0:*    users:(("python3",pid=9,fd=3))
tcp   LISTEN 0      5          127.0.0.1:5432      0.0.0.0:*
garbage line
"""

APT = """\
Reading package lists...
Inst libssl3 [3.0.15-1~deb12u1] (3.0.17-1~deb12u2 Debian-Security:12/stable-security [amd64])
Inst tzdata [2024a-0+deb12u1] (2025b-0+deb12u1 Debian:12.11/stable [all])
Conf libssl3 (3.0.17-1~deb12u2 Debian-Security:12/stable-security [amd64])
"""


def test_declared_ports_from_services_flows_and_allowed():
    expected = [{"protocol": "tcp", "port": 22, "why": "ssh"}, {"protocol": "tcp", "port": 443, "why": "service https"},
                {"protocol": "tcp", "port": 9000, "why": "flow gov→internet"}]
    assert sa.declared_ports(APP, "web", SSH) == expected
    app = sa.declared_ports(APP, "app")
    assert [(d["protocol"], d["port"]) for d in app] == [("tcp", 8443), ("udp", 514)]


@pytest.mark.parametrize("args, message", [
    ((APP, "nope"), "server: 'nope' is not a server of the manifest"),
    (("x", "web"), "manifest: must be the application mapping"),
    ((APP, "web", [{"protocol": "sctp", "port": 1}]), "security_assessment_allowed_ports[0].protocol"),
    ((APP, "web", [{"port": 70000}]), "security_assessment_allowed_ports[0].port: 70000 is not a port"),
    ((APP, "web", [{"port": "x"}]), "security_assessment_allowed_ports[0].port: 'x' is not a port"),
])
def test_bad_input_names_the_field(args, message):
    with pytest.raises(sa.AssessmentError, match=message.replace("[", r"\[").replace("]", r"\]")):
        sa.declared_ports(*args)


def test_parse_ss():
    socks = sa.parse_ss(SS)
    assert [(s["protocol"], s["address"], s["port"], s["process"]) for s in socks] == [
        ("tcp", "0.0.0.0", 22, "sshd"), ("tcp", "::", 22, "sshd"), ("udp", "127.0.0.1", 323, "chronyd"),
        ("udp", "10.0.2.15", 68, "systemd-network"), ("tcp", "0.0.0.0", 18081, "python3"),
        ("tcp", "127.0.0.1", 5432, "")]


def test_listeners_loopback_ignored_undeclared_fails():
    findings = sa.listener_findings("h1", sa.parse_ss(SS), sa.declared_ports(APP, "web", SSH))
    got = [(f["category"], f["result"], f["details"]["port"]) for f in findings]
    assert got == [("declared_listener", "pass", 22), ("declared_listener", "pass", 22),
                   ("undeclared_listener", "fail", 18081), ("undeclared_listener", "fail", 68)]
    assert all(f["clause"] == sa.CLAUSE_LISTEN for f in findings)
    assert "h1: listening tcp/18081 on 0.0.0.0 (python3), not declared" in findings[2]["summary"]


def test_scan_ports_are_bounded_and_include_declared_and_seen():
    declared = sa.declared_ports(APP, "web", SSH)
    ports = sa.scan_ports(declared, [18081])
    assert set(sa.DEFAULT_SCAN_PORTS) <= set(ports) and {443, 9000, 18081} <= set(ports)
    assert sa.scan_ports(declared, [], [7]) == [7, 22, 443, 9000]


def test_reach_findings():
    declared = sa.declared_ports(APP, "web", SSH)
    findings = sa.reach_findings("h1", "10.0.0.5", {"22": True, "443": False, "18081": True, "3306": False}, declared)
    got = [(f["category"], f["result"]) for f in findings]
    assert got == [("declared_reachable", "pass"), ("declared_unreachable", "info"),
                   ("undeclared_reachable", "fail"), ("undeclared_closed", "pass")]
    assert findings[-1]["details"]["ports"] == [3306]


def test_apt_security_updates_only_from_security_origins():
    ups = sa.apt_security_updates(APT)
    assert ups == [{"package": "libssl3", "installed": "3.0.15-1~deb12u1", "candidate": "3.0.17-1~deb12u2",
                    "origin": "Debian-Security:12/stable-security"}]
    assert sa.update_findings("h", ups, "Debian")[0]["result"] == "fail"
    assert sa.update_findings("h", [], "Debian")[0]["result"] == "pass"
    assert sa.update_findings("h", [], "RedHat")[0]["result"] == "gap"


def test_hardening_findings():
    assert sa.hardening_findings("h", {"controls": 77, "gap": ["8.1.4.1.b-01"], "manual": []})[0]["result"] == "gap"
    assert sa.hardening_findings("h", {"controls": 77, "gap": [], "manual": ["x"]})[0]["result"] == "pass"


def test_overall_blocking_categories():
    findings = (sa.listener_findings("h", sa.parse_ss(SS), sa.declared_ports(APP, "web", SSH))
                + sa.hardening_findings("h", {"controls": 3, "gap": ["a"]}))
    verdict = sa.overall(findings)
    assert verdict["result"] == "fail" and verdict["categories"] == ["hardening_gap", "undeclared_listener"]
    assert sa.overall(findings, ["security_updates"])["result"] == "pass"
    with pytest.raises(sa.AssessmentError, match="unknown category nonsense"):
        sa.overall(findings, ["nonsense"])


def test_records_carry_run_id_party_and_stage():
    recs = sa.records("h", sa.hardening_findings("h", {"controls": 1}), "2026-11-26T10:00:00Z", "customer")
    assert recs == [{"kind": "control_check", "stage": "security_assessment", "clauses": ["8.1.4"],
                     "party": "customer", "targets": ["h"], "result": "pass", "summary": recs[0]["summary"],
                     "details": {"category": "hardening_audit", "gaps": [], "manual": [], "controls": 1,
                                 "assessment_id": "2026-11-26T10:00:00Z"}}]
