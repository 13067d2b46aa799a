# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Nothing that ships turns host-key checking off (issue #16: host keys pinned).

Every SSH connection the project makes checks the host key against a pinned file: operators' (ansible.cfg:
their own known_hosts, the trial inventory's pinned file through the bastion) and the test bed's (tools/testhosts'
per-host keys, Molecule's per-scenario known_hosts). This reads the files themselves, so a new
`StrictHostKeyChecking no`, `UserKnownHostsFile /dev/null` or `host_key_checking = False` anywhere in them fails.
"""
from __future__ import annotations

import os
import re
import subprocess

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
SHIPPED = ["ansible.cfg", ".config", "molecule", "tools", "roles", "playbooks", "plugins", "benchmarks",
           "inventories", "frontend", "execution-environment.yml"]
TEXT_SUFFIXES = (".cfg", ".yml", ".yaml", ".py", ".sh", ".j2", ".ini", ".toml", ".txt", ".json", ".conf")

# the ways of switching host-key checking off (ssh option or config line, Ansible setting, env, host var)
DISABLING = [
    re.compile(r"StrictHostKeyChecking\s*[= ]\s*[\"']?(no|off|false|accept-new)\b", re.I),
    re.compile(r"UserKnownHostsFile\s*[= ]\s*[\"']?/dev/null", re.I),
    re.compile(r"GlobalKnownHostsFile\s*[= ]\s*[\"']?/dev/null", re.I),
    re.compile(r"\bhost_key_checking\s*[:=]\s*[\"']?(false|no|0|off)\b", re.I),
    re.compile(r"ANSIBLE_(SSH_)?HOST_KEY_CHECKING\W*(false|no|0|off)\b", re.I),
    re.compile(r"\bssh-keyscan\b"),  # trust on first use: a key must come from where it was made
]

# One conditional, not a setting: the lockout guard opens the same connection Ansible opens for the host, and
# adds StrictHostKeyChecking=no only when the host's own host_key_checking is off (an operator's choice; every
# inventory this project writes has it on). Kept listed here so that it cannot spread unnoticed.
MIRRORS_THE_HOSTS_SETTING = {
    "roles/baseline_hardening/tasks/login_check.yml":
        "{{ '' if baseline_hardening__conn.host_key_checking | bool else '-o StrictHostKeyChecking=no' }}",
}


def shipped_files() -> list[str]:
    tracked = subprocess.run(["git", "-C", REPO, "ls-files", "-z", "--", *SHIPPED], capture_output=True,
                             check=True).stdout.decode().split("\0")
    files = [f for f in tracked if f and (f.endswith(TEXT_SUFFIXES) or "." not in os.path.basename(f))]
    # the untracked ones a developer is about to commit count too
    others = subprocess.run(["git", "-C", REPO, "ls-files", "-z", "--others", "--exclude-standard", "--", *SHIPPED],
                            capture_output=True, check=True).stdout.decode().split("\0")
    files += [f for f in others if f and f.endswith(TEXT_SUFFIXES)]
    return sorted(set(f for f in files if os.path.isfile(os.path.join(REPO, f))))


# this test's own file names the patterns it looks for
SELF = os.path.relpath(os.path.abspath(__file__), REPO)


def findings() -> list[str]:
    found = []
    for rel in shipped_files():
        if rel == SELF:
            continue
        with open(os.path.join(REPO, rel), encoding="utf-8", errors="replace") as fh:
            for no, line in enumerate(fh, 1):
                if any(p.search(line) for p in DISABLING):
                    allowed = MIRRORS_THE_HOSTS_SETTING.get(rel)
                    if allowed and allowed in line and line.count("StrictHostKeyChecking") == 1:
                        continue
                    found.append(f"{rel}:{no}: {line.strip()}")
    return found


def test_shipped_files_are_what_this_test_reads():
    files = shipped_files()
    for must in ("ansible.cfg", ".config/molecule/config.yml", "molecule/shared/ssh_config",
                 "molecule/shared/create.yml", "tools/testhosts/testhosts", "tools/testhosts/worker-node",
                 "tools/demo/standins.py", "roles/baseline_hardening/tasks/login_check.yml",
                 "tools/testhosts/image/customize.sh"):
        assert must in files, must


def test_nothing_shipped_turns_host_key_checking_off():
    assert findings() == []


def test_the_one_conditional_is_still_what_it_says():
    """If the lockout guard's line changes, this list must be looked at again (not silently go stale)."""
    for rel, line in MIRRORS_THE_HOSTS_SETTING.items():
        with open(os.path.join(REPO, rel), encoding="utf-8") as fh:
            assert line in fh.read(), rel


@pytest.mark.parametrize("line", [
    "ssh_args = -o ControlMaster=auto -o UserKnownHostsFile=/dev/null -o StrictHostKeyChecking=no",
    "  StrictHostKeyChecking no",
    "host_key_checking = False",
    "      host_key_checking: false",
    'env["ANSIBLE_HOST_KEY_CHECKING"] = "False"',
    "SSH_OPTS = [\"-o\", \"StrictHostKeyChecking=no\"]",
    "  UserKnownHostsFile /dev/null",
    "ssh -o StrictHostKeyChecking=accept-new host",
    "ssh-keyscan -p 22 10.0.0.5 >> known_hosts",
])
def test_the_patterns_catch_what_shipped_before(line):
    # each of these was in ansible.cfg, .config/molecule, molecule/shared/ssh_config, tools/testhosts or
    # benchmarks before host keys were pinned (or is the trust-on-first-use way round the pinning)
    assert any(p.search(line) for p in DISABLING), line


@pytest.mark.parametrize("line", [
    "host_key_checking = True",
    "  StrictHostKeyChecking yes",
    "-o StrictHostKeyChecking=yes -o UserKnownHostsFile=/srv/govcloud/known_hosts",
    "ansible_host_key_checking: true",
])
def test_the_patterns_leave_checking_on_alone(line):
    assert not any(p.search(line) for p in DISABLING), line
