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
