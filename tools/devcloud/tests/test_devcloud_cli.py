# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Process handling of tools/devcloud/devcloud, on a throw-away DEVCLOUD_HOME (the shared cloud is untouched).

The full cloud is not started here (that takes minutes and holds the fixed ports the shared cloud uses);
these tests drive the same code paths `up` and `down` use on real processes.
"""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

DEVCLOUD = Path(__file__).resolve().parents[1] / "devcloud"
LIB = DEVCLOUD.parent / "lib"


def env_for(home: Path) -> dict:
    env = dict(os.environ)
    env["DEVCLOUD_HOME"] = str(home)
    env.setdefault("GOVCLOUD_CACHE", str(Path.home() / ".cache" / "govcloud-lifecycle"))
    return env


def session_members(sids):
    out = subprocess.run(["ps", "-eo", "pid=,sid=,stat="], capture_output=True, text=True, check=True).stdout
    return [int(p) for p, s, st in (line.split() for line in out.splitlines()) if int(s) in sids and not st.startswith("Z")]


def start_services(home: Path, names):
    """Start fake services exactly as `up` starts real ones (lib/proc.sh start_proc); return their PIDs."""
    (home / "run").mkdir(parents=True)
    (home / "logs").mkdir()
    # A leader with two children, like a gunicorn master with workers.
    cmd = "sleep 300 & sleep 300 & exec sleep 300"
    script = f"for f in {LIB}/*.sh; do . \"$f\"; done\n" + "".join(
        f"start_proc {n} \"$LOGS/{n}.log\" bash -c '{cmd}'\n" for n in names)
    subprocess.run(["bash", "-c", script], env=env_for(home), check=True, timeout=30)
    return {n: int((home / "run" / f"{n}.pid").read_text()) for n in names}


def test_down_leaves_no_process_even_after_a_sigkilled_leader(tmp_path):
    home = tmp_path / "cloud"
    pids = start_services(home, ["svc-a", "svc-b"])
    time.sleep(0.5)
    sids = set(pids.values())
    assert len(session_members(sids)) == 6
    # Orphan svc-a's children, as a SIGKILLed gunicorn master or a CI kill would.
    os.kill(pids["svc-a"], signal.SIGKILL)
    bystander = subprocess.Popen(["sleep", "300"], start_new_session=True)
    try:
        result = subprocess.run([str(DEVCLOUD), "down"], env=env_for(home), capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        assert session_members(sids) == []
        assert "no process of" in result.stderr
        assert bystander.poll() is None, "down must not touch processes it did not start"
        assert not list((home / "run").glob("*.pid"))
    finally:
        bystander.kill()
        bystander.wait()


def _listener_pid(port):
    out = subprocess.run(["ss", "-ltnpH", f"sport = :{port}"], capture_output=True, text=True, check=True).stdout
    found = re.findall(r"pid=(\d+)", out)
    return int(found[0]) if found else None


def test_port_conflict_names_the_port_and_the_process(tmp_path):
    home = tmp_path / "cloud"
    port = 9696
    holder = None
    if _listener_pid(port) is None:
        holder = subprocess.Popen([sys.executable, "-c",
                                   "import socket,time; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); "
                                   "s.bind(('127.0.0.1', 9696)); s.listen(); "
                                   "print('ready', flush=True); time.sleep(300)"],
                                  stdout=subprocess.PIPE, text=True)
        assert holder.stdout.readline().strip() == "ready"
    try:
        # Whoever holds the port now (our throw-away listener, or the shared dev cloud, which is not
        # part of this DEVCLOUD_HOME) must be named.
        owner = _listener_pid(port)
        assert owner is not None
        result = subprocess.run([str(DEVCLOUD), "up"], env=env_for(home), capture_output=True, text=True, timeout=900)
        assert result.returncode == 3, result.stderr
        assert f"port {port} is in use by PID {owner}" in result.stderr
        assert "Nothing was started" in result.stderr
        assert "Traceback" not in result.stderr
        assert not list((home / "run").glob("*.pid"))
    finally:
        if holder is not None:
            holder.kill()
            holder.wait()


@pytest.mark.parametrize("cmd", ["bogus", ""])
def test_unknown_command_prints_usage(cmd, tmp_path):
    result = subprocess.run([str(DEVCLOUD)] + ([cmd] if cmd else []), env=env_for(tmp_path / "c"),
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert "usage: devcloud" in result.stderr


def test_database_check_finds_a_torn_innodb_page(tmp_path):
    """`up` trusts the databases only after lib/infra.sh database_sound: here on a MariaDB of its own (socket only)."""
    home = tmp_path / "cloud"
    data, run, logs = home / "data" / "mysql", home / "run", home / "logs"
    for d in (data, run, logs):
        d.mkdir(parents=True)
    sock = run / "mysqld.sock"
    subprocess.run(["mariadb-install-db", "--user=root", f"--datadir={data}", "--auth-root-authentication-method=normal"],
                   check=True, capture_output=True, timeout=120)
    argv = ["mariadbd", "--no-defaults", "--user=root", f"--datadir={data}", f"--socket={sock}",
            f"--pid-file={run}/mariadb.daemon-pid", "--skip-networking", "--skip-log-bin",
            "--innodb-buffer-pool-size=16M", f"--log-error={logs}/mariadb.log"]

    def sql(statement):
        return subprocess.run(["mariadb", f"--socket={sock}", "-uroot", "-e", statement], capture_output=True, text=True,
                              timeout=60, check=False)

    def start():
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(240):
            if sql("select 1").returncode == 0:
                return proc
            time.sleep(0.25)
        proc.kill()
        pytest.fail("MariaDB did not start: %s" % (logs / "mariadb.log").read_text()[-2000:])

    def sound():
        script = f"for f in {LIB}/*.sh; do . \"$f\"; done; database_sound"
        return subprocess.run(["bash", "-c", script], env=env_for(home), timeout=120, check=False).returncode == 0

    proc = start()
    try:
        assert sql("create database t; create table t.x (id int primary key, v varchar(200)) engine=innodb;"
                   "use t; insert into t.x select seq, repeat('x', 200) from seq_1_to_3000").returncode == 0
        assert sound()
        subprocess.run(["mariadb-admin", f"--socket={sock}", "-uroot", "shutdown"], check=True, timeout=120)
        proc.wait(timeout=120)
        # a torn page in the middle of the table's B-tree, as a machine stopped mid-write leaves it
        with open(data / "t" / "x.ibd", "r+b") as handle:
            handle.seek(4 * 16384 + 200)
            handle.write(os.urandom(4000))
        proc = start()
        assert not sound()
        report = (logs / "dbcheck.log").read_text()
        assert re.search(r"^t\.x\b", report, re.M) and re.search(r"^error\s*: Corrupt", report, re.M), report
    finally:
        proc.kill()
        proc.wait(timeout=60)


def test_boot_mode_on_a_machine_without_its_parts_names_them_and_starts_nothing(tmp_path):
    """`devcloud --boot up` where libvirt, Open vSwitch and the rest are not on PATH (as on a machine that
    lacks the packages): exit 4, every missing piece named with its Debian package, no namespace made."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    # only what the script itself needs to run and to check: no libvirtd, ovs-*, dnsmasq, qemu, ...
    for tool in ("bash", "cat", "sort", "sha256sum", "cut", "dirname", "readlink", "id", "getent", "zcat",
                 "grep", "sed", "awk", "date", "mkdir", "printf", "python3", "ls", "gzip"):
        real = subprocess.run(["bash", "-c", f"command -v {tool}"], capture_output=True, text=True).stdout.strip()
        if real:
            (bindir / tool).symlink_to(real)
    env = dict(env_for(tmp_path / "home"), PATH=str(bindir), DEVCLOUD_BOOT_HOME=str(tmp_path / "boot-home"),
               GOVCLOUD_CACHE=str(tmp_path / "cache"))
    before = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    r = subprocess.run([str(DEVCLOUD), "--boot", "up"], env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 4, r.stderr
    for missing in ("command libvirtd (Debian package libvirt-daemon)", "command ovs-vswitchd (Debian package openvswitch-switch)",
                    "command dnsmasq (Debian package dnsmasq-base)", "command qemu-system-x86_64 (Debian package qemu-system-x86)",
                    "guest image", "libvirt-python"):
        assert missing in r.stderr, r.stderr
    assert "Nothing was started" in r.stderr
    assert subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout == before
    assert not (tmp_path / "boot-home").exists()


def test_boot_mode_without_tun_names_it_and_starts_nothing(tmp_path):
    """`devcloud --boot up` on a machine without the TUN/TAP device: the same machine with an empty /dev/net (a
    private mount namespace, so this test's view only), every package present: exit 4, /dev/net/tun named,
    no namespace made, no home created."""
    boot_home = tmp_path / "boot-home"
    env = dict(env_for(tmp_path / "home"), DEVCLOUD_BOOT_HOME=str(boot_home))
    before = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    r = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c",
                        'mount -t tmpfs none /dev/net && [ ! -e /dev/net/tun ] && exec "$0" --boot up', str(DEVCLOUD)],
                       env=env, capture_output=True, text=True, timeout=120)
    try:
        assert r.returncode == 4, r.stderr
        assert "- /dev/net/tun (the kernel's TUN/TAP driver" in r.stderr, r.stderr
        assert "Nothing was started" in r.stderr
        assert subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout == before
        assert not boot_home.exists()
    finally:
        if boot_home.exists():  # it started after all: stop what it started, this home only
            subprocess.run([str(DEVCLOUD), "--boot", "down"], env=env, capture_output=True, timeout=600)
