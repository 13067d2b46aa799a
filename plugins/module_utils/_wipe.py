# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Block device wiping (NIST SP 800-88 Clear) and its safety checks, shared by block_wipe and its benchmark.

Pure logic: everything that reads the system (/proc/self/mountinfo, /proc/swaps, /sys) takes the text or the
root directory as a parameter, so unit tests can feed fakes and the module feeds the real files.
"""
from __future__ import annotations

import errno
import hashlib
import mmap
import os
import random
import stat
import threading
import time

TOOL = "govcloud.lifecycle.block_wipe"
TOOL_VERSION = "1.0.0"
PATTERNS = ("zero", "random")
VERIFY_MODES = ("full", "sample")
DEFAULT_BLOCK_SIZE = 4 * 1024 * 1024
MIN_BLOCK_SIZE = 4096
MAX_BLOCK_SIZE = 64 * 1024 * 1024
MAX_PASSES = 35
SAMPLE_BYTES = 65536
# requests in flight during writes and read-back (see _in_flight); benchmarks/wipe/README.md has the measurements
DEFAULT_DEPTH = 4
_KEY_BYTES = 32


class WipeError(Exception):
    """A refusal or failure, with a message meant for an operator."""


# ---------------------------------------------------------------------------------------------- inspection

def _unescape_mount_field(text):
    # mountinfo escapes space, tab, newline and backslash as \ooo octal
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\" and i + 4 <= len(text) and text[i + 1:i + 4].isdigit():
            out.append(chr(int(text[i + 1:i + 4], 8)))
            i += 4
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def parse_mountinfo(text):
    """Mounts of /proc/self/mountinfo as dicts: devno (major, minor), root, mountpoint, fstype, source."""
    mounts = []
    for line in text.splitlines():
        fields = line.split()
        if "-" not in fields or len(fields) < 7:
            continue
        sep = fields.index("-")
        major, minor = fields[2].split(":")
        mounts.append({
            "devno": (int(major), int(minor)),
            "root": _unescape_mount_field(fields[3]),
            "mountpoint": _unescape_mount_field(fields[4]),
            "fstype": fields[sep + 1] if len(fields) > sep + 1 else "",
            "source": _unescape_mount_field(fields[sep + 2]) if len(fields) > sep + 2 else "",
        })
    return mounts


def parse_swaps(text):
    """File names of active swap areas from /proc/swaps."""
    names = []
    for line in text.splitlines()[1:]:
        fields = line.split()
        if fields:
            names.append(_unescape_mount_field(fields[0]))
    return names


class SysBlock:
    """Block device relations read from sysfs (partitions, parent disk, holders, slaves)."""

    def __init__(self, sysfs="/sys"):
        self.sysfs = sysfs

    def _dir(self, devno):
        path = os.path.join(self.sysfs, "dev", "block", "%d:%d" % devno)
        return os.path.realpath(path) if os.path.exists(path) else None

    @staticmethod
    def _devno_of(directory):
        try:
            with open(os.path.join(directory, "dev")) as f:
                major, minor = f.read().strip().split(":")
            return int(major), int(minor)
        except (OSError, ValueError):
            return None

    def name(self, devno):
        d = self._dir(devno)
        return os.path.basename(d) if d else "%d:%d" % devno

    def parent_disk(self, devno):
        """The whole disk of a partition, or None when devno is not a partition."""
        d = self._dir(devno)
        if d and os.path.exists(os.path.join(d, "partition")):
            return self._devno_of(os.path.dirname(d))
        return None

    def partitions(self, devno):
        d = self._dir(devno)
        found = []
        if d:
            for entry in sorted(os.listdir(d)):
                sub = os.path.join(d, entry)
                if os.path.exists(os.path.join(sub, "partition")):
                    child = self._devno_of(sub)
                    if child:
                        found.append(child)
        return found

    def _linked(self, devno, what):
        d = self._dir(devno)
        found = []
        if d and os.path.isdir(os.path.join(d, what)):
            for entry in sorted(os.listdir(os.path.join(d, what))):
                child = self._devno_of(os.path.join(self.sysfs, "class", "block", entry))
                if child:
                    found.append(child)
        return found

    def holders(self, devno):
        return self._linked(devno, "holders")

    def slaves(self, devno):
        return self._linked(devno, "slaves")

    @staticmethod
    def _closure(devno, neighbours):
        """devno and every device reachable from it through ``neighbours(devno) -> [devno, ...]``."""
        seen, todo = set(), [devno]
        while todo:
            cur = todo.pop()
            if cur in seen:
                continue
            seen.add(cur)
            todo.extend(neighbours(cur))
        return seen

    def family(self, devno):
        """devno with its partitions and everything stacked on them (dm, md, ...), transitively."""
        return self._closure(devno, lambda cur: self.partitions(cur) + self.holders(cur))

    def underlying(self, devno):
        """devno with what it is built from (slaves, transitively) and the whole disks of those partitions."""
        def below(cur):
            parent = self.parent_disk(cur)
            return self.slaves(cur) + ([parent] if parent else [])
        return self._closure(devno, below)


def _source_devno(source):
    if source.startswith("/dev/"):
        try:
            st = os.stat(source)
        except OSError:
            return None
        if stat.S_ISBLK(st.st_mode):
            return os.major(st.st_rdev), os.minor(st.st_rdev)
    return None


def root_devices(mounts, sysblock):
    """Block devices that hold the root file system: its device, what it is built from, their disks."""
    roots = [m for m in mounts if m["mountpoint"] == "/"]
    if not roots:
        return set()
    root = roots[-1]  # the last mount on / is the visible one
    devnos = set()
    if root["devno"][0] != 0:
        devnos.add(root["devno"])
    src = _source_devno(root["source"])
    if src:
        devnos.add(src)
    found = set()
    for devno in devnos:
        found |= sysblock.underlying(devno)
    return found


def refusals(devno, mounts, swaps, sysblock):
    """Every reason not to wipe the block device devno (empty when it is safe), as operator messages."""
    reasons = []
    name = sysblock.name(devno)
    if devno in root_devices(mounts, sysblock):
        reasons.append("%s holds the root file system (/) or is its parent disk: refusing to wipe the root disk" % name)
    family = sysblock.family(devno)
    mounted = []
    for m in mounts:
        src = _source_devno(m["source"])
        if m["devno"] in family or (src and src in family):
            mounted.append("%s on %s" % (sysblock.name(src or m["devno"]), m["mountpoint"]))
    if mounted:
        reasons.append("%s is mounted (itself, a partition or a holder): %s; unmount it first"
                       % (name, ", ".join(sorted(set(mounted)))))
    swapping = [s for s in swaps if _source_devno(s) in family]
    if swapping:
        reasons.append("%s is in use as swap (%s); swapoff first" % (name, ", ".join(swapping)))
    holders = [sysblock.name(h) for h in sysblock.holders(devno)]
    if holders:
        reasons.append("%s is held by %s (device-mapper/md/LVM); remove the holder first" % (name, ", ".join(holders)))
    return reasons


def resolve_block_device(path):
    """Resolve a path or /dev/disk/by-id symlink to (real path, (major, minor)); WipeError if not a block device."""
    if not path:
        raise WipeError("device: must be a path to a block device")
    real = os.path.realpath(path)
    try:
        st = os.stat(real)
    except OSError as e:
        raise WipeError("device: %s: %s" % (path, e.strerror))
    if not stat.S_ISBLK(st.st_mode):
        kind = "a directory" if stat.S_ISDIR(st.st_mode) else "a regular file" if stat.S_ISREG(st.st_mode) \
            else "not a block device"
        raise WipeError("device: %s (%s) is %s; only block devices are wiped" % (path, real, kind))
    return real, (os.major(st.st_rdev), os.minor(st.st_rdev))


# ---------------------------------------------------------------------------------------------- I/O

def device_size(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        return os.lseek(fd, 0, os.SEEK_END)
    finally:
        os.close(fd)


def _open(path, flags):
    """Open with O_DIRECT (bypass the page cache: honest throughput, and reads come from the media); fall back
    when the file system refuses it (regular files on tmpfs in unit tests)."""
    try:
        return os.open(path, flags | os.O_DIRECT), True
    except OSError as e:
        if e.errno != errno.EINVAL:
            raise
    return os.open(path, flags), False


def random_block(key, index, length):
    """Deterministic keyed stream for block `index`: a random pass is re-generated to verify it, never stored."""
    return hashlib.shake_256(key + index.to_bytes(8, "little")).digest(length)


def _chunks(size, block_size):
    offset, index = 0, 0
    while offset < size:
        n = min(block_size, size - offset)
        yield index, offset, n
        offset += n
        index += 1


def _in_flight(items, depth, buffer_size, work):
    """Call work(buf, item) for every item with up to `depth` calls in flight, each thread with its own
    page-aligned buffer (anonymous mmap, zero-filled, as O_DIRECT needs). One synchronous 4 MiB request at a time
    (what dd does) leaves the device idle while Python prepares the next; os.pwrite/os.preadv release the GIL, so
    a few threads keep the queue full. The first exception stops the others and is raised."""
    items = iter(items)
    lock = threading.Lock()
    errors = []

    def run():
        buf = mmap.mmap(-1, buffer_size)
        try:
            while not errors:
                with lock:
                    item = next(items, None)
                if item is None:
                    return
                work(buf, item)
        except BaseException as e:  # pylint: disable=broad-exception-caught  # re-raised in the caller's thread
            errors.append(e)
        finally:
            buf.close()

    if depth <= 1:
        run()
    else:
        threads = [threading.Thread(target=run, daemon=True) for dummy in range(depth)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    if errors:
        raise errors[0]


def _pwrite_all(fd, buf, n, offset):
    view = memoryview(buf)
    try:
        done = 0
        while done < n:
            done += os.pwrite(fd, view[done:n], offset + done)
    finally:
        view.release()


def write_pass(path, size, pattern, key, block_size=DEFAULT_BLOCK_SIZE, exclusive=True, depth=DEFAULT_DEPTH):
    """Overwrite [0, size) of path once, then fsync. Returns a dict: seconds (writes and fsync), flush_seconds
    (the fsync alone), direct_io."""
    flags = os.O_WRONLY | (os.O_EXCL if exclusive else 0)
    try:
        fd, direct = _open(path, flags)
    except OSError as e:
        if e.errno == errno.EBUSY:
            raise WipeError("device: %s is busy (mounted, swap or held by the kernel); refusing to wipe" % path)
        raise WipeError("device: cannot open %s for writing: %s" % (path, e.strerror))

    def work(buf, chunk):
        index, offset, n = chunk
        if pattern == "random":
            buf[:n] = random_block(key, index, n)
        _pwrite_all(fd, buf, n, offset)

    start = time.monotonic()
    try:
        _in_flight(_chunks(size, block_size), depth, block_size, work)
        flush_start = time.monotonic()
        # the data must be on the media, not in a volatile cache, before verification may vouch for it
        os.fsync(fd)
    except OSError as e:
        raise WipeError("write failed on %s: %s" % (path, e.strerror))
    finally:
        os.close(fd)
    end = time.monotonic()
    return {"seconds": end - start, "flush_seconds": end - flush_start, "direct_io": direct}


def _read_at(fd, buf, offset, n):
    view = memoryview(buf)
    done = 0
    try:
        while done < n:
            got = os.preadv(fd, [view[done:n]], offset + done)
            if got == 0:
                raise WipeError("short read at offset %d" % (offset + done))
            done += got
        return view[:n].tobytes()
    finally:
        view.release()


def compare(data, expected):
    """(number of differing bytes, index of the first one or None) of two equally long byte strings, at C speed:
    a device that kept its old data must fail fast, not after a Python loop over every byte."""
    if data == expected:
        return 0, None
    n = len(data)
    diff = (int.from_bytes(data, "little") ^ int.from_bytes(expected, "little")).to_bytes(n, "little")
    return n - diff.count(0), n - len(diff.lstrip(b"\0"))


def expected_bytes(pattern, key, offset, n, step):
    """What the last pass wrote at [offset, offset + n): zeros, or the keyed stream of the blocks of size `step`
    that the range touches."""
    if pattern == "zero":
        return bytes(n)
    first, last = offset // step, (offset + n - 1) // step
    stream = b"".join(random_block(key, index, step) for index in range(first, last + 1))
    return stream[offset - first * step:offset - first * step + n]


def sample_regions(size, samples, sample_bytes, rng):
    """The first and the last region plus `samples` random 4 KiB-aligned ones (duplicates dropped), sorted."""
    last_start = max(0, size - sample_bytes)
    offsets = {0, last_start - last_start % 4096}
    for dummy in range(samples):
        offsets.add(rng.randrange(0, max(1, size - sample_bytes + 1)) // 4096 * 4096)
    return sorted((off, min(sample_bytes, size - off)) for off in offsets)


def verify(path, size, pattern, key, mode="full", samples=256, block_size=DEFAULT_BLOCK_SIZE, sample_bytes=SAMPLE_BYTES,
           rng=None, depth=DEFAULT_DEPTH):
    """Read back and compare with the last pass. Returns a dict: method, result (pass/fail), bytes_checked,
    mismatched_bytes, first_mismatch_offset, seconds, samples."""
    sample_bytes = min(sample_bytes, block_size)
    if mode == "sample":
        regions = sample_regions(size, samples, sample_bytes, rng or random.SystemRandom())
    else:
        regions = [(offset, n) for dummy, offset, n in _chunks(size, block_size)]
    zeros = bytes(block_size) if pattern == "zero" else b""
    fd, dummy = _open(path, os.O_RDONLY)
    lock = threading.Lock()
    tally = {"checked": 0, "bad": 0, "first_bad": None}

    def work(buf, region):
        offset, n = region
        data = _read_at(fd, buf, offset, n)
        # the random stream is re-generated per block of the write layout; a sample may span two blocks
        expected = zeros[:n] if pattern == "zero" else expected_bytes(pattern, key, offset, n, block_size)
        bad, first = compare(data, expected)
        with lock:
            tally["checked"] += n
            if bad:
                tally["bad"] += bad
                if tally["first_bad"] is None or offset + first < tally["first_bad"]:
                    tally["first_bad"] = offset + first

    start = time.monotonic()
    try:
        _in_flight(regions, depth, block_size, work)
    finally:
        os.close(fd)
    return {
        "method": mode,
        "result": "pass" if tally["bad"] == 0 and tally["checked"] > 0 else "fail",
        "bytes_checked": tally["checked"],
        "mismatched_bytes": tally["bad"],
        "first_mismatch_offset": tally["first_bad"],
        "samples": len(regions) if mode == "sample" else None,
        "seconds": round(time.monotonic() - start, 3),
    }


def is_all_zero(path, size, block_size=DEFAULT_BLOCK_SIZE):
    """True when the whole device already reads as zeros (the skip_if_clear check)."""
    return verify(path, size, "zero", b"", "full", block_size=block_size)["result"] == "pass"


def mb_per_s(nbytes, seconds):
    return round(nbytes / 1e6 / seconds, 1) if seconds > 0 else None


def wipe(path, size, pattern="zero", passes=1, verify_mode="full", samples=256, block_size=DEFAULT_BLOCK_SIZE,
         exclusive=True, depth=DEFAULT_DEPTH):
    """Run every pass, then verify the last one. Returns the facts block_wipe reports."""
    if pattern not in PATTERNS:
        raise WipeError("pattern: must be one of %s, got %r" % (", ".join(PATTERNS), pattern))
    if verify_mode not in VERIFY_MODES:
        raise WipeError("verify: must be one of %s, got %r" % (", ".join(VERIFY_MODES), verify_mode))
    if not 1 <= passes <= MAX_PASSES:
        raise WipeError("passes: must be between 1 and %d, got %d" % (MAX_PASSES, passes))
    if block_size % MIN_BLOCK_SIZE or not MIN_BLOCK_SIZE <= block_size <= MAX_BLOCK_SIZE:
        raise WipeError("block_size: must be a multiple of %d between %d and %d, got %d"
                        % (MIN_BLOCK_SIZE, MIN_BLOCK_SIZE, MAX_BLOCK_SIZE, block_size))
    write_seconds, direct, key = 0.0, False, b""
    for dummy in range(passes):
        key = os.urandom(_KEY_BYTES) if pattern == "random" else b""
        done = write_pass(path, size, pattern, key, block_size, exclusive, depth)
        write_seconds += done["seconds"]
        direct = done["direct_io"]
    check = verify(path, size, pattern, key, verify_mode, samples, block_size, depth=depth)
    return {
        "bytes_written": size * passes,
        "write_seconds": round(write_seconds, 3),
        "throughput_mb_s": mb_per_s(size * passes, write_seconds),
        "direct_io": direct,
        "verification": check,
    }
