# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""govcloud: the operators' front end of the govcloud.lifecycle collection (ansible-runner runs, status, portfolio)."""

__version__ = "1.0.0"
