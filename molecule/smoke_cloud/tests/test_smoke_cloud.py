# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Verify of the smoke_cloud scenario: the real state of the dev cloud after converge (read as admin)."""
from __future__ import annotations

import ipaddress
import os

import pytest

from leftovers import connect, load_vars

V = load_vars(os.path.join(os.path.dirname(__file__), "..", "group_vars", "all.yml"))


@pytest.fixture(scope="module")
def conn():
    return connect(V)


@pytest.fixture(scope="module")
def project(conn):
    found = list(conn.identity.projects(name=V["smoke_cloud_project"]))
    assert len(found) == 1, f"expected one project {V['smoke_cloud_project']}, found {len(found)}"
    return found[0]


def _one(items, what):
    items = list(items)
    assert len(items) == 1, f"expected exactly one {what}, found {len(items)}"
    return items[0]


@pytest.fixture(scope="module")
def network(conn, project):
    return _one(conn.network.networks(name=V["smoke_cloud_network"], project_id=project.id), "network")


@pytest.fixture(scope="module")
def security_group(conn, project):
    return _one(conn.network.security_groups(name=V["smoke_cloud_security_group"], project_id=project.id),
                "security group")


@pytest.fixture(scope="module")
def server(conn, project):
    return _one(conn.compute.servers(all_projects=True, project_id=project.id, name=f"^{V['smoke_cloud_server']}$"),
                "server")


def test_project(project):
    assert project.description == V["smoke_cloud_project_description"]
    assert project.is_enabled


def test_network(network):
    assert network.status == "ACTIVE"
    assert network.is_admin_state_up
    assert network.is_port_security_enabled


def test_subnet(conn, project, network):
    subnet = _one(conn.network.subnets(name=V["smoke_cloud_subnet"], project_id=project.id), "subnet")
    assert subnet.network_id == network.id
    assert subnet.cidr == V["smoke_cloud_cidr"]
    assert subnet.gateway_ip == V["smoke_cloud_gateway_ip"]
    assert subnet.dns_nameservers == V["smoke_cloud_dns_nameservers"]
    assert subnet.is_dhcp_enabled
    assert subnet.ip_version == 4


def test_security_group_rule(security_group):
    assert security_group.description == V["smoke_cloud_security_group_description"]
    want = V["smoke_cloud_rule"]
    ingress = [r for r in security_group.security_group_rules if r["direction"] == "ingress"]
    assert [(r["protocol"], r["port_range_min"], r["port_range_max"], r["remote_ip_prefix"], r["ethertype"])
            for r in ingress] == [(want["protocol"], want["port_range_min"], want["port_range_max"],
                                   want["remote_ip_prefix"], "IPv4")]


def test_keypair(conn):
    keypair = conn.compute.get_keypair(V["smoke_cloud_keypair"])
    eph = os.environ.get("MOLECULE_EPHEMERAL_DIRECTORY")
    if eph:
        with open(os.path.join(eph, "id_smoke_cloud.pub"), encoding="utf-8") as fh:
            assert keypair.public_key.split()[:2] == fh.read().split()[:2]
    assert keypair.type == "ssh"


def test_server_active_on_the_network(conn, server, network, security_group):
    assert server.status == "ACTIVE"
    assert server.flavor["original_name"] == V["smoke_cloud_flavor"]
    assert server.image["id"] == conn.image.find_image(V["smoke_cloud_image"]).id
    assert server.key_name == V["smoke_cloud_keypair"]
    assert {g["name"] for g in server.security_groups} == {V["smoke_cloud_security_group"]}
    addresses = server.addresses[V["smoke_cloud_network"]]
    assert len(addresses) == 1
    assert ipaddress.ip_address(addresses[0]["addr"]) in ipaddress.ip_network(V["smoke_cloud_cidr"])
    port = _one(conn.network.ports(device_id=server.id), "port of the server")
    assert port.network_id == network.id
    assert port.status == "ACTIVE"
    assert port.binding_vif_type == "ovs"
    assert port.security_group_ids == [security_group.id]


def test_volume_attached(conn, project, server):
    volume = _one(conn.block_storage.volumes(all_projects=True, project_id=project.id, name=V["smoke_cloud_volume"]),
                  "volume")
    assert volume.size == V["smoke_cloud_volume_size"]
    assert volume.status == "in-use"
    assert [a["server_id"] for a in volume.attachments] == [server.id]
