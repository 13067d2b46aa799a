# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""gunicorn entry for cinder-api (module name must differ from the package it imports)."""
from __future__ import annotations

import os
import sys

# cinder's WSGI module reads its config from sys.argv only.
sys.argv = ["cinder-api", "--config-file", os.path.join(os.environ["DEVCLOUD_ETC"], "cinder", "cinder.conf")]
from cinder.wsgi.api import application  # noqa: E402,F401
