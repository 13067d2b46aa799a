# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The auditor report opened in real headless Debian chromium (driven by Playwright, never its own browser).

Checks: no console errors, no request other than the file itself, every section present in zh-CN and en,
statuses readable as text. Screenshots go to tests/output/report-<lang>.png for people to look at.
"""

from __future__ import annotations

import os
import pathlib
import shutil
import sys

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "unit" / "plugins" / "module_utils"))
sys.path.insert(0, str(REPO / "tests" / "browser"))
import chromium  # noqa: E402  pylint: disable=wrong-import-position
import report_cases as C  # noqa: E402

OUTPUT = REPO / "tests" / "output"

SECTIONS = {
    "zh-CN": ["应用概况", "证据链校验", "生命周期时间线", "标准条款", "等保控制项", "职责分工", "服务时限检查", "最近记录"],
    "en": ["Application summary", "Chain verification", "Lifecycle timeline", "Standard clauses", "MLPS controls",
           "Division of duties", "Service-time checks", "Most recent records"],
}
STATUS_TEXT = {"zh-CN": ("✔ 符合", "✖ 差距", "○ 缺失"), "en": ("✔ met", "✖ gap", "○ missing")}


@pytest.fixture(scope="module")
def browser_context(tmp_path_factory):
    yield from chromium.persistent_context(tmp_path_factory, width=1280)


@pytest.fixture(scope="module")
def ledger(tmp_path_factory):
    base = tmp_path_factory.mktemp("browser-ledger")
    os.environ["GOVCLOUD_EVIDENCE_KEY"] = str(base / "no-anchor-key.pem")
    head = C.build_ledger(base / "ledger")
    return base, head


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_report_in_headless_chromium(browser_context, ledger, lang):
    base, head = ledger
    out = base / ("out-" + lang)
    C.render(base / "ledger", out, language=lang, formats=["html"])
    html = out / C.R.FILE_NAMES["html"]
    url = html.as_uri()

    page = browser_context.new_page()
    requests, problems = [], []
    page.on("request", lambda req: requests.append(req.url))
    page.on("console", lambda msg: problems.append("console %s: %s" % (msg.type, msg.text))
            if msg.type in ("error", "warning") else None)
    page.on("pageerror", lambda exc: problems.append("page error: %s" % exc))
    page.on("requestfailed", lambda req: problems.append("request failed: %s" % req.url))
    page.goto(url, wait_until="load")

    assert page.evaluate("document.documentElement.lang") == lang
    headings = page.locator("section h2").all_inner_texts()
    for name in SECTIONS[lang]:
        assert any(h.startswith(name) for h in headings), (name, headings)
    for section in ("summary", "verification", "timeline", "clauses", "controls", "duties", "service-times",
                    "recent", "exports"):
        assert page.locator("section#%s" % section).is_visible(), section
    body = page.inner_text("body")
    for text in STATUS_TEXT[lang]:
        assert text in body, text
    assert head["hash"] in page.inner_text("section#verification")
    # 11 lifecycle clauses and 77 GB/T 22239 controls are tabulated
    assert page.locator("section#clauses tbody tr").count() == 11
    assert page.locator("section#controls tbody tr").count() == 77
    gap = page.locator("tr[id='control-8.1.4.1.b-01'] .badge").inner_text()
    assert gap == STATUS_TEXT[lang][1]

    OUTPUT.mkdir(parents=True, exist_ok=True)
    shot = OUTPUT / ("report-%s.png" % lang)
    page.screenshot(path=str(shot), full_page=True)
    shutil.copy(html, OUTPUT / ("report-%s.html" % lang))
    page.close()

    assert requests == [url], requests
    assert problems == [], problems
    assert shot.stat().st_size > 10000
