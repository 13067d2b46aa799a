# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The booting dev cloud end to end (devcloud --boot): a guest Nova boots answers SSH from the controller with
the host key it printed on its console, and a service-zone guest is reached only through a bastion (堡垒机) in
the management zone.

Minutes on two shared cores, so `make boot-test`, not yet `make test`. The booting cloud is started here if it
is not running (and stopped again after); the only skip is a machine that lacks what booting needs
(`devcloud --boot check`: packages, /dev/net/tun, kernel options, root). What `devcloud --boot install` can
build (its venv, the guest image) is built, not skipped.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

DEVCLOUD = Path(__file__).resolve().parents[2] / "devcloud"
PROBE = DEVCLOUD.parent / "guest" / "probe.py"
INSTALLABLE = "(run: devcloud --boot install)"
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def boot_home() -> Path:
    cache = Path(os.environ.get("GOVCLOUD_CACHE", Path.home() / ".cache" / "govcloud-lifecycle"))
    return Path(os.environ.get("DEVCLOUD_BOOT_HOME", cache / "devcloud-boot"))


def running(home: Path) -> bool:
    try:
        pid = int((home / "run" / "anchor.pid").read_text())
        return Path(f"/proc/{pid}/comm").read_text().strip() == "sleep"
    except (OSError, ValueError):
        return False


def devcloud(*args, timeout=600):
    return subprocess.run([str(DEVCLOUD), "--boot", *args], capture_output=True, text=True, timeout=timeout,
                          check=False)


@pytest.fixture(scope="module")
def booting_cloud():
    check = devcloud("check", timeout=120)
    if check.returncode == 4:
        missing = [line.strip()[2:] for line in check.stderr.splitlines() if line.strip().startswith("- ")]
        lacking = [m for m in missing if INSTALLABLE not in m]
        if lacking:
            pytest.skip("this machine lacks what the booting dev cloud needs: " + "; ".join(lacking))
        install = devcloud("install", timeout=3600)
        assert install.returncode == 0, install.stderr[-3000:]
    else:
        assert check.returncode == 0, check.stderr
    home = boot_home()
    was_running = running(home)
    up = devcloud("up", timeout=1800)
    assert up.returncode == 0, up.stderr[-3000:]
    yield home
    if not was_running:
        down = devcloud("down", timeout=600)
        assert down.returncode == 0, down.stderr[-3000:]


def probe(home: Path, prefix: str, *args):
    """Run the guest probe in the cloud's namespace; its measurements (the JSON line) and its stderr."""
    venv = (home / "run" / "venv").read_text().strip()
    r = devcloud("exec", f"{venv}/bin/python", str(PROBE), "--prefix", prefix, "--deadline", "900", *args,
                 timeout=1500)
    lines = [line for line in r.stdout.splitlines() if line.startswith("{")]
    assert lines, f"probe printed no measurements (exit {r.returncode}): {r.stderr[-3000:]}"
    m = json.loads(lines[-1])
    print(f"{prefix} measured: {json.dumps(m)}")  # the numbers, for `pytest -s` and docs/devcloud.md
    assert r.returncode == 0, f"{m.get('failed_checks')}: {r.stderr[-3000:]}"
    # independent of the probe's own bookkeeping: nothing it made is left in Nova
    servers = devcloud("exec", f"{venv}/bin/openstack", "server", "list", "--all-projects", "-f", "value",
                       "-c", "ID", "-c", "Name", timeout=300)
    assert servers.returncode == 0, servers.stderr
    assert m["server_id"] not in servers.stdout and prefix not in servers.stdout, servers.stdout
    return m


def test_a_booted_guest_answers_ssh_with_the_host_key_from_its_console(booting_cloud):
    m = probe(booting_cloud, "t-ssh-")
    # the instance id cloud-init read from the config drive inside the guest is the server Nova made
    assert UUID.match(m["server_id"]), m
    assert m["instance_id_in_guest"] == m["server_id"], m
    # the key was pinned from the console (StrictHostKeyChecking=yes), and another key for the same address fails
    assert m["host_keys_pinned_from_console"] >= 1, m
    assert m["wrong_host_key_refused"] is True, m
    assert m["left"] == [], m


def test_a_service_zone_guest_is_reached_only_through_the_bastion(booting_cloud):
    m = probe(booting_cloud, "t-bastion-", "--bastion")
    assert m["instance_id_in_guest"] == m["server_id"], m
    assert m["bastion_fixed_ip"].startswith("10.21.0."), m  # the management zone
    # direct from the controller (outside bastion_cidrs): dropped by the security group, so a timeout ...
    assert m["direct_ssh_refused"] is True, m
    assert "timed out" in m["direct_ssh_error"], m
    # ... and the same path answers once a rule admits the controller: the security group decided, not routing
    assert m["direct_ssh_with_controller_rule"] is True, m
    assert m["wrong_host_key_refused"] is True, m
    assert m["left"] == [], m


def test_a_guest_not_up_within_its_deadline_is_torn_down_and_named(booting_cloud):
    """A guest asked to answer SSH within 30 s (it goes ACTIVE in 5-12 s and answers after ~100 s here): the
    probe fails naming the server and the deadline, and deletes everything it made: the server (Nova and the
    libvirt domain), its network, router, security group, keypair and floating IP."""
    venv = (booting_cloud / "run" / "venv").read_text().strip()
    prefix = "t-deadline-"
    r = devcloud("exec", f"{venv}/bin/python", str(PROBE), "--prefix", prefix, "--deadline", "30", timeout=900)
    assert r.returncode == 1, r.stderr[-3000:]
    named = re.search(r"RuntimeError: server ([0-9a-f-]{36}) not (?:ACTIVE|reachable over SSH at \S+) within 30s",
                      r.stderr)
    assert named, r.stderr[-3000:]
    server_id = named.group(1)
    assert f"server(s): ['{server_id}']" in r.stderr, r.stderr[-3000:]
    assert "left: none" in r.stderr, r.stderr[-3000:]
    # independent of the probe's bookkeeping: Nova, libvirt and Neutron hold nothing of it
    servers = devcloud("exec", f"{venv}/bin/openstack", "server", "list", "--all-projects", "-f", "value", "-c", "ID",
                       timeout=300)
    assert servers.returncode == 0 and server_id not in servers.stdout, servers.stdout + servers.stderr
    # libvirtd runs in a private mount namespace: its socket is reached by the path devcloud gives nova-compute
    socket = booting_cloud / "run" / "libvirt" / "libvirt-sock"
    domains = devcloud("exec", "virsh", "-c", f"qemu+unix:///system?socket={socket}", "list", "--all", "--uuid",
                       timeout=120)
    assert domains.returncode == 0 and server_id not in domains.stdout, domains.stdout + domains.stderr
    for kind in ("network", "router", "security group", "keypair", "floating ip"):
        shown = ["--long", "-c", "Description"] if kind == "floating ip" else ["-c", "Name"]
        listing = devcloud("exec", f"{venv}/bin/openstack", *kind.split(), "list", "-f", "value", *shown, timeout=300)
        assert listing.returncode == 0 and prefix not in listing.stdout, f"{kind}: {listing.stdout}{listing.stderr}"
