# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The system chromium driven by Playwright, shared by the browser tests (report, portfolio)."""

from __future__ import annotations

import os

import pytest

CHROMIUM = os.environ.get("GOVCLOUD_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def persistent_context(tmp_path_factory, width):
    """Yields a headless chromium context (zh-CN, ``width`` x 900) with a throw-away profile, closed afterwards."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail("%s missing: run tools/bootstrap/apt.sh (package chromium)" % CHROMIUM)
    # Playwright must drive the system chromium; make sure it never fetches a browser of its own.
    os.environ["PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD"] = "1"
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as pw:
        ctx = pw.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, headless=True, args=ARGS,
            viewport={"width": width, "height": 900}, locale="zh-CN")
        try:
            yield ctx
        finally:
            ctx.close()
