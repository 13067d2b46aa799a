# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Several writers at once lose nothing; a writer killed at any point leaves a ledger that verifies."""

from __future__ import annotations

import multiprocessing
import os
import random
import select
import signal
import time

import pytest

from ansible_collections.govcloud.lifecycle.plugins.plugin_utils.evidence import Ledger

WRITERS = 8
PER_WRITER = 500
CRASH_RUNS = 50


def _writer(directory, key, number, start):
    start.wait()
    with Ledger(directory, key_file=key) as ledger:
        for i in range(PER_WRITER):
            ledger.append(application="app", stage="deployment", kind="task", targets=["w%d" % number],
                          details={"writer": number, "i": i})
            if i % 50 == 49:
                ledger.checkpoint()


def test_concurrent_writers_lose_nothing(tmp_path):
    ctx = multiprocessing.get_context("fork")
    directory, key = str(tmp_path / "ev"), str(tmp_path / "key.pem")
    Ledger(directory, key_file=key).close()  # created once, so the writers race on appends, not on the schema
    start = ctx.Event()
    procs = [ctx.Process(target=_writer, args=(directory, key, n, start)) for n in range(WRITERS)]
    for proc in procs:
        proc.start()
    start.set()
    for proc in procs:
        proc.join(120)
        assert proc.exitcode == 0
    with Ledger(directory, key_file=key) as ledger:
        report = ledger.verify()
        assert report["ok"], (report["reason"], report["anchor"])
        assert report["count"] == WRITERS * PER_WRITER and report["head_seq"] == WRITERS * PER_WRITER
        seen = sorted((r["details"]["writer"], r["details"]["i"]) for r in ledger.records())
    assert seen == sorted((n, i) for n in range(WRITERS) for i in range(PER_WRITER))


def _crashing_writer(directory, key, report_fd, seed):
    rnd = random.Random(seed)
    with Ledger(directory, key_file=key) as ledger:
        while True:
            batch = rnd.choice((1, 1, 1, 5, 50))
            stored = ledger.append_many([dict(application="app", stage="deployment", kind="task",
                                              summary="x" * rnd.randint(0, 3000), details={"n": n})
                                         for n in range(batch)])
            # reported only after COMMIT returned: every reported record must survive the kill
            os.write(report_fd, b"".join(b"%d %s\n" % (r["seq"], r["hash"].encode()) for r in stored))
            if rnd.random() < 0.2:
                ledger.checkpoint()


@pytest.mark.parametrize("run", range(CRASH_RUNS))
def test_killed_writer_leaves_verifiable_ledger(tmp_path_factory, run):
    ctx = multiprocessing.get_context("fork")
    base = tmp_path_factory.mktemp("crash")
    directory, key = str(base / "ev"), str(base / "key.pem")
    rnd = random.Random(run)
    read_fd, write_fd = os.pipe()
    committed = {}
    received = bytearray()

    def drain(timeout):
        ready = select.select([read_fd], [], [], timeout)[0]
        if ready:
            received.extend(os.read(read_fd, 1 << 20))

    # two writers in a row, each killed: the second starts from whatever the first left behind
    for attempt in range(2):
        proc = ctx.Process(target=_crashing_writer, args=(directory, key, write_fd, run * 10 + attempt))
        lines_before = received.count(b"\n")
        proc.start()
        # the kill lands at a random point *while writing*: after this writer's first commit, however slow
        # the machine is (on a loaded machine a fixed delay could kill it before it wrote anything)
        deadline = time.monotonic() + 120
        while received.count(b"\n") == lines_before and time.monotonic() < deadline:
            drain(0.5)
        assert received.count(b"\n") > lines_before, "writer %d committed nothing within 120 s" % attempt
        time.sleep(rnd.uniform(0.0, 0.2))
        os.kill(proc.pid, signal.SIGKILL)
        proc.join()
        assert proc.exitcode == -signal.SIGKILL
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as pipe:
        received.extend(pipe.read())
    for line in bytes(received).splitlines():
        seq, digest = line.split()
        committed[int(seq)] = digest.decode()
    with Ledger(directory, key_file=key, create=False) as ledger:
        report = ledger.verify()
        assert report["ok"], (report["reason"], report["anchor"])
        stored = {r["seq"]: r["hash"] for r in ledger.records()}
    assert committed, "the writer was killed before its first commit: nothing was tested"
    missing = {seq: h for seq, h in committed.items() if stored.get(seq) != h}
    assert missing == {}
