# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this plugin_util is **PRIVATE** to the collection: it can change at any time.

"""系统下线 (secure decommission), pure logic: the entry of the decommission_* filters.

``_decommission_inventory.py``: what the project holds, in deletion order, the preconditions, the deletion
steps and the leftover scan; ``_decommission_wipe.py``: the data clearing plan, its records and the
certificate of sanitization.
"""

from __future__ import annotations

from ansible_collections.govcloud.lifecycle.plugins.plugin_utils._decommission_inventory import (
    LOG_RETENTION_MIN_DAYS,
    LOG_RETENTION_MODES,
    LOG_RETENTION_SUBJECT,
    ORDER,
    PROJECT_TYPES,
    STEPS,
    TYPE_OF,
    USER_TYPES,
    WAIVER_SUBJECT,
    DecommissionError,
    deletion_records,
    handover_items,
    input_problems,
    inventory,
    leftovers,
    log_retention,
    owned,
    preconditions,
    principals,
    project_queries,
    step_queries,
    step_targets,
    unrecorded_deletions,
    user_queries,
    waiver_problems,
)
from ansible_collections.govcloud.lifecycle.plugins.plugin_utils._decommission_wipe import (
    CERTIFICATE,
    PATHS,
    certificate,
    wipe_plan,
    wipe_records,
)

__all__ = (
    "CERTIFICATE",
    "LOG_RETENTION_MIN_DAYS",
    "LOG_RETENTION_MODES",
    "LOG_RETENTION_SUBJECT",
    "ORDER",
    "PATHS",
    "PROJECT_TYPES",
    "STEPS",
    "TYPE_OF",
    "USER_TYPES",
    "WAIVER_SUBJECT",
    "certificate",
    "DecommissionError",
    "deletion_records",
    "handover_items",
    "input_problems",
    "inventory",
    "leftovers",
    "log_retention",
    "owned",
    "preconditions",
    "principals",
    "project_queries",
    "step_queries",
    "step_targets",
    "unrecorded_deletions",
    "user_queries",
    "waiver_problems",
    "wipe_plan",
    "wipe_records",
)
