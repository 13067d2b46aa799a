# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this plugin_util is **PRIVATE** to the collection: it can change at any time.

"""Data clearing of a decommission (数据清除): which path clears each volume (in the guest, crypto erase, provider),
the wipe records, and the certificate of sanitization (清除证明) over them.  Pure logic, through the
decommission_* filters (re-exported by _decommission.py)."""

from __future__ import annotations

from ansible_collections.govcloud.lifecycle.plugins.plugin_utils._decommission_inventory import DecommissionError


# ------------------------------------------------------------------------------------------------ wiping
# NIST SP 800-88 Rev. 1 methods; who clears what (GB/T 31167 duty split).
PATHS = {
    "in_guest": {"method": "Clear", "duty": "customer"},
    "crypto_erase": {"method": "Purge", "duty": "cloud_service_provider"},
    "provider_clear": {"method": "Clear", "duty": "cloud_service_provider"},
}


def _guest_for(volume, guests, servers):
    """The guest entry through which volume is reachable, its server and the device it has there: the device
    the mapping names for the volume, else the attachment's device on the mapped server."""
    attached = {a.get("server_id"): a.get("device") for a in volume.get("attachments") or []}
    for guest in guests:
        server = next((s for s in servers if guest.get("server") in (s["id"], s.get("name"))), None)
        if server is None:
            continue
        devices = guest.get("devices") or {}
        device = devices.get(volume["id"]) or devices.get(volume.get("name")) or attached.get(server["id"])
        if device:
            return guest, server, device
    return None, None, None


def wipe_plan(inventory, guests=None, reachable_hosts=(), done_targets=()):
    """One entry per medium (volume, snapshot, backup, image) with its sanitization path.

    guests: [{server: name|id, host: inventory host, devices: {volume name|id: device in the guest}}];
    reachable_hosts: inventory hosts the play can run block_wipe on; done_targets: media already certified
    (a rerun neither wipes them again nor records them twice)."""
    res = (inventory or {}).get("resources") or {}
    servers = res.get("servers") or []
    reachable = set(reachable_hosts or ())
    done = set(done_targets or ())
    plan = []
    for guest in guests or []:
        if not isinstance(guest, dict) or not guest.get("server") or not guest.get("host"):
            raise DecommissionError("secure_decommission_guests: each entry needs server and host (got %r)" % (guest,))
    for vol in res.get("volumes") or []:
        target = "volume:%s" % vol["id"]
        if target in done:
            continue
        entry = {"target": target, "medium": "volume", "id": vol["id"], "name": vol.get("name"),
                 "size_gb": vol.get("size"), "volume_type": vol.get("volume_type")}
        guest, server, device = _guest_for(vol, guests or [], servers)
        if vol.get("encrypted"):
            entry.update(path="crypto_erase")
        elif guest is not None and guest["host"] in reachable:
            entry.update(path="in_guest", host=guest["host"], device=device, server=server["id"],
                         server_name=server.get("name"))
        else:
            entry.update(path="provider_clear", reason=(
                "no reachable guest: %s" % ("host %s is not in the inventory" % guest["host"] if guest
                                            else "no guest mapped to a server holding it")))
        plan.append(entry)
    for key, medium in (("snapshots", "snapshot"), ("backups", "backup"), ("images", "image")):
        for item in res.get(key) or []:
            target = "%s:%s" % (medium, item["id"])
            if target not in done:
                plan.append({"target": target, "medium": medium, "id": item["id"], "name": item.get("name"),
                             "size_gb": item.get("size"), "path": "provider_clear",
                             "reason": "%s %s is not addressable from a guest" % (
                                 "an" if medium[0] in "aeiou" else "a", medium)})
    for entry in plan:
        entry.update(PATHS[entry["path"]])
    return plan


def _media_text(entry):
    size = " %s GB" % entry["size_gb"] if entry.get("size_gb") is not None else ""
    return "%s %s (%s)%s" % (entry["medium"], entry.get("name"), entry["id"], size)


def wipe_records(plan, results=None, validator=None, date=None, clauses=("8.1.4.8",), operator=None):
    """evidence_record `records:` items, one `wipe` record per medium, with the NIST SP 800-88 Rev. 1
    certificate fields and the duty split. results: block_wipe results keyed by target (in-guest path)."""
    results = results or {}
    records = []
    for entry in plan:
        duty = {"clear": entry["duty"], "validate": "customer" if entry["duty"] == "cloud_service_provider"
                else "cloud_service_provider"}
        details = {"media": _media_text(entry), "method": entry["method"], "path": entry["path"], "duty": duty,
                   "validator": validator or "", "date": date}
        if entry["path"] == "in_guest":
            wipe = results.get(entry["target"])
            if not wipe or wipe.get("failed"):
                details.update(tool="govcloud.lifecycle.block_wipe", verification="wipe did not complete: %s" % (
                    (wipe or {}).get("msg") or "no result"), verification_result="fail")
                result = "fail"
            else:
                cert = dict(wipe.get("certificate") or {})
                cert.pop("date", None)
                details.update(cert)
                details["media"] = "%s in guest %s as %s: %s" % (
                    _media_text(entry), entry["host"], entry["device"], cert.get("media", ""))
                details["verification_result"] = (wipe.get("verification") or {}).get("result", "pass")
                if wipe.get("skipped"):
                    details["verification"] = "found all zeros on re-read (full read-back, cleared earlier)"
                result = "pass" if details["verification_result"] == "pass" else "fail"
            summary = "Clear of %s inside guest %s: %s" % (entry["name"], entry["host"], result)
        elif entry["path"] == "crypto_erase":
            details.update(technique="cryptographic erase: the volume's encryption key is deleted with the volume",
                           tool="OpenStack Cinder with the key manager", tool_version="cloud",
                           verification="volume and its key absent in the leftover scan (provider confirms the key "
                                        "deletion)", verification_result="pending")
            result = "info"
            summary = "Purge (crypto erase) of %s: key deleted with the volume by the provider" % entry["name"]
        else:
            details.update(technique="provider-side clear of the storage back end", tool="cloud storage back end",
                           tool_version="provider", reason=entry.get("reason"),
                           verification="required of the cloud service provider; not verifiable from the tenant",
                           verification_result="outstanding")
            result = "gap"
            summary = "Provider-side clear required for %s (%s)" % (_media_text(entry), entry.get("reason"))
        targets = [entry["target"]] + (["%s:%s" % (entry["host"], entry["device"])] if entry.get("host") else [])
        record = {"kind": "wipe", "stage": "sanitization", "clauses": list(clauses), "party": entry["duty"],
                  "targets": targets, "result": result, "summary": summary, "details": details}
        if operator:
            record["actor"] = operator
        records.append(record)
    return records


# ------------------------------------------------------------------------------- certificate of sanitization
CERTIFICATE = "certificate_of_sanitization"


def certificate(application_id, wipes, scan, operator=None, validator=None, date=None):
    """Details and result of the certificate of sanitization (清除证明): every medium's latest wipe record with
    the NIST SP 800-88 Rev. 1 fields and duty split, plus the leftover scan."""
    latest = {}
    for rec in wipes:
        for target in rec.get("targets") or []:
            if ":" in target and target.split(":", 1)[0] in ("volume", "snapshot", "backup", "image"):
                latest[target] = rec
                break
    items = []
    for target in sorted(latest):
        rec = latest[target]
        det = rec.get("details") or {}
        items.append({"target": target, "media": det.get("media"), "method": det.get("method"),
                      "technique": det.get("technique"), "tool": det.get("tool"),
                      "tool_version": det.get("tool_version"), "verification": det.get("verification"),
                      "verification_result": det.get("verification_result"), "operator": rec.get("actor"),
                      "validator": det.get("validator"), "date": det.get("date") or str(rec.get("ts", ""))[:10],
                      "duty": det.get("duty"), "result": rec.get("result"), "seq": rec.get("seq")})
    failed = [i["target"] for i in items if i["result"] == "fail"]
    outstanding = [i["target"] for i in items if i["result"] not in ("pass", "fail")]
    if failed or (scan or {}).get("total", 1) != 0:
        result = "fail"
    elif outstanding:
        result = "gap"
    else:
        result = "pass"
    details = {"document": CERTIFICATE, "standard": "NIST SP 800-88 Rev. 1 certificate fields (Rev. 2 framing)",
               "application": application_id, "items": items, "media_count": len(items),
               "failed": failed, "outstanding_provider": outstanding,
               "leftover_scan": {"total": (scan or {}).get("total"), "counts": (scan or {}).get("counts")},
               "operator": operator, "validator": validator, "date": date}
    return {"details": details, "result": result}
