# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Agentless ML2 mechanism driver for the dev cloud.

The dev cloud runs nova with fake.FakeDriver and no L2 agent (no OVS/OVN on the CI machines).
Every in-tree mechanism driver binds a port only for a live agent on the port's host, so nova
would fail every boot with PortBindingFailed. This driver binds any port on any host to the
first segment it is offered, with vif_type ``ovs``, and reports the port ACTIVE: that is all
the fake compute driver needs. It must never be used outside a test cloud.
"""
from __future__ import annotations

from neutron_lib import constants
from neutron_lib.api.definitions import portbindings
from neutron_lib.plugins.ml2 import api

_SUPPORTED_TYPES = frozenset(
    (constants.TYPE_FLAT, constants.TYPE_VLAN, constants.TYPE_VXLAN, constants.TYPE_GENEVE, constants.TYPE_LOCAL)
)
_VIF_DETAILS = {portbindings.CAP_PORT_FILTER: True, portbindings.OVS_HYBRID_PLUG: False}


class DevcloudMechanismDriver(api.MechanismDriver):
    """Bind every port without an agent (test clouds only)."""

    def initialize(self):
        # Nothing to connect to: there is no agent and no backend.
        return None

    @property
    def connectivity(self):
        return portbindings.CONNECTIVITY_L2

    def bind_port(self, context):
        for segment in context.segments_to_bind:
            if segment[api.NETWORK_TYPE] in _SUPPORTED_TYPES:
                context.set_binding(
                    segment[api.ID], portbindings.VIF_TYPE_OVS, dict(_VIF_DETAILS),
                    status=constants.PORT_STATUS_ACTIVE)
                return
