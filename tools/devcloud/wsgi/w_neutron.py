# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""gunicorn entry for neutron (module name must differ from the package it imports)."""
from __future__ import annotations

import os
import sys

os.environ.setdefault("OS_NEUTRON_CONFIG_DIR", os.path.join(os.environ["DEVCLOUD_ETC"], "neutron"))
# oslo.config parses sys.argv: hide gunicorn's own arguments from it.
sys.argv = ["neutron-api"]
from neutron.wsgi.api import application  # noqa: E402,F401
