# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The dev cloud the integration tests run against (tools/ci/molecule.sh starts it before this directory)."""

from __future__ import annotations

import openstack
import pytest

CLOUD = "devcloud-admin"


@pytest.fixture(scope="module")
def cloud():
    """An admin connection to the dev cloud; fails (not skips) when it does not answer."""
    try:
        conn = openstack.connect(cloud=CLOUD)
        conn.identity.get_token()
    except Exception as exc:  # pylint: disable=broad-exception-caught
        pytest.fail("the dev cloud is not reachable (%s); run tools/devcloud/devcloud up" % exc, pytrace=False)
    return conn
