# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""系统正式运行 (the promotion from the trial run to formal operation) as data.

The role ``promotion`` lists the project's servers, volumes, ports and the trial exposure group; ``plan()``
selects what belongs to the application and says what each becomes (metadata ``govcloud_phase=formal`` with
the formal start kept from an earlier run, the ports without the exposure group) and the record of the
promotion.  A rerun on promoted resources plans the same metadata and no port, so nothing changes.
"""

from __future__ import annotations

from ansible_collections.govcloud.lifecycle.plugins.module_utils import _trial


class PromotionError(Exception):
    """The request cannot be planned; the message names the field and the reason."""


REQUEST_KEYS = ("application_id", "project", "project_id", "today", "servers", "volumes", "exposure_groups", "ports")


def _formal(metadata, today):
    return dict(metadata, govcloud_phase="formal", govcloud_formal_start=metadata.get("govcloud_formal_start", today))


def plan(request):
    """One request dict (REQUEST_KEYS, plus optional ``services`` and ``quotas`` of the manifest) -> the plan.

    Returns ``{"servers": [{id, name, metadata}], "volumes": [...], "ports": [{id, label, security_group_ids}],
    "exposure_group": name, "exposure_group_ids": [...], "record": {targets, summary, details}}``; servers and
    volumes sorted by id, the metadata the whole set the resource should carry.
    """
    missing = [k for k in REQUEST_KEYS if k not in request]
    if missing:
        raise PromotionError("promotion plan: %s missing from the request" % ", ".join(missing))
    app, today = request["application_id"], request["today"]

    def own(items):
        return sorted((i for i in items if (i.get("metadata") or {}).get("govcloud_app") == app), key=lambda i: i["id"])

    servers = own(request["servers"])
    volumes = own(v for v in request["volumes"] if v.get("project_id") == request["project_id"])
    group_ids = [g["id"] for g in request["exposure_groups"]]
    ports = [{"id": p["id"], "label": "%s (%s)" % (p["id"], p.get("device_owner")),
              "security_group_ids": [g for g in p.get("security_group_ids") or [] if g not in group_ids]}
             for p in request["ports"] if set(p.get("security_group_ids") or []) & set(group_ids)]
    start = min([s["metadata"].get("govcloud_formal_start", today) for s in servers] or [today])
    services = sorted(s["name"] for s in request.get("services") or [])
    group = _trial.exposure_group(app)
    first = servers[0]["metadata"] if servers else {}
    return {
        "servers": [{"id": s["id"], "name": s["name"], "metadata": {
            "govcloud_phase": "formal", "govcloud_formal_start": s["metadata"].get("govcloud_formal_start", today)}}
            for s in servers],
        "volumes": [{"id": v["id"], "name": v["name"], "metadata": _formal(v["metadata"], today)} for v in volumes],
        "ports": ports,
        "exposure_group": group,
        "exposure_group_ids": group_ids,
        # Details are the same on a rerun (start date from the metadata, sorted ids), so `once` appends nothing.
        "record": {
            "targets": [s["id"] for s in servers] + [v["id"] for v in volumes],
            "summary": "正式运行 formal operation since %s: %d server(s), %d volume(s) govcloud_phase=formal, %d "
                       "service(s) opened to their declared sources, trial exposure group %s removed, formal quotas "
                       "set" % (start, len(servers), len(volumes), len(services), group),
            "details": {
                "date": start,
                "servers": sorted(s["name"] for s in servers),
                "volumes": sorted(v["name"] for v in volumes),
                "exposure_group_removed": group,
                "services_opened": services,
                "quotas": request.get("quotas") or {},
                "trial_start": first.get("govcloud_trial_start", ""),
                "trial_end": first.get("govcloud_trial_end", ""),
            },
        },
    }
