# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Verify for molecule/hardening_nspawn: the real state of the hardened nspawn host, control by control."""
from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
import tempfile
import time

import pytest
import yaml

SCENARIO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EPHEMERAL = os.environ.get("MOLECULE_EPHEMERAL_DIRECTORY", "")
# the role's baseline_hardening_stamp_path (defaults/main.yml)
STAMP = "/var/lib/govcloud-lifecycle/baseline_hardening.json"
# the host keys molecule/shared/create.yml pinned for this scenario's hosts
PINNED = ["-o", "StrictHostKeyChecking=yes", "-o", "UserKnownHostsFile=" + os.path.join(EPHEMERAL, "known_hosts"),
          "-o", "GlobalKnownHostsFile=none"]
with open(os.path.join(SCENARIO, "group_vars", "all.yml"), encoding="utf-8") as fh:
    VARS = yaml.safe_load(fh)
# Controls that cannot be decided on a host without declared agents/evidence: must come out "manual".
EXPECTED_MANUAL = {
    "8.1.4.1.d-01", "8.1.4.2.e-01", "8.1.4.4.d-01", "8.1.4.4.f-01", "8.1.4.5-01", "8.1.4.5-02", "8.1.4.6-02",
    "8.1.4.7.b-01", "8.1.4.8.b-01", "8.1.4.9.a-01", "8.1.4.9.b-01", "8.1.4.9.c-01", "8.1.4.10.b-01",
}


@pytest.fixture(scope="module")
def hostvars(host):
    return host.ansible.get_variables()


@pytest.fixture(scope="module")
def sshd(host):
    out = host.check_output("sshd -T")
    eff = {}
    for line in out.splitlines():
        key, _, value = line.partition(" ")
        eff.setdefault(key, value)
    return eff


def load(name):
    with open(os.path.join(EPHEMERAL, name), encoding="utf-8") as fh:
        return json.load(fh)


def ssh_password(hostvars, user, password):
    """A real password login through sshd and PAM, from the controller (SSH_ASKPASS feeds the password)."""
    with tempfile.TemporaryDirectory() as tmp:
        askpass = os.path.join(tmp, "askpass")
        with open(askpass, "w", encoding="utf-8") as fh:
            fh.write("#!/bin/sh\nprintf '%s\\n' " + "'" + password.replace("'", "'\\''") + "'\n")
        os.chmod(askpass, stat.S_IRWXU)
        env = dict(os.environ, SSH_ASKPASS=askpass, SSH_ASKPASS_REQUIRE="force", DISPLAY=":0")
        res = subprocess.run(
            ["ssh", *PINNED, "-o", "LogLevel=ERROR",
             "-o", "PubkeyAuthentication=no", "-o", "PreferredAuthentications=password",
             "-o", "NumberOfPasswordPrompts=1", "-o", "ControlPath=none", "-o", "ConnectTimeout=10",
             "-p", str(hostvars.get("ansible_port", 22)), f"{user}@{hostvars['ansible_host']}", "true"],
            env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60, check=False)
        return res.returncode


# ------------------------------------------------------------------ 8.1.4.1 identification and authentication
def test_only_root_has_uid0_and_no_empty_passwords(host):
    assert host.check_output("awk -F: '$3==0{print $1}' /etc/passwd") == "root"
    assert host.check_output("awk -F: '$2==\"\"{print $1}' /etc/shadow") == ""
    assert host.run("grep -lE '^[^#]*nullok' /etc/pam.d/common-auth /etc/pam.d/common-password").stdout == ""


def test_pwquality(host):
    conf = host.file("/etc/security/pwquality.conf.d/50-mlps.conf")
    assert conf.contains("^minlen = 8$")
    assert conf.contains("^minclass = 3$")
    assert conf.contains("^enforce_for_root$")
    assert host.file("/etc/pam.d/common-password").contains("pam_pwquality.so")


def test_login_defs(host):
    defs = host.file("/etc/login.defs")
    for line in ("PASS_MAX_DAYS\t90", "PASS_MIN_DAYS\t1", "PASS_WARN_AGE\t7", "ENCRYPT_METHOD\tYESCRYPT",
                 "UMASK\t\t027", "HOME_MODE\t\t0750"):
        assert defs.contains("^" + line + "$"), line


def test_existing_password_user_ages(host):
    fields = host.check_output("getent shadow mlpstest").split(":")
    assert fields[4] == "90" and fields[3] == "1" and fields[6] == "30"


def test_pwhistory_before_pam_unix(host):
    lines = host.check_output("grep -nE '^password' /etc/pam.d/common-password").splitlines()
    order = [ln for ln in lines if "pam_pwquality" in ln or "pam_pwhistory" in ln or "pam_unix" in ln]
    assert ["pwquality" in order[0], "pwhistory" in order[1], "pam_unix" in order[2]] == [True, True, True]
    assert "remember=5" in order[1]


def test_faillock_stack_order(host):
    auth = [ln for ln in host.check_output("grep -E '^auth' /etc/pam.d/common-auth").splitlines()]
    mods = [re.search(r"(pam_\w+\.so)\s*(\w*)", ln).group(0).strip() for ln in auth]
    assert mods[0] == "pam_faillock.so preauth"
    assert mods[1].startswith("pam_unix.so")
    assert mods[2] == "pam_faillock.so authfail"
    assert host.file("/etc/pam.d/common-account").contains("pam_faillock.so")
    conf = host.file("/etc/security/faillock.conf")
    assert conf.contains(f"^deny = {VARS['baseline_hardening_faillock_deny']}$")
    assert conf.contains(f"^unlock_time = {VARS['baseline_hardening_faillock_unlock_time']}$")
    assert not conf.contains("even_deny_root")


def test_faillock_locks_and_unlocks_a_real_account(host, hostvars):
    password = VARS["hardening_test_password"]
    host.run("faillock --user mlpstest --reset")
    assert ssh_password(hostvars, "mlpstest", password) == 0, "correct password must work before the test"
    for _ in range(VARS["baseline_hardening_faillock_deny"]):
        assert ssh_password(hostvars, "mlpstest", "wrong-" + password) != 0
    failures = host.check_output("faillock --user mlpstest")
    assert failures.count(" RHOST ") + failures.count(" V") >= VARS["baseline_hardening_faillock_deny"]
    assert ssh_password(hostvars, "mlpstest", password) != 0, "locked: even the right password is refused"
    time.sleep(VARS["baseline_hardening_faillock_unlock_time"] + 3)
    assert ssh_password(hostvars, "mlpstest", password) == 0, "unlocks by itself after unlock_time"


def test_tmout(host):
    assert host.check_output("bash -lc 'echo $TMOUT' </dev/null") == "600"
    assert host.file("/etc/profile.d/mlps-tmout.sh").contains("^readonly TMOUT$")


def test_sshd_effective_session_limits(sshd):
    assert sshd["clientaliveinterval"] == "300"
    assert sshd["clientalivecountmax"] == "3"
    assert sshd["logingracetime"] == "60"
    assert sshd["maxauthtries"] == "4"
    assert sshd["permitemptypasswords"] == "no"
    assert sshd["hostbasedauthentication"] == "no"
    assert sshd["usepam"] == "yes"


def test_sshd_strong_algorithms_only(sshd):
    assert sshd["ciphers"].split(",") == VARS.get("baseline_hardening_ssh_ciphers", [
        "aes256-gcm@openssh.com", "aes128-gcm@openssh.com", "chacha20-poly1305@openssh.com",
        "aes256-ctr", "aes192-ctr", "aes128-ctr"])
    for key in ("ciphers", "macs", "kexalgorithms"):
        for alg in sshd[key].split(","):
            assert not any(w in alg for w in ("cbc", "md5", "sha1", "arcfour", "3des")), alg


# ------------------------------------------------------------------ 8.1.4.2 access control
def test_root_ssh_off_and_login_group(sshd, host):
    assert sshd["permitrootlogin"] == "no"
    assert sshd["allowgroups"] == "mlps-ssh"
    members = host.group("mlps-ssh").members
    assert {"opsadmin", "mlpstest", "sysadmin", "secadmin", "audadmin"} <= set(members)


def test_separated_admins_and_sudo(host):
    for name in ("sysadmin", "secadmin", "audadmin"):
        assert host.user(name).exists
    assert host.run("visudo -c").rc == 0
    assert host.file("/etc/sudoers.d/50-mlps-roles").mode == 0o440
    for name in ("secadmin", "audadmin"):
        rules = host.check_output(f"sudo -l -U {name}")
        assert "(root) ALL" not in rules and not rules.rstrip().endswith(" ALL")
    assert "/usr/sbin/useradd" in host.check_output("sudo -l -U secadmin")
    defaults = host.file("/etc/sudoers.d/00-mlps-defaults")
    assert defaults.contains("use_pty") and defaults.contains('logfile="/var/log/sudo.log"')


def test_su_restricted(host):
    assert host.file("/etc/pam.d/su").contains("^auth[[:space:]]*required[[:space:]]*pam_wheel.so use_uid group=mlps-su$")
    assert "sysadmin" in host.group("mlps-su").members


def test_umask_and_homes(host):
    assert host.check_output("bash -lc umask </dev/null") == "0027"
    assert host.run("find /home -mindepth 1 -maxdepth 1 -type d -perm /027").stdout == ""


@pytest.mark.parametrize("path,mode,group", [
    ("/etc/passwd", 0o644, "root"), ("/etc/group", 0o644, "root"), ("/etc/shadow", 0o640, "shadow"),
    ("/etc/gshadow", 0o640, "shadow"), ("/etc/ssh/sshd_config", 0o600, "root"),
    ("/etc/ssh/sshd_config.d/00-mlps.conf", 0o600, "root"), ("/etc/crontab", 0o600, "root"),
    ("/etc/cron.d", 0o700, "root"), ("/etc/security/opasswd", 0o600, "root"),
])
def test_file_modes(host, path, mode, group):
    f = host.file(path)
    assert (f.mode, f.user, f.group) == (mode, "root", group)


def test_default_and_system_accounts_locked(host):
    assert host.user("games").shell == "/usr/sbin/nologin"
    assert host.check_output("getent shadow games").split(":")[1][:1] in ("!", "*")
    assert host.check_output("awk -F: 'NR==FNR{p[$1]=$2;next} $3<1000 && $1!~/^(root|sync|shutdown|halt)$/ && p[$1]!~/^[!*]/' /etc/shadow /etc/passwd") == ""
    assert host.run("useradd -D").stdout.count("INACTIVE=30") == 1


# ------------------------------------------------------------------ 8.1.4.3 security audit
def test_audit_rules_and_config_written(host):
    rules = host.file("/etc/audit/rules.d/50-mlps.rules").content_string
    for key in ("identity", "scope", "logins", "session", "time-change", "system-locale", "privileged", "delete",
                "kernel_modules", "perm_mod", "auditconfig"):
        assert f"-k {key}" in rules, key
    assert "-F path=/usr/bin/sudo -F perm=x" in rules
    assert host.check_output("grep -vE '^#' /etc/audit/rules.d/99-finalize.rules") == "-e 2"
    conf = host.file("/etc/audit/auditd.conf")
    assert conf.contains("^log_format = ENRICHED$") and conf.contains("^max_log_file_action = keep_logs$")
    assert host.service("auditd").is_enabled


def test_logging(host):
    assert host.service("rsyslog").is_running
    assert host.file("/etc/systemd/journald.conf.d/50-mlps.conf").contains("^Storage=persistent$")
    assert host.file("/etc/rsyslog.d/60-mlps-forward.conf").contains('target="10.77.0.1"')
    assert host.file("/etc/logrotate.d/rsyslog").contains(r"^\s*rotate 26$")
    assert host.run("find /var/log -type f -perm /037 ! -name 'wtmp*' ! -name lastlog ! -name 'btmp*'").stdout == ""


# ------------------------------------------------------------------ 8.1.4.4 intrusion prevention
def test_firewall_ruleset(host):
    chain = host.check_output("nft list chain inet mlps input")
    assert "policy drop;" in chain
    assert "tcp dport 22 ip saddr @mgmt4 accept" in chain
    assert "tcp dport 8443 accept" in chain
    assert "10.77.0.0/16" in host.check_output("nft list set inet mlps mgmt4")
    assert host.service("nftables").is_enabled


@pytest.mark.parametrize("key,value", [
    ("net.ipv4.conf.all.accept_redirects", 0), ("net.ipv4.conf.all.send_redirects", 0),
    ("net.ipv4.conf.all.accept_source_route", 0), ("net.ipv4.conf.all.log_martians", 1),
    ("net.ipv4.conf.all.rp_filter", 1), ("net.ipv4.ip_forward", 0), ("net.ipv6.conf.all.accept_ra", 0),
])
def test_net_sysctl_live(host, key, value):
    assert host.sysctl(key) == value


def test_kernel_sysctls_persisted_for_boot(host):
    conf = host.file("/etc/sysctl.d/60-mlps-kernel.conf")
    assert conf.contains(r"^kernel\.randomize_va_space *= *2$") and conf.contains(r"^fs\.suid_dumpable *= *0$")
    assert host.file("/etc/modprobe.d/mlps-blacklist.conf").contains("^install usb-storage /bin/false$")
    assert host.check_output("systemctl get-default") == "multi-user.target"


# ------------------------------------------------------------------ lockout guard, audit-only mode, evidence
def test_named_account_still_logs_in_with_a_fresh_connection(hostvars):
    res = subprocess.run(
        ["ssh", "-o", "BatchMode=yes", "-o", "ControlPath=none", *PINNED, "-o", "LogLevel=ERROR", "-i", hostvars["ansible_private_key_file"],
         "-p", str(hostvars.get("ansible_port", 22)), f"opsadmin@{hostvars['ansible_host']}", "sudo -n true"],
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60, check=False)
    assert res.returncode == 0, res.stderr


def test_audit_only_before_found_gaps_and_changed_nothing():
    before = load("audit-before.json")
    assert before["etc_unchanged"] is True and before["etc_files"] > 100
    gaps = {r["id"] for r in before["results"] if r["result"] == "gap"}
    assert {"8.1.4.1.b-01", "8.1.4.1.c-02", "8.1.4.2.b-02", "8.1.4.4.b-03", "8.1.4.3.c-05"} <= gaps
    assert all(r["expected"] and r["actual"] for r in before["results"])


def test_audit_only_after_enforce_passes_everything():
    after = load("audit-after.json")
    assert after["etc_unchanged"] is True
    results = {r["id"]: r for r in after["results"]}
    gaps = {i: r["actual"] for i, r in results.items() if r["result"] == "gap"}
    assert gaps == {}
    assert {i for i, r in results.items() if r["result"] == "manual"} == EXPECTED_MANUAL
    assert len(results) == 75  # 77 controls; AIDE (8.1.4.6-01) and the host LSM (8.1.4.2.g-01) off here


def test_ledger_has_one_record_per_control_and_verifies():
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(SCENARIO)), ".work", "collections"))
    from ansible_collections.govcloud.lifecycle.plugins.plugin_utils.evidence import Ledger

    with Ledger(os.path.join(EPHEMERAL, "evidence")) as ledger:
        recs = list(ledger.records(application=VARS["baseline_hardening_evidence_application"], stage="hardening"))
        assert ledger.verify()["ok"] is True
    controls = {r["details"]["control"] for r in recs}
    assert len(controls) == 77  # the 75 evaluated, and the two switched off here, each with a record saying so
    switched = {r["details"]["control"]: r["details"].get("switched_off") for r in recs if r["result"] == "info"}
    assert switched == {"8.1.4.6-01": "baseline_hardening_8_1_4_6_01",
                        "8.1.4.2.g-01": "baseline_hardening_8_1_4_2_g_01"}
    assert {r["result"] for r in recs if r["result"] != "info"} <= {"pass", "gap", "manual"}
    assert all(r["clauses"] == [r["details"]["control"].split("-")[0]] for r in recs)


# ------------------------------------------------------------------ fast re-run on a stamped host
def test_stamped_host_rerun_skips_enforcement_and_shows_no_gap(host):
    summary = load("fast-rerun.json")
    assert summary["enforcement"].startswith("skipped"), summary["enforcement"]
    assert summary["gap"] == [] and int(summary["controls"]) == 75
    stamp = host.file(STAMP)
    assert stamp.mode == 0o600 and stamp.user == "root"
    assert re.fullmatch(r"[0-9a-f]{64}", json.loads(stamp.content_string)["fingerprint"])


def run_playbook(name, *extra):
    """A playbook of this scenario through ansible-playbook, as Molecule runs its playbooks (same env, inventory,
    config): (its output, the tasks it changed)."""
    res = subprocess.run(
        [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", os.environ["MOLECULE_INVENTORY_FILE"],
         *extra, os.path.join(SCENARIO, name)],
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=900, check=False)
    assert res.returncode == 0, res.stdout[-4000:] + res.stderr[-2000:]
    changed = sum(int(n) for n in re.findall(r"changed=(\d+)", res.stdout.rsplit("PLAY RECAP", 1)[-1]))
    return res.stdout, changed


def rerun(*extra):
    """tests/../rerun.yml: (enforcement, gaps, tasks changed)."""
    out, changed = run_playbook("rerun.yml", *extra)
    said = re.search(r"ENFORCEMENT=(.+?) GAPS=(\d+)", out)
    return said.group(1), int(said.group(2)), changed


# Ordered after every state test: these two runs leave the host as converge left it.
def test_changed_variable_is_enforced_even_where_every_check_passes(host):
    # 90 days already satisfies "PASS_MAX_DAYS <= 120": only the fingerprint can tell the run is not converged.
    enforcement, gaps, changed = rerun("--check", "--diff", "-e", "baseline_hardening_pw_max_days=120")
    assert (enforcement, gaps) == ("applied", 0)
    assert changed >= 1
    assert host.file("/etc/login.defs").contains("^PASS_MAX_DAYS\t90$")


def test_drift_on_a_stamped_host_is_enforced_back(host):
    enforcement, gaps, changed = rerun("-e", "hardening_test_drift=true")
    assert (enforcement, gaps) == ("applied", 0)
    assert changed >= 2  # the drift itself, and the role putting it right
    assert host.file("/etc/login.defs").contains("^PASS_MAX_DAYS\t90$")


def log_baseline(*extra):
    """tests/../logbaseline.yml: (stamp still there, tasks changed)."""
    out, changed = run_playbook("logbaseline.yml", *extra)
    return re.search(r"STAMP=(True|False)", out).group(1) == "True", changed


# After the re-runs above (the host converged and stamped again); the last one leaves it so.
def test_log_baseline_for_another_role_keeps_the_stamp_when_it_changes_nothing(host):
    assert host.file(STAMP).exists
    assert log_baseline() == (True, 0)


def test_log_baseline_that_changes_a_control_withdraws_the_stamp(host):
    stamp, changed = log_baseline("-e", "baseline_hardening_log_retention_weeks=30")
    assert not stamp
    assert changed >= 2  # the retention itself, and the stamp withdrawn
    assert host.file("/etc/logrotate.d/rsyslog").contains("rotate 30")
    # and a full run, no longer taking the fast path, puts the host back and stamps it again
    enforcement, gaps, _changed = rerun()
    assert (enforcement, gaps) == ("applied", 0)
    assert host.file("/etc/logrotate.d/rsyslog").contains("rotate 26")
    assert host.file(STAMP).exists
