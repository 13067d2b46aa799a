# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What every filter plugin of the collection shares: planning errors become filter errors a person can act on."""

from __future__ import annotations

import functools

from ansible.errors import AnsibleFilterError


def guarded(errors, functions):
    """{name: function} -> {name: function raising AnsibleFilterError (message only) for any of `errors`}.

    The planning code in module_utils raises its own exception types with operator-facing messages; a filter
    must not show a Python traceback for them.
    """
    def guard(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            try:
                return func(*args, **kwargs)
            except errors as exc:
                raise AnsibleFilterError(str(exc)) from None
        return wrapper
    return dict((name, guard(func)) for name, func in functions.items())
