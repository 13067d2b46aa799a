# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Filters of the secure_decommission role: thin front ends over module_utils/_decommission.py."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.govcloud.lifecycle.plugins.module_utils import _decommission


def _guard(func):
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except _decommission.DecommissionError as exc:
            raise AnsibleFilterError(str(exc)) from None
    wrapper.__name__ = func.__name__
    wrapper.__doc__ = func.__doc__
    return wrapper


class FilterModule(object):
    def filters(self):
        return {
            "decommission_queries": _guard(_decommission.project_queries),
            "decommission_user_queries": _guard(_decommission.user_queries),
            "decommission_principals": _guard(_decommission.principals),
            "decommission_inventory": _guard(_decommission.inventory),
        }
