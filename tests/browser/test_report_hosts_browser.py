# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Per-host evidence in headless chromium (one host of three failing one control), and the PDF the report
prints with the same chromium, read back with pdftotext: every section heading is there."""

from __future__ import annotations

import shutil
import subprocess

import pytest

# the shared chromium fixture comes in by import
from chromium import CHROMIUM  # noqa: E402
from test_report_browser import C, browser_context  # noqa: F401 pylint: disable=unused-import

HOSTS = ("demo-bdc-app-01", "demo-bdc-db-01", "demo-bdc-web-01")
FAILING = ("8.1.4.1.b-01", "demo-bdc-db-01")
TEXT = {"zh-CN": {"met": "✔ 符合", "gap": "✖ 差距", "sum": "2/3 台主机符合"},
        "en": {"met": "✔ met", "gap": "✖ gap", "sum": "2/3 hosts met"}}
SECTIONS = {
    "zh-CN": ["应用概况", "证据链校验", "生命周期时间线", "标准条款", "等保控制项", "主机视图", "整改项", "职责分工",
              "服务时限检查", "数据清除证明", "试运行、测评、备案与正式运行", "最近记录", "导出文件", "结论说明与签字"],
    "en": ["Application summary", "Chain verification", "Lifecycle timeline", "Standard clauses", "MLPS controls",
           "Host view", "Rectification items", "Division of duties", "Service-time checks",
           "Certificate of sanitization", "Trial run, assessments, filing and formal operation",
           "Most recent records", "Exported files", "Closing note and signatures"],
}


@pytest.fixture(scope="module")
def ledger(tmp_path_factory):
    base = tmp_path_factory.mktemp("hosts-ledger")
    C.build_ledger(base / "ledger", C.hardened(hosts=HOSTS, failing=[FAILING]))
    return base


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_failing_host_is_visible_on_the_control_row_and_in_the_host_view(browser_context, ledger, lang):  # noqa: F811
    out = ledger / ("out-" + lang)
    C.render(ledger / "ledger", out, language=lang, formats=["html"], mlps_level=3)
    page = browser_context.new_page()
    problems = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type in ("error", "warning") else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.goto((out / C.R.FILE_NAMES["html"]).as_uri(), wait_until="load")
    text = TEXT[lang]
    row = page.locator("tr[id='control-%s']" % FAILING[0])
    assert row.locator(".badge").inner_text() == text["gap"]
    assert text["sum"] in row.inner_text()
    states = {a.inner_text().split(":")[0]: a.get_attribute("class").split()[-1]
              for a in row.locator("a.hs").all()}
    assert states == {"demo-bdc-app-01": "st-met", "demo-bdc-db-01": "st-gap", "demo-bdc-web-01": "st-met"}
    # every record listed on the row is about this control, on its own host
    for item in row.locator("ul.recs li").all():
        assert FAILING[0] in item.inner_text()
    # the link from the failing host leads to the host view's row of that control on that host
    row.locator("a.hs", has_text=FAILING[1]).click()
    target = "hc-%s-%s" % (FAILING[1], FAILING[0])
    assert page.evaluate("location.hash") == "#" + target
    host_row = page.locator("tr[id='%s']" % target)
    assert host_row.is_visible() and host_row.get_attribute("data-state") == "gap"
    assert page.locator("section#hosts tbody tr").count() == 77 * 3
    assert page.locator("section#hosts tr[data-state='gap']").count() == 1
    rect = page.locator("section#rectification tbody tr")
    assert rect.count() == 1 and FAILING[1] in rect.inner_text()
    # a sibling of the failing control is met everywhere
    sibling = page.locator("tr[id='control-8.1.4.1.b-02']")
    assert sibling.locator(".badge").inner_text() == text["met"]
    page.close()
    assert problems == [], problems


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_pdf_has_every_section_heading(ledger, lang):
    if not shutil.which("pdftotext"):
        pytest.fail("pdftotext missing: run tools/bootstrap/apt.sh (package poppler-utils)")
    out = ledger / ("pdf-" + lang)
    first = C.render(ledger / "ledger", out, language=lang, mlps_level=3, pdf=True, chromium=CHROMIUM)
    pdf = out / C.R.PDF_NAME
    assert first["files"]["pdf"]["changed"] is True and pdf.read_bytes()[:5] == b"%PDF-"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    found = [h for h in SECTIONS[lang] if h in text]
    assert found == SECTIONS[lang], sorted(set(SECTIONS[lang]) - set(found))
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert pages >= len(SECTIONS[lang])  # the print stylesheet starts every section on a new page
    assert "(A4)" in info
    # a rerun over the same ledger prints nothing again
    again = C.render(ledger / "ledger", out, language=lang, mlps_level=3, pdf=True, chromium=CHROMIUM)
    assert again["changed"] is False and again["files"]["pdf"]["changed"] is False


def test_pdf_without_chromium_says_so(ledger, tmp_path):
    with pytest.raises(C.R.ReportError, match=r"^pdf: no Chromium at /nonexistent/chromium .*chromium option"):
        C.render(ledger / "ledger", tmp_path / "out", pdf=True, chromium="/nonexistent/chromium")
    # the other files are written all the same
    assert (tmp_path / "out" / C.R.FILE_NAMES["html"]).is_file()
