# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""TCP connect probe run on the control node: tcp_probe.py ADDRESS TIMEOUT PORT... -> JSON {port: reachable}.

Connects only (no payload), all ports at once, so the probe of ~40 ports takes about one timeout.
"""

from __future__ import annotations

import concurrent.futures
import json
import socket
import sys


def reachable(address, port, timeout):
    try:
        with socket.create_connection((address, port), timeout=timeout):
            return True
    except OSError:
        return False


def main(argv):
    address, timeout, ports = argv[1], float(argv[2]), [int(p) for p in argv[3:]]
    with concurrent.futures.ThreadPoolExecutor(max_workers=min(64, max(len(ports), 1))) as pool:
        results = dict(zip(ports, pool.map(lambda p: reachable(address, p, timeout), ports)))
    json.dump({str(p): results[p] for p in ports}, sys.stdout, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
