# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The dev cloud's Keystone caches in memcached, and every worker sees a change at once.

Keystone runs 3 worker processes (tools/devcloud/lib/cloud.sh). Its cache lives in one memcached
(lib/infra.sh) rather than in each process, so a project deleted or a role revoked through one worker is not
served from a stale copy by another: the roles use exactly such read-after-write sequences (create, read back,
purge). The test makes the change, then asks more times than there are workers, each time on a new connection:
Keystone's gunicorn keeps connections alive, so reads on one session would all reach the same worker.
"""

from __future__ import annotations

import socket

import openstack
import pytest
from openstack import exceptions

NAME = "itcache"
READS = 12  # > 3 workers; each read on its own connection, so the kernel spreads them over the workers


def memcached_stats():
    with socket.create_connection(("127.0.0.1", 11211), timeout=5) as conn:
        conn.sendall(b"stats\r\n")
        data = b""
        while not data.endswith(b"END\r\n"):
            chunk = conn.recv(65536)
            if not chunk:
                break
            data += chunk
    return dict(line.split()[1:3] for line in data.decode().splitlines() if line.startswith("STAT "))


def fresh(cloud):
    """Identity proxy of a new connection (new login, new TCP connection): any worker may answer it."""
    return openstack.connect(cloud=cloud.config.name).identity


@pytest.fixture()
def project(cloud):
    identity = cloud.identity
    old = identity.find_project(NAME, domain_id="default")
    if old is not None:
        identity.delete_project(old)
    made = identity.create_project(name=NAME, domain_id="default")
    yield made
    if identity.find_project(made.id) is not None:
        identity.delete_project(made)


def test_keystone_reads_are_served_from_memcached(cloud, project):
    before = int(memcached_stats()["get_hits"])
    for attempt in range(READS):
        assert cloud.identity.get_project(project.id).id == project.id, "read %d" % attempt
    assert int(memcached_stats()["get_hits"]) > before


def test_a_deleted_project_is_gone_for_every_worker(cloud, project):
    # warm every worker's view of the project; new tokens must validate in every worker straight away
    for attempt in range(READS):
        assert fresh(cloud).get_project(project.id).id == project.id, "read %d" % attempt
    cloud.identity.delete_project(project)
    for attempt in range(READS):
        with pytest.raises(exceptions.NotFoundException):
            fresh(cloud).get_project(project.id)
            pytest.fail("read %d after the delete still returned the project" % attempt)


def test_a_revoked_role_is_gone_for_every_worker(cloud, project):
    identity = cloud.identity
    group = identity.find_group(NAME + "-admins", domain_id="default") or identity.create_group(
        name=NAME + "-admins", domain_id="default")
    role = identity.find_role("member")
    try:
        identity.assign_project_role_to_group(project, group, role)
        for attempt in range(READS):
            assert fresh(cloud).validate_group_has_project_role(project, group, role), "read %d" % attempt
        identity.unassign_project_role_from_group(project, group, role)
        seen = [fresh(cloud).validate_group_has_project_role(project, group, role) for attempt in range(READS)]
        assert not any(seen), "a worker still reported the revoked role: %s" % seen
    finally:
        identity.delete_group(group)
