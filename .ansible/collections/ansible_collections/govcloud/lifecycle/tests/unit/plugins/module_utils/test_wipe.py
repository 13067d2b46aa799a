# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Units of the wipe logic: writing and verifying on regular files, refusal rules on a fake sysfs.
The real thing (a loop device in a container and a VM's virtio disk, mounted/root-disk refusal) is molecule/wipe."""
from __future__ import annotations

import os
import random
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.govcloud.lifecycle.plugins.module_utils import _wipe

MARK = b"GOVCLOUD-SECRET-PATTERN-"
BS = 64 * 1024


def patterned(tmp_path, size=1024 * 1024 + 8192):
    path = tmp_path / "disk.img"
    path.write_bytes((MARK * (size // len(MARK) + 1))[:size])
    return str(path), size


@pytest.mark.parametrize("pattern", ["zero", "random"])
@pytest.mark.parametrize("mode", ["full", "sample"])
def test_wipe_leaves_no_byte_of_the_pattern(tmp_path, pattern, mode):
    path, size = patterned(tmp_path)
    facts = _wipe.wipe(path, size, pattern, passes=2, verify_mode=mode, samples=5, block_size=BS, exclusive=False)
    data = open(path, "rb").read()
    assert len(data) == size
    assert MARK not in data
    if pattern == "zero":
        assert data == bytes(size)
    else:
        assert data.count(0) < size // 100  # random, not zeros
    assert facts["bytes_written"] == 2 * size
    check = facts["verification"]
    assert (check["result"], check["mismatched_bytes"], check["method"]) == ("pass", 0, mode)
    if mode == "full":
        assert check["bytes_checked"] == size
    else:
        assert 0 < check["bytes_checked"] < size


def test_full_verify_finds_a_byte_that_survived(tmp_path):
    path, size = patterned(tmp_path)
    _wipe.wipe(path, size, "zero", block_size=BS, exclusive=False)
    with open(path, "r+b") as f:
        f.seek(size - 3)
        f.write(b"X")
    check = _wipe.verify(path, size, "zero", b"", "full", block_size=BS)
    assert (check["result"], check["mismatched_bytes"], check["first_mismatch_offset"]) == ("fail", 1, size - 3)
    assert not _wipe.is_all_zero(path, size, BS)


def test_random_verify_detects_data_not_from_the_keyed_stream(tmp_path):
    path, size = patterned(tmp_path)
    key = os.urandom(32)
    _wipe.write_pass(path, size, "random", key, BS, exclusive=False)
    assert _wipe.verify(path, size, "random", key, "full", block_size=BS)["result"] == "pass"
    # another key (or the old content) does not pass
    assert _wipe.verify(path, size, "random", os.urandom(32), "full", block_size=BS)["result"] == "fail"


def test_sample_verify_spanning_blocks_and_catching_a_large_leftover(tmp_path):
    path, size = patterned(tmp_path)
    key = os.urandom(32)
    _wipe.write_pass(path, size, "random", key, 8192, exclusive=False)
    # samples of 8 KiB at 4 KiB alignment span two stream blocks: must still pass
    ok = _wipe.verify(path, size, "random", key, "sample", samples=50, block_size=8192, rng=random.Random(1))
    assert ok["result"] == "pass" and ok["samples"] > 10
    with open(path, "r+b") as f:  # half the device keeps old content: sampling must notice
        f.write(MARK * (size // 2 // len(MARK)))
    bad = _wipe.verify(path, size, "random", key, "sample", samples=50, block_size=8192, rng=random.Random(1))
    assert bad["result"] == "fail"


@given(st.binary(min_size=1, max_size=300), st.data())
@settings(max_examples=200, deadline=None)
def test_compare_counts_every_differing_byte_and_the_first(data, draw):
    other = bytearray(data)
    for i in draw.draw(st.lists(st.integers(0, len(data) - 1), max_size=10)):
        other[i] ^= draw.draw(st.integers(1, 255))
    diffs = [i for i in range(len(data)) if data[i] != other[i]]
    assert _wipe.compare(data, bytes(other)) == (len(diffs), diffs[0] if diffs else None)


def test_compare_is_fast_on_a_block_that_kept_everything():
    # the old per-byte Python loop took seconds per 4 MiB block of a device that was not wiped at all
    block = (MARK * (4 * 1024 * 1024 // len(MARK) + 1))[:4 * 1024 * 1024]
    assert _wipe.compare(block, bytes(len(block))) == (len(block), 0)


@pytest.mark.parametrize("offset, n", [(0, 8192), (4096, 8192), (8192 - 1, 2), (3 * 8192 + 100, 5000), (0, 3 * 8192)])
def test_expected_bytes_is_the_keyed_stream_as_written(offset, n):
    key = b"k" * 32
    stream = b"".join(_wipe.random_block(key, i, 8192) for i in range(6))
    assert _wipe.expected_bytes("random", key, offset, n, 8192) == stream[offset:offset + n]
    assert _wipe.expected_bytes("zero", b"", offset, n, 8192) == bytes(n)


def test_sample_regions_cover_both_ends_aligned_and_in_bounds():
    size = 10 * 1024 * 1024 + 512
    regions = _wipe.sample_regions(size, 300, 65536, random.Random(7))
    offsets = [o for o, dummy in regions]
    assert offsets == sorted(set(offsets)) and offsets[0] == 0
    assert regions[-1][0] + regions[-1][1] > size - 4096  # the tail is checked
    assert all(o % 4096 == 0 and 0 < n <= 65536 and o + n <= size for o, n in regions)
    assert _wipe.sample_regions(1000, 5, 65536, random.Random(1)) == [(0, 1000)]


def test_in_flight_runs_every_item_once_each_thread_with_its_own_buffer():
    seen, buffers, lock = [], set(), threading.Lock()

    def work(buf, item):
        buf[:1] = b"x"
        with lock:
            seen.append(item)
            buffers.add(id(buf))

    _wipe._in_flight(range(100), 3, 4096, work)  # pylint: disable=protected-access
    assert sorted(seen) == list(range(100))
    assert 1 <= len(buffers) <= 3


def test_in_flight_stops_and_raises_the_first_error():
    done = []

    def work(dummy, item):
        if item == 5:
            raise OSError(5, "Input/output error")
        done.append(item)

    with pytest.raises(OSError, match="Input/output error"):
        _wipe._in_flight(range(10000), 4, 4096, work)  # pylint: disable=protected-access
    assert len(done) < 10000  # the others stopped instead of writing on after a failure


@pytest.mark.parametrize("depth", [1, 4])
def test_depth_changes_nothing_in_what_is_written_or_found(tmp_path, depth):
    path, size = patterned(tmp_path)
    key = b"s" * 32
    done = _wipe.write_pass(path, size, "random", key, BS, exclusive=False, depth=depth)
    assert set(done) == {"seconds", "flush_seconds", "direct_io"} and done["seconds"] >= done["flush_seconds"] >= 0
    data = open(path, "rb").read()
    assert data == b"".join(_wipe.expected_bytes("random", key, o, n, BS) for dummy, o, n in _wipe._chunks(size, BS))
    with open(path, "r+b") as f:  # damage in several blocks: all counted, the lowest offset reported
        for off in (size - 1, 3 * BS + 7, BS + 1):
            f.seek(off)
            f.write(bytes([data[off] ^ 0xFF]))
    check = _wipe.verify(path, size, "random", key, "full", block_size=BS, depth=depth)
    assert (check["result"], check["mismatched_bytes"], check["first_mismatch_offset"]) == ("fail", 3, BS + 1)


def test_skip_if_clear_check(tmp_path):
    path, size = patterned(tmp_path)
    assert not _wipe.is_all_zero(path, size, BS)
    _wipe.wipe(path, size, "zero", block_size=BS, exclusive=False)
    assert _wipe.is_all_zero(path, size, BS)


@pytest.mark.parametrize("kwargs, field", [
    ({"pattern": "ones"}, "pattern"), ({"verify_mode": "none"}, "verify"), ({"passes": 0}, "passes"),
    ({"block_size": 5000}, "block_size"), ({"block_size": 128 * 1024 * 1024}, "block_size")])
def test_bad_arguments_name_the_field_and_write_nothing(tmp_path, kwargs, field):
    path, size = patterned(tmp_path)
    before = open(path, "rb").read()
    with pytest.raises(_wipe.WipeError, match="^%s: " % field):
        _wipe.wipe(path, size, exclusive=False, **kwargs)
    assert open(path, "rb").read() == before


def test_resolve_refuses_what_is_not_a_block_device(tmp_path):
    path = patterned(tmp_path)[0]
    with pytest.raises(_wipe.WipeError, match="is a regular file"):
        _wipe.resolve_block_device(path)
    with pytest.raises(_wipe.WipeError, match="is a directory"):
        _wipe.resolve_block_device(str(tmp_path))
    with pytest.raises(_wipe.WipeError, match="No such file"):
        _wipe.resolve_block_device(str(tmp_path / "missing"))
    os.symlink(path, str(tmp_path / "by-id-link"))
    with pytest.raises(_wipe.WipeError, match="disk.img"):  # the resolved target is named
        _wipe.resolve_block_device(str(tmp_path / "by-id-link"))


def test_parse_mountinfo_and_swaps():
    text = ("106 84 0:39 / / rw,relatime shared:3 - overlay overlay rw,lowerdir=/x\n"
            "356 106 7:0 / /mnt/my\\040data rw,relatime shared:109 - ext4 /dev/spare rw\n")
    mounts = _wipe.parse_mountinfo(text)
    assert mounts[1] == {"devno": (7, 0), "root": "/", "mountpoint": "/mnt/my data", "fstype": "ext4",
                         "source": "/dev/spare"}
    assert _wipe.parse_swaps("Filename Type Size Used Priority\n/dev/vdb2 partition 10 0 -2\n") == ["/dev/vdb2"]


def _dev(sysfs, path, devno, partition=False):
    d = sysfs / "devices" / path
    d.mkdir(parents=True)
    (d / "dev").write_text("%d:%d\n" % devno)
    if partition:
        (d / "partition").write_text("1\n")
    for link in (sysfs / "dev" / "block" / ("%d:%d" % devno), sysfs / "class" / "block" / d.name):
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(d)
    return d


@pytest.fixture()
def sysblock(tmp_path):
    """vda (254:0) with vda1 (254:1, root) and vda2 (254:2) under dm-0 (253:0); vdb (254:16) with vdb1; loop0."""
    sysfs = tmp_path / "sys"
    _dev(sysfs, "pci/block/vda", (254, 0))
    _dev(sysfs, "pci/block/vda/vda1", (254, 1), partition=True)
    vda2 = _dev(sysfs, "pci/block/vda/vda2", (254, 2), partition=True)
    dm0 = _dev(sysfs, "virtual/block/dm-0", (253, 0))
    (vda2 / "holders").mkdir()
    (vda2 / "holders" / "dm-0").symlink_to(dm0)
    (dm0 / "slaves").mkdir()
    (dm0 / "slaves" / "vda2").symlink_to(vda2)
    _dev(sysfs, "pci/block/vdb", (254, 16))
    _dev(sysfs, "pci/block/vdb/vdb1", (254, 17), partition=True)
    _dev(sysfs, "virtual/block/loop0", (7, 0))
    return _wipe.SysBlock(str(sysfs))


ROOT_ON_VDA1 = "1 0 254:1 / / rw - ext4 /dev/vda1 rw\n"


def test_root_disk_and_its_parent_are_refused(sysblock):
    mounts = _wipe.parse_mountinfo(ROOT_ON_VDA1)
    for devno in [(254, 1), (254, 0)]:
        reasons = _wipe.refusals(devno, mounts, [], sysblock)
        assert any("root disk" in r for r in reasons), reasons
    assert _wipe.refusals((254, 16), mounts, [], sysblock) == []
    assert _wipe.refusals((7, 0), mounts, [], sysblock) == []


def test_root_on_device_mapper_refuses_the_disk_under_it(sysblock):
    mounts = _wipe.parse_mountinfo("1 0 253:0 / / rw - ext4 /dev/mapper/vg-root rw\n")
    assert _wipe.root_devices(mounts, sysblock) == {(253, 0), (254, 2), (254, 0)}
    reasons = _wipe.refusals((254, 0), mounts, [], sysblock)
    assert any("root disk" in r for r in reasons)
    assert any("mounted" in r and "dm-0 on /" in r for r in reasons)  # dm-0 is stacked on vda2, a partition of vda


def test_mounted_partition_and_holder_refuse_the_whole_disk(sysblock):
    mounts = _wipe.parse_mountinfo(ROOT_ON_VDA1 + "2 1 254:17 / /srv/data rw - xfs /dev/vdb1 rw\n")
    reasons = _wipe.refusals((254, 16), mounts, [], sysblock)
    assert reasons == ["vdb is mounted (itself, a partition or a holder): vdb1 on /srv/data; unmount it first"]
    held = _wipe.refusals((254, 2), _wipe.parse_mountinfo(ROOT_ON_VDA1), [], sysblock)
    assert held == ["vda2 is held by dm-0 (device-mapper/md/LVM); remove the holder first"]


def test_container_root_on_overlay_does_not_block_the_spare(sysblock):
    mounts = _wipe.parse_mountinfo("106 84 0:39 / / rw - overlay overlay rw,lowerdir=/x\n")
    assert _wipe.root_devices(mounts, sysblock) == set()
    assert _wipe.refusals((7, 0), mounts, [], sysblock) == []
    mounted = _wipe.parse_mountinfo("106 84 0:39 / / rw - overlay overlay rw\n356 106 7:0 / /mnt/t rw - ext4 x rw\n")
    assert _wipe.refusals((7, 0), mounted, [], sysblock) == [
        "loop0 is mounted (itself, a partition or a holder): loop0 on /mnt/t; unmount it first"]


def test_mb_per_s():
    assert _wipe.mb_per_s(200_000_000, 2.0) == 100.0
    assert _wipe.mb_per_s(1, 0) is None
