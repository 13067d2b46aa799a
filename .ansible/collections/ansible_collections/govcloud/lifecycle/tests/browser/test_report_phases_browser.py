# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The report's trial-to-formal section in headless chromium: visible, reachable from the contents, a late filing
readable as text in both languages."""

from __future__ import annotations

import pytest

# the shared chromium fixture comes in by import
from test_report_browser import C, browser_context  # noqa: F401 pylint: disable=unused-import
from test_promotion import _promotion_ledger

HEADINGS = {"zh-CN": ("试运行、测评、备案与正式运行", ["试运行期", "自动化安全测评", "安全测评报告", "等保测评", "备案", "正式运行"], "✖ 逾期完成"),
            "en": ("Trial run, assessments, filing and formal operation",
                   ["Trial window", "Automated security assessment", "Security assessment reports", "MLPS", "Filing",
                    "Formal operation"], "✖ done late")}


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_phases_section_in_chromium(browser_context, tmp_path, monkeypatch, lang):  # noqa: F811
    monkeypatch.setenv("GOVCLOUD_EVIDENCE_KEY", str(tmp_path / "no-key.pem"))
    _promotion_ledger(tmp_path / "ledger", 31)
    C.render(tmp_path / "ledger", tmp_path / "out", language=lang, formats=["html"], as_of="2026-08-01")
    url = (tmp_path / "out" / C.R.FILE_NAMES["html"]).as_uri()
    page = browser_context.new_page()
    problems = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type in ("error", "warning") else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.goto(url, wait_until="load")
    title, subheadings, late = HEADINGS[lang]
    section = page.locator("section#phases")
    assert section.is_visible()
    assert section.locator("h2").inner_text() == title
    got = section.locator("h3").all_inner_texts()
    for name in subheadings:
        assert any(h.startswith(name) for h in got), (name, got)
    page.locator("nav a[href='#phases']").click()
    assert page.evaluate("location.hash") == "#phases"
    assert late in page.locator("tr#check-filing_deadline").inner_text()
    assert "36010099999-26001" in section.inner_text()
    page.close()
    assert problems == [], problems
