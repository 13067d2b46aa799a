# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""tools/testhosts/worker-node refuses bad input before it builds or starts anything.

The node itself, its cloud route and its credentials are tested for real by
tests/integration/test_govcloud_worker_node.py (a stage streamed to it, on the dev cloud).
"""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORKER_NODE = os.path.join(HERE, "worker-node")
TESTHOSTS = os.path.join(HERE, "testhosts")
NAME = "wn-bad-input"


def up(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in ("OS_CLOUD", "OS_CLIENT_CONFIG_FILE", "WN_UNSET")}
    return subprocess.run([sys.executable, WORKER_NODE, "up", NAME, *args], capture_output=True, text=True,
                          timeout=120, env=dict(base, **(env or {})), check=False)


def started() -> bool:
    out = subprocess.run([TESTHOSTS, "list"], capture_output=True, text=True, timeout=60, check=False).stdout
    return any(line.split()[:1] == [NAME] for line in out.splitlines())


@pytest.mark.parametrize("args, env, message", [
    (["--credential", "WN_UNSET"], None, "--credential WN_UNSET: not set in this environment"),
    (["--credential", "not-a-name"], None, "--credential 'not-a-name': the name of an environment variable"),
    (["--cloud"], None, "--cloud: OS_CLIENT_CONFIG_FILE must name the cloud's clouds.yaml by its absolute path"),
    (["--cloud"], {"OS_CLIENT_CONFIG_FILE": "/nonexistent/clouds.yaml", "OS_CLOUD": "x"},
     "--cloud: OS_CLIENT_CONFIG_FILE must name the cloud's clouds.yaml by its absolute path"),
    (["--cloud"], {"OS_CLIENT_CONFIG_FILE": os.path.relpath(__file__), "OS_CLOUD": "x"},
     "--cloud: OS_CLIENT_CONFIG_FILE must name the cloud's clouds.yaml by its absolute path"),
    (["--cloud"], {"OS_CLIENT_CONFIG_FILE": __file__}, "--cloud: OS_CLOUD must name the cloud"),
])
def test_bad_input_starts_nothing(args, env, message):
    proc = up(*args, env=env)
    assert proc.returncode == 1, proc.stderr
    assert message in proc.stderr, proc.stderr
    assert "building" not in proc.stderr and not started()
