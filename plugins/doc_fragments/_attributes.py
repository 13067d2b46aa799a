# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this doc fragment is **PRIVATE** to the collection. It can have breaking changes at any time.

from __future__ import annotations


class ModuleDocFragment:
    # Standard attribute descriptions; modules state only support and details.  Every module of the collection
    # extends this fragment, so the author block is written here once.
    DOCUMENTATION = r"""
options: {}
author:
  - govcloud.lifecycle contributors (@govcloud)
attributes:
  check_mode:
    description: Can run in C(check_mode) and return changed status prediction without modifying target.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in C(check_mode)), when in diff mode.
  idempotent:
    description:
      - When run twice in a row outside check mode, with the same arguments, the second invocation indicates no change.
      - This assumes that the system controlled/queried by the module has not changed in a relevant way.
"""

    # For modules that read and change nothing.
    INFO_MODULE = r"""
options: {}
attributes:
  check_mode:
    support: full
    details:
      - This action does not modify state.
  diff_mode:
    support: N/A
    details:
      - This action does not modify state.
  idempotent:
    support: full
    details:
      - This action does not modify state.
"""

    # Support of the action_common_attributes.conn/.flow attributes by the controller-side evidence actions.
    CONTROLLER = r"""
options: {}
attributes:
  action:
    support: full
    details:
      - Runs on the controller whatever host the task targets, so no C(delegate_to) is needed.
  async:
    support: none
  bypass_host_loop:
    support: none
  become:
    support: none
    details:
      - The ledger is written by the user who runs C(ansible-playbook).
  connection:
    support: none
  delegation:
    support: none
    details:
      - C(delegate_to) does not change where the ledger is written, always on the controller.
"""
