# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The certificate of sanitization section of the auditor report, from a certificate built by
plugin_utils/_decommission.py."""
from __future__ import annotations

import pytest

import report_cases as C

from ansible_collections.govcloud.lifecycle.plugins.plugin_utils import _decommission as d
from ansible_collections.govcloud.lifecycle.plugins.plugin_utils.evidence import Ledger


@pytest.fixture(autouse=True)
def _no_default_key(tmp_path, monkeypatch):
    monkeypatch.setenv("GOVCLOUD_EVIDENCE_KEY", str(tmp_path / "absent-key.pem"))
    monkeypatch.delenv("GOVCLOUD_EVIDENCE_DIR", raising=False)


def test_certificate_section_lists_each_medium_with_nist_fields(tmp_path):
    led = tmp_path / "ledger"
    plan = [{"target": "volume:v1", "medium": "volume", "id": "v1", "name": "data", "size_gb": 1, "path": "in_guest",
             "host": "guest1", "device": "/dev/spare", "method": "Clear", "duty": "customer"},
            {"target": "snapshot:s1", "medium": "snapshot", "id": "s1", "name": "snap", "path": "provider_clear",
             "method": "Clear", "duty": "cloud_service_provider", "reason": "not addressable"}]
    wipe = {"certificate": {"media": "/dev/spare (loop0)", "method": "Clear", "tool": "govcloud.lifecycle.block_wipe",
                            "tool_version": "1.0.0", "verification": "full read-back: pass"},
            "verification": {"result": "pass"}}
    with Ledger(led) as ledger:
        wipes = [ledger.append(application="dc-app", **r) for r in d.wipe_records(
            plan, {"volume:v1": wipe}, "auditor-zhou", "2026-11-26", operator="ops-li")]
        cert = d.certificate("dc-app", wipes, {"total": 0, "counts": {}}, "ops-li", "auditor-zhou", "2026-11-26")
        ledger.append(application="dc-app", kind="stage_result", stage="sanitization", result=cert["result"],
                      details=cert["details"])
    for lang, heading, duty in (("zh-CN", "数据清除证明", "云服务客户"), ("en", "Certificate of sanitization", None)):
        out = tmp_path / lang
        C.render(led, out, language=lang)
        html = (out / "evidence-report.html").read_text(encoding="utf-8")
        section = html[html.index('<section id="sanitization">'):]
        section = section[:section.index("</section>")]
        assert heading in section and "block_wipe 1.0.0" in section and "auditor-zhou" in section
        assert "ops-li" in section and "full read-back: pass" in section and "snapshot snap (s1)" in section
        if duty:
            assert duty in section and "云服务方" in section


def test_section_says_when_there_is_no_certificate(tmp_path):
    C.build_ledger(tmp_path / "ledger")
    C.render(tmp_path / "ledger", tmp_path / "out", language="en")
    html = (tmp_path / "out" / "evidence-report.html").read_text(encoding="utf-8")
    assert "No certificate of sanitization in the ledger." in html
