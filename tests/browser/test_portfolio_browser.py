# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The management unit's portfolio (govcloud portfolio) opened in real headless Debian chromium.

Real ledgers written through the Ledger API for five applications: one in formal operation whose 备案 is overdue,
one whose trial ends in three days, and three with nothing due.  Checks, in zh-CN and en: the overdue 备案 and the
expiring trial come first, in that order; no console error and no request but the file itself; the charts are
drawn (inline SVG); the stage and level filters hide what they should; the JSON says the same.
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "frontend"))
sys.path.insert(0, str(REPO / "tests" / "unit" / "plugins" / "module_utils"))
sys.path.insert(0, str(REPO / "tests" / "browser"))
import apps  # noqa: E402  pylint: disable=wrong-import-position
import chromium  # noqa: E402  pylint: disable=wrong-import-position
import report_cases as C  # noqa: E402  pylint: disable=wrong-import-position

OUTPUT = REPO / "tests" / "output"
AS_OF = "2026-06-20"


def trial_records(app, end):
    recs = C.lifecycle(app=app)[:3]
    recs.append(dict(application=app, kind="note", stage="trial", party="customer", actor="ops@example",
                     summary="试运行开始", details={"event": "trial_start", "start_date": "2026-05-01", "end_date": end}))
    return recs


@pytest.fixture(scope="module")
def portfolio(tmp_path_factory):
    base = tmp_path_factory.mktemp("portfolio")
    os.environ["GOVCLOUD_EVIDENCE_KEY"] = str(base / "key.pem")
    os.environ["GOVCLOUD_WITNESS_DIR"] = str(base / "witness")
    os.environ["GOVCLOUD_WITNESS_KEY"] = str(base / "witness.pem")
    inv = base / "inventories"
    inv.mkdir()
    ledgers = {
        "pf-calm": C.lifecycle(app="pf-calm", filing_date="2026-05-20"),
        "pf-filing-overdue": C.lifecycle(app="pf-filing-overdue", filing_date=None),
        "pf-trial-ends": trial_records("pf-trial-ends", "2026-06-23"),
        "pf-level2": C.lifecycle(app="pf-level2", level=2, filing_date="2026-05-20"),
        "pf-approved": C.lifecycle(app="pf-approved")[:2],
    }
    for n, (app, recs) in enumerate(sorted(ledgers.items())):
        apps.make_inventory(inv, app, 240 + n,
                            mutate=(lambda a: a["mlps"].update(level=2)) if app == "pf-level2" else None)
        C.build_ledger(base / "evidence" / app, recs)
    out = base / "out"
    proc = subprocess.run(apps.GOVCLOUD + ["portfolio", "--inventories", str(inv), "--evidence-root",
                                           str(base / "evidence"), "--runs-dir", str(base / "runs"), "--out", str(out),
                                           "--as-of", AS_OF], cwd=str(REPO), env=apps.env(base), capture_output=True,
                          text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return base, inv, out


@pytest.fixture(scope="module")
def browser_context(tmp_path_factory):
    yield from chromium.persistent_context(tmp_path_factory, width=1400)


def test_json_overdue_first(portfolio):
    _base, _inv, out = portfolio
    doc = json.loads((out / "portfolio.json").read_text(encoding="utf-8"))
    rows = doc["applications"]
    assert [r["app"] for r in rows[:2]] == ["pf-filing-overdue", "pf-trial-ends"]
    first = rows[0]["next_deadline"]
    assert first == {"id": "filing_deadline", "date": "2026-06-09", "status": "overdue"}
    assert rows[1]["next_deadline"] == {"id": "trial_end", "date": "2026-06-23", "status": "due_soon"}
    assert rows[1]["phase"] == "trial" and rows[0]["phase"] == "formal_operation"
    assert doc["counts"] == {"applications": 5, "overdue": 1, "due_soon": 1}
    assert all(r["verification"]["ok"] for r in rows)
    level2 = next(r for r in rows if r["app"] == "pf-level2")
    assert level2["level"] == 2 and not [d for d in level2["deadlines"] if d["id"] == "mlps_assessment_interval"]


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_portfolio_in_chromium(portfolio, browser_context, lang):
    _base, _inv, out = portfolio
    page_file = out / ("portfolio.%s.html" % lang)
    page = browser_context.new_page()
    errors, requests = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(page_file.as_uri())
    page.wait_for_load_state("load")
    assert errors == []
    assert requests == [page_file.as_uri()]
    order = page.eval_on_selector_all("#portfolio tr.app", "rows => rows.map(r => r.dataset.app)")
    assert order[:2] == ["pf-filing-overdue", "pf-trial-ends"] and len(order) == 5
    first = page.inner_text("#portfolio tr.app >> nth=0")
    second = page.inner_text("#portfolio tr.app >> nth=1")
    if lang == "zh-CN":
        assert "已逾期" in first and "备案期限" in first and "2026-06-09" in first
        assert "即将到期" in second and "试运行结束" in second and "2026-06-23" in second
    else:
        assert "overdue" in first and "Filing due" in first
        assert "due soon" in second and "End of trial run" in second
    # charts: inline SVG, one bar per phase present (formal operation, trial, approved), 13 weeks + overdue
    bars = page.eval_on_selector_all("figure svg", "svgs => svgs.map(s => s.querySelectorAll('rect').length)")
    assert bars[0] == 3 and bars[1] == 14, bars
    assert page.inner_text("#count-overdue") == "1" and page.inner_text("#count-due-soon") == "1"
    # filters
    page.select_option("#filter-phase", "trial")
    visible = page.eval_on_selector_all("#portfolio tr.app", "rows => rows.filter(r => r.offsetParent !== null)"
                                        ".map(r => r.dataset.app)")
    assert visible == ["pf-trial-ends"] and page.inner_text("#shown") == "1"
    page.select_option("#filter-phase", "")
    page.select_option("#filter-level", "2")
    visible = page.eval_on_selector_all("#portfolio tr.app", "rows => rows.filter(r => r.offsetParent !== null)"
                                        ".map(r => r.dataset.app)")
    assert visible == ["pf-level2"]
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page.select_option("#filter-level", "")
    page.screenshot(path=str(OUTPUT / ("portfolio-%s.png" % lang)), full_page=True)
    page.close()


def test_portfolio_filters_on_the_command_line(portfolio):
    base, inv, _out = portfolio
    out = base / "filtered"
    proc = subprocess.run(apps.GOVCLOUD + ["portfolio", "--inventories", str(inv), "--evidence-root",
                                           str(base / "evidence"), "--runs-dir", str(base / "runs"), "--out", str(out),
                                           "--as-of", AS_OF, "--stage", "formal_operation", "--level", "3"],
                          cwd=str(REPO), env=apps.env(base), capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads((out / "portfolio.json").read_text(encoding="utf-8"))
    assert sorted(r["app"] for r in doc["applications"]) == ["pf-calm", "pf-filing-overdue"]
