# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Verify for molecule/wipe_nspawn: nothing of the prepared pattern is left on the spare disk, the ledger holds a
passed certificate, and block_wipe refuses a mounted device, the root disk and non-block paths."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

SCENARIO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO = os.path.dirname(os.path.dirname(SCENARIO))
EPHEMERAL = os.environ.get("MOLECULE_EPHEMERAL_DIRECTORY", "")
MARKER = "GOVCLOUD-WIPE-MARKER"


@pytest.fixture(scope="module")
def hostvars(host):
    return host.ansible.get_variables()


def run_module(target, args, check=False):
    """Run block_wipe through ansible (as a play would) and return its result."""
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(REPO, "ansible.cfg"), ANSIBLE_LOAD_CALLBACK_PLUGINS="1",
               ANSIBLE_STDOUT_CALLBACK="ansible.builtin.json",
               ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO, ".work", "collections"))
    inventory = ["-i", os.path.join(EPHEMERAL, "inventory")] if target != "localhost" else []
    cmd = ["ansible", target, *inventory, "-m", "govcloud.lifecycle.block_wipe", "-a", json.dumps(args)]
    res = subprocess.run(cmd + (["--check"] if check else []), env=env, cwd=REPO, stdin=subprocess.DEVNULL,
                         capture_output=True, text=True, timeout=300, check=False)
    out = json.loads(res.stdout)
    return list(out["plays"][0]["tasks"][0]["hosts"].values())[0]


def test_whole_device_is_zeros_and_holds_no_byte_of_the_pattern(host, hostvars):
    dev = hostvars["testhosts_spare_device"]
    size = int(host.check_output(f"blockdev --getsize64 {dev}"))
    assert size == 64 * 1024 * 1024
    assert host.run(f"cmp -n {size} {dev} /dev/zero").rc == 0
    count = host.run(f"grep -c -a {MARKER} {dev}")
    assert (count.rc, count.stdout.strip()) == (1, "0")
    # not one byte of the marker's alphabet either
    assert host.run(f"tr -d '\\000' < {dev} | head -c 1 | wc -c").stdout.strip() == "0"
    assert host.run(f"blkid -p {dev}").rc != 0  # no file system signature left


def test_ledger_holds_a_passed_certificate_of_sanitization():
    sys.path.insert(0, os.path.join(REPO, ".work", "collections"))
    from ansible_collections.govcloud.lifecycle.plugins.module_utils.evidence import Ledger

    with Ledger(os.path.join(EPHEMERAL, "evidence")) as ledger:
        recs = list(ledger.records(application="wipe-test", kind="wipe"))
        assert ledger.verify()["ok"] is True
    assert len(recs) == 1  # the idempotence run found the disk clear and certified nothing twice
    rec = recs[0]
    assert (rec["stage"], rec["party"], rec["result"], rec["actor"]) == (
        "sanitization", "cloud_service_provider", "pass", "molecule-operator")
    d = rec["details"]
    assert (d["method"], d["tool"], d["verification_result"], d["validator"]) == (
        "Clear", "govcloud.lifecycle.block_wipe", "pass", "molecule-validator")
    assert d["verification"] == "full read-back: pass (67108864 bytes checked, 0 mismatched)"
    assert d["media"].startswith("/dev/spare (loop")
    assert d["tool_version"] and d["date"] and d["throughput_mb_s"] > 0


def test_rerun_finds_the_device_clear_and_verified(hostvars):
    res = run_module(hostvars["inventory_hostname"], {"device": hostvars["testhosts_spare_device"],
                                                      "skip_if_clear": True})
    assert (res["changed"], res["skipped"], res["verified"]) == (False, True, True)
    assert res["verification"]["bytes_checked"] == 64 * 1024 * 1024


def test_non_block_paths_are_refused(hostvars):
    name = hostvars["inventory_hostname"]
    res = run_module(name, {"device": "/"})
    assert res["failed"] and res["msg"] == "device: / (/) is a directory; only block devices are wiped"
    res = run_module(name, {"device": "/etc/hostname"})
    assert res["failed"] and "is a regular file; only block devices are wiped" in res["msg"]


def test_root_disk_of_the_controller_is_refused():
    # A container's root is an overlay on no visible block device, so the root-disk rule is shown on the
    # controller itself (a real disk holding /), in check mode as a second safety net.
    source = subprocess.run(["findmnt", "-n", "-o", "SOURCE", "/"], capture_output=True, text=True,
                            check=True).stdout.strip()
    if not source.startswith("/dev/"):
        pytest.fail(f"controller root {source!r} is not on a block device: cannot show the root-disk refusal")
    res = run_module("localhost", {"device": source}, check=True)
    assert res["failed"]
    assert "holds the root file system (/) or is its parent disk: refusing to wipe the root disk" in res["msg"]


def test_mounted_device_is_refused_and_left_untouched(host, hostvars):
    dev = hostvars["testhosts_spare_device"]
    # read-only, so that the kernel itself (ext4's lazy inode-table init, the journal) cannot change the
    # device while the test compares its hash: any change then is the module's
    host.check_output(f"mkfs.ext4 -q -F -L MOUNTED {dev} && mkdir -p /mnt/busy && mount -o ro {dev} /mnt/busy")
    try:
        before = host.check_output(f"sha256sum {dev}")
        res = run_module(hostvars["inventory_hostname"], {"device": dev})
        assert res["failed"]
        assert res["msg"].startswith(f"refusing to wipe {dev}: ")
        assert "is mounted (itself, a partition or a holder): " in res["msg"]
        assert "on /mnt/busy; unmount it first" in res["msg"]
        assert host.check_output(f"sha256sum {dev}") == before
        assert host.check_output(f"blkid -p -o value -s LABEL {dev}") == "MOUNTED"
    finally:
        host.run("umount /mnt/busy")
