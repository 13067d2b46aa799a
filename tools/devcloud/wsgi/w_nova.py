# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""gunicorn entry for nova (module name must differ from the package it imports)."""
from __future__ import annotations

import os
import sys

os.environ.setdefault("OS_NOVA_CONFIG_DIR", os.path.join(os.environ["DEVCLOUD_ETC"], "nova"))
# oslo.config parses sys.argv: hide gunicorn's own arguments from it.
sys.argv = ["nova-api"]
from nova.wsgi.osapi_compute import application  # noqa: E402,F401
