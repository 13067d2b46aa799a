# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

import pytest

from ansible_collections.govcloud.lifecycle.plugins.module_utils import _promotion


def server(sid, app="app", **meta):
    return {"id": sid, "name": "srv-" + sid, "metadata": dict(meta, govcloud_app=app) if app else meta}


def request(**changes):
    base = {
        "application_id": "app", "project": "app", "project_id": "p1", "today": "2026-12-01",
        "servers": [server("s2", govcloud_trial_start="2026-10-01", govcloud_trial_end="2026-11-30"),
                    server("s1", govcloud_trial_start="2026-10-01", govcloud_trial_end="2026-11-30"),
                    server("s3", app="other")],
        "volumes": [{"id": "v1", "name": "srv-s1-data", "project_id": "p1", "metadata": {"govcloud_app": "app", "k": "v"}},
                    {"id": "v2", "name": "elsewhere", "project_id": "p2", "metadata": {"govcloud_app": "app"}}],
        "exposure_groups": [{"id": "g-exp"}],
        "ports": [{"id": "port1", "device_owner": "compute:nova", "security_group_ids": ["g-zone", "g-exp"]},
                  {"id": "port2", "device_owner": "compute:nova", "security_group_ids": ["g-zone"]}],
        "services": [{"name": "web"}, {"name": "api"}], "quotas": {"instances": 4, "ram_mb": 4096},
    }
    base.update(changes)
    return base


def test_plan_selects_the_application_and_says_what_each_resource_becomes():
    plan = _promotion.plan(request())
    assert [s["id"] for s in plan["servers"]] == ["s1", "s2"]
    assert plan["servers"][0]["metadata"] == {"govcloud_phase": "formal", "govcloud_formal_start": "2026-12-01"}
    # volumes: the whole metadata (the generic resource module replaces it), of this project only
    assert plan["volumes"] == [{"id": "v1", "name": "srv-s1-data", "metadata": {
        "govcloud_app": "app", "k": "v", "govcloud_phase": "formal", "govcloud_formal_start": "2026-12-01"}}]
    assert plan["ports"] == [{"id": "port1", "label": "port1 (compute:nova)", "security_group_ids": ["g-zone"]}]
    assert plan["exposure_group"] == "app-trial-exposure" and plan["exposure_group_ids"] == ["g-exp"]
    record = plan["record"]
    assert record["targets"] == ["s1", "s2", "v1"]
    assert record["summary"] == ("正式运行 formal operation since 2026-12-01: 2 server(s), 1 volume(s) govcloud_phase=formal, "
                                 "2 service(s) opened to their declared sources, trial exposure group "
                                 "app-trial-exposure removed, formal quotas set")
    assert record["details"] == {"date": "2026-12-01", "servers": ["srv-s1", "srv-s2"], "volumes": ["srv-s1-data"],
                                 "exposure_group_removed": "app-trial-exposure", "services_opened": ["api", "web"],
                                 "quotas": {"instances": 4, "ram_mb": 4096}, "trial_start": "2026-10-01",
                                 "trial_end": "2026-11-30"}


def test_a_rerun_keeps_the_formal_start_and_records_the_same():
    first = _promotion.plan(request())
    promoted = request(today="2026-12-09", servers=[dict(s, metadata=dict(server(s["id"])["metadata"], **s["metadata"]))
                                                    for s in first["servers"]], ports=[], exposure_groups=[])
    again = _promotion.plan(promoted)
    assert [s["metadata"] for s in again["servers"]] == [s["metadata"] for s in first["servers"]]
    assert again["ports"] == [] and again["exposure_group_ids"] == []
    assert again["record"]["details"]["date"] == "2026-12-01" and again["record"]["targets"][:2] == ["s1", "s2"]


def test_a_request_without_a_field_names_it():
    req = request()
    del req["ports"]
    with pytest.raises(_promotion.PromotionError, match="ports missing from the request"):
        _promotion.plan(req)
