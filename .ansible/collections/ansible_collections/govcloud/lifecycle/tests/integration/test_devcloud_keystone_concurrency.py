# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The dev cloud's Keystone gives each request its own token's roles while other requests run beside it.

Served with threads (gunicorn 1 x 4), a user's project token was seen carrying the admin's roles under
concurrent admin calls: creating an application credential then failed ("Could not find role assignment with
role: <admin>") in 15 of 20 attempts. tools/devcloud/lib/cloud.sh serves Keystone with processes only; this
test repeats that measurement: the roles Keystone reports for the user's token, and the application credential
made from it, while three threads keep the admin busy.
"""

from __future__ import annotations

import secrets
import threading

import openstack
import pytest
from keystoneauth1 import session
from keystoneauth1.identity import v3

NAME = "itkc"
ROUNDS = 12


@pytest.fixture()
def member(cloud):
    """A user who is manager of a project through a group, as the tenant role makes them; removed afterwards."""
    identity = cloud.identity
    for user in identity.users(domain_id="default", name=NAME + "-user"):
        identity.delete_user(user)
    project = identity.find_project(NAME, domain_id="default") or identity.create_project(
        name=NAME, domain_id="default")
    group = identity.find_group(NAME + "-admins", domain_id="default") or identity.create_group(
        name=NAME + "-admins", domain_id="default")
    password = secrets.token_urlsafe(18)
    user = identity.create_user(name=NAME + "-user", domain_id="default", password=password)
    identity.add_user_to_group(user, group)
    identity.assign_project_role_to_group(project, group, identity.find_role("manager"))
    yield project, user, password
    identity.delete_user(user)
    identity.delete_group(group)
    identity.delete_project(project)


def test_a_users_token_keeps_its_own_roles_beside_concurrent_admin_calls(cloud, member):
    project, user, password = member
    stop = threading.Event()

    def busy_admin():
        conn = openstack.connect(cloud=cloud.config.name)
        while not stop.is_set():
            list(conn.identity.role_assignments(scope_project_id=project.id, include_names=True))
            openstack.connect(cloud=cloud.config.name).identity.get_token()

    threads = [threading.Thread(target=busy_admin, daemon=True, name="admin-%d" % n) for n in range(3)]
    for thread in threads:
        thread.start()
    wrong = []
    try:
        for attempt in range(ROUNDS):
            login = v3.Password(auth_url=cloud.config.config["auth"]["auth_url"], username=user.name,
                                password=password, user_domain_id="default", project_id=project.id)
            conn = openstack.connection.Connection(session=session.Session(auth=login),
                                                   region_name=cloud.config.get_region_name())
            try:
                cred = conn.identity.create_application_credential(user=user.id, name="%s-%d" % (NAME, attempt))
            except openstack.exceptions.HttpException as exc:
                wrong.append("attempt %d: %s" % (attempt, str(exc)[-160:]))
                continue
            roles = sorted(r["name"] for r in cred.roles)
            if roles != ["manager", "member", "reader"]:
                wrong.append("attempt %d: roles %s" % (attempt, roles))
            conn.identity.delete_application_credential(user.id, cred.id)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    assert not wrong, "%d of %d attempts wrong:\n%s" % (len(wrong), ROUNDS, "\n".join(wrong))
