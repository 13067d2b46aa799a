# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Verify for molecule/wipe, on each host (loop device in a container, virtio disk in a VM): nothing of the
prepared pattern is left on the spare disk (read back with the host's own tools, not the module), the ledger holds
one passed certificate for the host, and block_wipe refuses a mounted device, the root disk and non-block paths."""
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
SIZE = 64 * 1024 * 1024


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


def test_spare_disk_is_the_expected_device(host, hostvars):
    dev = hostvars["testhosts_spare_device"]
    real = host.check_output(f"readlink -f {dev}")
    if hostvars["testhosts_kind"] == "vm":
        # a real virtio-blk disk, not a loop device: the VM half of the acceptance criterion
        assert real.startswith("/dev/vd")
        assert host.check_output(f"cat /sys/class/block/{os.path.basename(real)}/serial") == "SPARE"
    else:
        assert host.check_output(f"lsblk -dno TYPE {real}") == "loop"


def test_whole_device_is_zeros_and_holds_no_byte_of_the_pattern(host, hostvars):
    dev = hostvars["testhosts_spare_device"]
    size = int(host.check_output(f"blockdev --getsize64 {dev}"))
    assert size == SIZE
    # O_DIRECT reads: from the device, not from a page cache the wipe might have bypassed
    assert host.run(f"dd if={dev} bs=4M iflag=direct status=none | cmp -n {size} - /dev/zero").rc == 0
    count = host.run(f"dd if={dev} bs=4M iflag=direct status=none | grep -c -a {MARKER}")
    assert (count.rc, count.stdout.strip()) == (1, "0")
    # not one byte of the marker's alphabet either: every byte read back is NUL
    assert host.check_output(f"dd if={dev} bs=4M iflag=direct status=none | tr -d '\\000' | wc -c") == "0"
    assert host.run(f"blkid -p {dev}").rc != 0  # no file system signature left


def test_ledger_holds_one_passed_certificate_for_the_host(hostvars):
    sys.path.insert(0, os.path.join(REPO, ".work", "collections"))
    from ansible_collections.govcloud.lifecycle.plugins.plugin_utils.evidence import Ledger

    name = hostvars["inventory_hostname"]
    with Ledger(os.path.join(EPHEMERAL, "evidence")) as ledger:
        recs = [r for r in ledger.records(application="wipe-test", kind="wipe")
                if r["targets"][0].startswith(name + ":")]
        assert ledger.verify()["ok"] is True
    assert len(recs) == 1  # the idempotence run found the disk clear and certified nothing twice
    rec = recs[0]
    assert (rec["stage"], rec["party"], rec["result"], rec["actor"]) == (
        "sanitization", "cloud_service_provider", "pass", "molecule-operator")
    d = rec["details"]
    assert (d["method"], d["tool"], d["verification_result"], d["validator"]) == (
        "Clear", "govcloud.lifecycle.block_wipe", "pass", "molecule-validator")
    assert d["verification"] == "full read-back: pass (67108864 bytes checked, 0 mismatched)"
    media = "/dev/vd" if hostvars["testhosts_kind"] == "vm" else "/dev/spare (loop"
    assert d["media"].startswith(media)
    assert d["tool_version"] and d["date"] and d["throughput_mb_s"] > 0


def test_rerun_finds_the_device_clear_and_verified(hostvars):
    res = run_module(hostvars["inventory_hostname"], {"device": hostvars["testhosts_spare_device"],
                                                      "skip_if_clear": True})
    assert (res["changed"], res["skipped"], res["verified"]) == (False, True, True)
    assert res["verification"]["bytes_checked"] == SIZE


def test_non_block_paths_are_refused(hostvars):
    name = hostvars["inventory_hostname"]
    res = run_module(name, {"device": "/"})
    assert res["failed"] and res["msg"] == "device: / (/) is a directory; only block devices are wiped"
    res = run_module(name, {"device": "/etc/hostname"})
    assert res["failed"] and "is a regular file; only block devices are wiped" in res["msg"]


def test_root_disk_is_refused(host, hostvars):
    if hostvars["testhosts_kind"] == "vm":
        # The VM has a real root disk: ask for the real thing (not check mode) on the device holding / and on its
        # whole disk. The live root file system changes by itself (Ansible's temp files), so no hash of it can
        # show that nothing was written; its superblock can: the module's first write (zeros from offset 0)
        # would erase the ext4 signature at 1 KiB, and the file system's label would be gone.
        source = host.check_output("findmnt -n -o SOURCE /")
        assert source.startswith("/dev/vd")
        parent = host.check_output(f"lsblk -no PKNAME {source}")
        targets = [source] + ([f"/dev/{parent}"] if parent else [])
        label = host.check_output(f"blkid -p -o value -s LABEL {source}")
        assert label
        for dev in targets:
            res = run_module(hostvars["inventory_hostname"], {"device": dev})
            assert res["failed"], res
            assert "holds the root file system (/) or is its parent disk: refusing to wipe the root disk" in res["msg"]
            assert host.check_output(f"blkid -p -o value -s LABEL {source}") == label
            assert host.check_output(f"blkid -p -o value -s TYPE {source}") == "ext4"
        return
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
