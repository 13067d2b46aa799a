# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Real tests of tools/testhosts: start real hosts, break them on purpose, and prove teardown leaves nothing.

Needs root and builds the image on first use (~5-8 min on a cold machine). The "nothing left" checks look
at the system directly (/proc, losetup, /run/netns, /sys/class/net, mountinfo), not only at the tool's own
`strays` command, so a bug in `strays` cannot hide a leak.
"""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import tempfile

import pytest

CLI = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "testhosts")
HOME_ENV = os.environ.get("TESTHOSTS_HOME")
HOME = HOME_ENV or os.path.join(
    os.environ.get("GOVCLOUD_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "govcloud-lifecycle"), "testhosts")

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="test hosts need root (mounts, loop devices, netns)")


def cli(*args: str, env: dict | None = None, timeout: float = 900) -> subprocess.CompletedProcess:
    return subprocess.run([CLI, *args], capture_output=True, text=True, timeout=timeout,
                          env=dict(os.environ, **(env or {})), check=False)


def leftovers(name: str, index: int | None) -> list[str]:
    """Anything of instance NAME still on the system, found without asking the tool."""
    idir = os.path.join(os.path.realpath(HOME), "instances", name)
    found = []
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            with open(f"/proc/{p}/cmdline", "rb") as fh:
                argv = fh.read().decode(errors="replace")
        except OSError:
            continue
        if idir in argv and ("qemu-system" in argv or "systemd-nspawn" in argv):
            found.append(f"process {p}")
    loops = subprocess.run(["losetup", "-a", "-n", "-O", "NAME,BACK-FILE"], capture_output=True, text=True,
                           check=True).stdout
    found += [f"loop {ln}" for ln in loops.splitlines() if idir in ln]
    with open("/proc/self/mountinfo", encoding="utf-8") as fh:
        found += [f"mount {ln.split()[4]}" for ln in fh if idir in ln.split()[4]]
    if index is not None:
        if os.path.exists(f"/run/netns/tsth-{index}"):
            found.append(f"netns tsth-{index}")
        if os.path.exists(f"/sys/class/net/tsth{index}h"):
            found.append(f"veth tsth{index}h")
    if os.path.exists(idir):
        found.append(f"dir {idir}")
    return found


@pytest.fixture(scope="module")
def image():
    res = cli("image", timeout=1800)
    assert res.returncode == 0, res.stderr


@pytest.fixture
def name(request, image):
    # short and unique per test (host names are at most 31 characters)
    n = "pytest-" + hashlib.sha256(request.node.nodeid.encode()).hexdigest()[:8]
    cli("down", n)
    yield n
    cli("down", n)


def test_nspawn_up_ssh_down_leaves_nothing(name):
    res = cli("up", "--kind", "nspawn", name)
    assert res.returncode == 0, res.stderr
    info = json.loads(res.stdout)
    assert info["name"] == name and info["kind"] == "nspawn" and info["spare_device"] == "/dev/spare"
    assert leftovers(name, info["index"]) != [], "a running host must be visible to the leak check"
    # the per-run key works, systemd is PID 1, the spare loop device is inside as a block device
    out = subprocess.run(["ssh", "-F", info["ssh_config"], "-p", str(info["port"]), info["address"],
                          "cat /proc/1/comm; test -b /dev/spare && echo spare-ok; hostname"],
                         capture_output=True, text=True, timeout=60, check=False)
    assert out.stdout.split() == ["systemd", "spare-ok", name], out.stderr
    listed = json.loads(cli("list", "--json").stdout)
    assert [r["state"] for r in listed if r["name"] == name] == ["running"]

    res = cli("down", name)
    assert res.returncode == 0, res.stderr
    assert leftovers(name, info["index"]) == []
    assert name not in cli("strays").stdout


def pinned_ssh(info: dict, known_hosts: str, command: str = "true") -> subprocess.CompletedProcess:
    """One fresh connection (no multiplexing), the host key checked against known_hosts only."""
    return subprocess.run(["ssh", "-o", "BatchMode=yes", "-o", "ControlPath=none", "-o", "ConnectTimeout=10",
                           "-o", "StrictHostKeyChecking=yes", "-o", f"UserKnownHostsFile={known_hosts}",
                           "-o", "GlobalKnownHostsFile=none", "-o", "IdentitiesOnly=yes",
                           "-i", info["identity_file"], "-p", str(info["port"]), f"root@{info['address']}", command],
                          capture_output=True, text=True, timeout=120, check=False)


def pinned_lines(info: dict) -> list[str]:
    with open(info["known_hosts"], encoding="utf-8") as fh:
        return [ln for ln in fh.read().splitlines() if ln.split()[:1] == [info["host_pattern"]]]


def assert_refused(res: subprocess.CompletedProcess) -> None:
    assert res.returncode == 255, (res.returncode, res.stdout, res.stderr)
    assert "Host key verification failed" in res.stderr, res.stderr
    assert "REMOTE HOST IDENTIFICATION HAS CHANGED" in res.stderr, res.stderr


def check_own_pinned_key(info: dict, tmp_path) -> None:
    """The host answers with the key `up` made for it (its only host key), that key and only it is pinned
    under the host's address, the pinned file lets a checking client in and another key for the address does not."""
    kind, blob = info["host_key"].split()[:2]
    assert kind == "ssh-ed25519"
    assert pinned_lines(info) == [f"{info['host_pattern']} {kind} {blob} testhosts:{info['name']}"]
    expected_pattern = info["address"] if info["port"] == 22 else f"[{info['address']}]:{info['port']}"
    assert info["host_pattern"] == expected_pattern
    with open(info["ssh_config"], encoding="utf-8") as fh:
        config = fh.read()
    def values(option):
        return [ln.split()[1] for ln in config.splitlines() if ln.split()[:1] == [option]]
    assert values("StrictHostKeyChecking") == ["yes"]
    assert values("UserKnownHostsFile") == [info["known_hosts"]] and values("GlobalKnownHostsFile") == ["none"]
    res = pinned_ssh(info, info["known_hosts"], "ls /etc/ssh | grep '^ssh_host_'; cat /etc/ssh/ssh_host_ed25519_key.pub")
    assert res.returncode == 0, res.stderr
    out = res.stdout.split("\n")
    assert out[:2] == ["ssh_host_ed25519_key", "ssh_host_ed25519_key.pub"], res.stdout
    assert out[2].split()[:2] == [kind, blob]
    # the same address pinned with another key (a host that is not the one made for it): refused
    work = tempfile.mkdtemp(dir=tmp_path)
    other = os.path.join(work, "other_host_key")
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", other], check=True)
    wrong = os.path.join(work, "known_hosts-wrong")
    with open(other + ".pub", encoding="utf-8") as fh:
        other_pub = fh.read().split()[:2]
    with open(wrong, "w", encoding="utf-8") as fh:
        fh.write(f"{info['host_pattern']} {' '.join(other_pub)}\n")
    assert_refused(pinned_ssh(info, str(wrong)))
    # through the run's ssh_config too (what worker-node, `testhosts ssh` and the demo's ops account use)
    res = subprocess.run(["ssh", "-F", info["ssh_config"], "-o", "ControlPath=none", "-o", f"UserKnownHostsFile={wrong}",
                          "-p", str(info["port"]), info["address"], "true"],
                         capture_output=True, text=True, timeout=60, check=False)
    assert_refused(res)


def test_each_host_has_its_own_pinned_key_and_another_key_is_refused(name, tmp_path):
    res = cli("up", "--kind", "nspawn", name)
    assert res.returncode == 0, res.stderr
    first = json.loads(res.stdout)
    check_own_pinned_key(first, tmp_path)
    old_pin = tmp_path / "known_hosts-first"
    old_pin.write_text("\n".join(pinned_lines(first)) + "\n")

    # re-created at the same address: a new key, its line replaces the old one, the old pin no longer lets in
    assert cli("down", name).returncode == 0
    assert pinned_lines(first) == []
    res = cli("up", "--kind", "nspawn", "--index", str(first["index"]), name)
    assert res.returncode == 0, res.stderr
    second = json.loads(res.stdout)
    assert second["host_pattern"] == first["host_pattern"]
    assert second["host_key"].split()[1] != first["host_key"].split()[1]
    check_own_pinned_key(second, tmp_path)
    assert_refused(pinned_ssh(second, str(old_pin)))

    # a stale line for the address (written by anything else) is dropped when a host is made there
    assert cli("down", name).returncode == 0
    with open(second["known_hosts"], "a", encoding="utf-8") as fh:
        fh.write(f"{second['host_pattern']} {' '.join(first['host_key'].split()[:2])} stale\n")
    res = cli("up", "--kind", "nspawn", "--index", str(first["index"]), name)
    assert res.returncode == 0, res.stderr
    third = json.loads(res.stdout)
    assert pinned_lines(third) == [f"{third['host_pattern']} {' '.join(third['host_key'].split()[:2])} "
                                   f"testhosts:{name}"]
    assert pinned_ssh(third, third["known_hosts"]).returncode == 0
    assert cli("down", name).returncode == 0
    assert pinned_lines(third) == []


def test_up_twice_same_name_is_refused_without_touching_the_first(name):
    assert cli("up", "--kind", "nspawn", name).returncode == 0
    res = cli("up", "--kind", "nspawn", name)
    assert res.returncode == 1
    assert f"instance {name} already exists" in res.stderr
    listed = json.loads(cli("list", "--json").stdout)
    assert [r["state"] for r in listed if r["name"] == name] == ["running"]


@pytest.mark.parametrize("kind", ["nspawn", "vm"])
def test_missed_deadline_tears_down_and_names_host(name, kind):
    # deadlines far below the real start time (nspawn ~1.5 s, VM ~35 s under TCG)
    deadline = "0.2" if kind == "nspawn" else "1"
    res = cli("up", "--kind", kind, "--timeout", deadline, name,
              env={"TESTHOSTS_KVM_DEVICE": "/nonexistent/kvm"} if kind == "vm" else None)
    assert res.returncode == 1
    assert f"host {name} ({kind})" in res.stderr and f"within {deadline} s" in res.stderr
    assert "torn down" in res.stderr
    assert "Traceback" not in res.stderr
    assert res.stdout == ""
    assert leftovers(name, None) == []
    assert cli("strays").returncode == 0, cli("strays").stdout
    if kind == "vm":
        assert "KVM not used (/nonexistent/kvm missing); falling back to TCG" in res.stderr


@pytest.mark.parametrize("args, message", [
    (["--kind", "nspawn", "Bad_Name"], "name 'Bad_Name'"),
    (["--kind", "nspawn", "--index", "0", "okname"], "--index 0: must be 1..250"),
    (["--kind", "nspawn", "--timeout", "-3", "okname"], "--timeout -3.0: must be > 0"),
    (["--kind", "nspawn", "--bind", "relative/dir", "okname"], "must be absolute paths"),
    (["--kind", "nspawn", "--bind", "/nonexistent-h15-dir", "okname"], "is not a directory on this machine"),
    (["--kind", "nspawn", "--bind", "/tmp:/etc", "okname"], "would hide the host's own system"),
    (["--kind", "nspawn", "--bind", "/tmp:a:b:ro", "okname"], "use SRC[:DST][:ro]"),
    (["--kind", "vm", "--bind", "/tmp", "okname"], "--bind: only for --kind nspawn"),
])
def test_bad_input_is_refused_and_creates_nothing(args, message):
    before = sorted(os.listdir(os.path.join(HOME, "instances")))
    res = cli("up", *args)
    assert res.returncode != 0
    assert message in res.stderr and "Traceback" not in res.stderr
    assert sorted(os.listdir(os.path.join(HOME, "instances"))) == before


def load_cli_module(home):
    """The CLI as a module, with its state directory pointed at home (module constants are read at import)."""
    import importlib.machinery
    import importlib.util
    os.environ["TESTHOSTS_HOME"] = str(home)
    loader = importlib.machinery.SourceFileLoader("testhosts_cli", CLI)
    spec = importlib.util.spec_from_loader("testhosts_cli", loader)
    mod = importlib.util.module_from_spec(spec)
    try:
        loader.exec_module(mod)
    finally:
        if HOME_ENV is None:
            del os.environ["TESTHOSTS_HOME"]
        else:
            os.environ["TESTHOSTS_HOME"] = HOME_ENV
    return mod


def test_cache_stage_half_built_is_rebuilt_complete_is_reused(tmp_path):
    th = load_cli_module(tmp_path / "home")
    final = str(tmp_path / "stage")
    calls = []

    def broken(tmp):
        calls.append("broken")
        (tmp_path / "stage.tmp" / "half").write_text("x")
        raise th.Fail("interrupted")

    with pytest.raises(th.Fail):
        th.build_stage(final, broken)
    assert not os.path.exists(final)            # an interrupted build never appears as the cache

    def good(tmp):
        calls.append("good")
        assert not os.path.exists(os.path.join(tmp, "half")), "left-over of the broken build reused"
        with open(os.path.join(tmp, "artefact"), "w", encoding="utf-8") as fh:
            fh.write("ok")

    th.build_stage(final, good)
    assert os.path.exists(os.path.join(final, th.MARKER))
    th.build_stage(final, good)                  # complete: reused, not rebuilt
    assert calls == ["broken", "good"]

    os.remove(os.path.join(final, th.MARKER))    # marker missing = incomplete: rebuilt
    th.build_stage(final, good)
    assert calls == ["broken", "good", "good"]


def test_down_all_leaves_nothing(tmp_path, image):
    """Two containers and a VM in a home of their own (sharing the image cache), then `down --all`.
    A home of its own, so hosts of other users of the shared home are not touched."""
    home = tmp_path / "home"
    home.mkdir()
    real_cache = os.path.join(os.path.realpath(HOME), "cache")
    (home / "cache").symlink_to(real_cache)
    env = {"TESTHOSTS_HOME": str(home)}
    infos = []
    for kind, n in (("nspawn", "da-n1"), ("nspawn", "da-n2"), ("vm", "da-v1")):
        res = cli("up", "--kind", kind, n, env=env)
        assert res.returncode == 0, res.stderr
        infos.append(json.loads(res.stdout))
    key = infos[0]["identity_file"]
    assert os.path.exists(key)
    # every host, the VM too (its key comes in by fw_cfg), answers with its own pinned key
    for i in infos:
        check_own_pinned_key(i, tmp_path)
    assert len({i["host_key"].split()[1] for i in infos}) == 3
    known_hosts = infos[0]["known_hosts"]
    pids = [i["pid"] for i in infos]
    res = cli("down", "--all", env=env)
    assert res.returncode == 0, res.stderr
    inst = home / "instances"
    assert list(inst.iterdir()) == []
    for i in infos:
        # resolve through the instance dir of *this* home
        idir = str(inst / i["name"])
        assert not os.path.exists(idir)
        if i["kind"] == "nspawn":
            assert not os.path.exists(f"/run/netns/tsth-{i['index']}")
            assert not os.path.exists(f"/sys/class/net/tsth{i['index']}h")
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat", encoding="utf-8") as fh:
                state = fh.read().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            continue
        # PID 1 on some machines reaps orphans late: a zombie holds no resources, anything else is a leak
        assert state == "Z", f"pid {pid} still running"
    loops = subprocess.run(["losetup", "-a"], capture_output=True, text=True, check=True).stdout
    assert str(home) not in loops
    with open("/proc/self/mountinfo", encoding="utf-8") as fh:
        assert str(home) not in fh.read()
    assert cli("strays", env=env).returncode == 0
    assert not os.path.exists(key), "down --all must drop the run's SSH key"
    assert not os.path.exists(known_hosts), "down --all must drop the run's pinned host keys"
