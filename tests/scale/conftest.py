# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Scale tests: the dev cloud at the size of a provincial cloud's day (20 applications at once).  Not in `make test`:
the 20 onboardings alone take ~14 min of both cores here (docs/operations.md); `make scale-test` runs them."""

from __future__ import annotations

import os

import importlib.util  # noqa: E402  pylint: disable=wrong-import-position

# the integration tests' cloud fixture, loaded under a name of its own: "conftest" is this very module
_SPEC = importlib.util.spec_from_file_location("integration_conftest", os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "integration", "conftest.py"))
_INTEGRATION = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(_INTEGRATION)
cloud = _INTEGRATION.cloud
