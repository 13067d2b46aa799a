# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this plugin_util is **PRIVATE** to the collection: it can change at any time.

"""The report in OSCAL 1.1.2: the assessment results (a base of _report.Report) and the catalog and
level-2/3 profiles they reference."""

from __future__ import annotations

import json
import uuid

from ansible_collections.govcloud.lifecycle.plugins.plugin_utils._report_model import _TS_RE, iso_z, parse_ts
from ansible_collections.govcloud.lifecycle.plugins.plugin_utils._report_sink import _compact
from ansible_collections.govcloud.lifecycle.plugins.plugin_utils import _findings as F


OSCAL_VERSION = "1.1.2"
# Written beside the assessment results whenever OSCAL is asked for: the catalog of our control ids and the
# level-2 / level-3 profiles the results reference (docs/report.md).
OSCAL_CATALOG_FILES = {
    "catalog": "oscal-catalog.json",
    "profile-2": "oscal-profile-level2.json",
    "profile-3": "oscal-profile-level3.json",
}
# Namespace of every OSCAL uuid: uuid5(this, "<head hash>/<what>") makes two renders of one ledger identical.
UUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:govcloud-lifecycle:report")
PROP_NS = "urn:govcloud-lifecycle:evidence"


class OscalResults:
    """Report._write_oscal() and its parts: one observation per record, one finding per control."""

    def _write_oscal(self, sink, model, agg, head_hash):
        party_uuid = {p: _uuid(head_hash, "party/" + p) for p in model["parties"]}
        terms = model["party_terms"]
        ledger_res = _uuid(head_hash, "resource/ledger")
        v = model["verification"]
        anchor = v.get("anchor") or {}
        include = [{"control-id": r["oscal_id"]} for r in model["clauses"] + model["controls"]
                   if r["status"] != "not_applicable"]
        exclude = [{"control-id": r["oscal_id"]} for r in model["controls"] if r["status"] == "not_applicable"]
        selection = {"description": "Lifecycle clauses (JX-*) of the Jiangxi e-government cloud standard and "
                                    "GB/T 22239-2019 computing-environment controls (gbt22239-*).",
                     "include-controls": include}
        if exclude:
            selection["exclude-controls"] = exclude
        parties = []
        for p in model["parties"]:
            zh, en = terms.get(p, (p, p.replace("_", " ")))
            name = "%s %s" % (zh, en)
            parties.append({"uuid": party_uuid[p], "type": "organization", "name": name,
                            "props": _props(("party-role", p))})
        title = "Evidence assessment results" + (" - %s" % model["application"] if model["application"] else "")
        level = model["level"]
        profile_name = OSCAL_CATALOG_FILES["profile-%d" % (level if level in (2, 3) else 3)]
        refs = {"catalog": _uuid(head_hash, "resource/catalog"), "profile": _uuid(head_hash, "resource/profile")}
        host_uuid = {h["host"]: _uuid(head_hash, "host/" + h["host"]) for h in model["hosts"] if h["host"]}
        inventory = [{"uuid": host_uuid[h], "description": "Host %s (inventory hostname)" % h,
                      "props": _props(("inventory-hostname", h))} for h in sorted(host_uuid)]
        doc = {"assessment-results": {
            "uuid": _uuid(head_hash, "assessment-results"),
            "metadata": {
                "title": title,
                "last-modified": model["as_of"],
                "version": "ledger-seq-%d" % model["head_seq"],
                "oscal-version": OSCAL_VERSION,
                "props": _props(("ledger-head-hash", head_hash), ("ledger-head-seq", model["head_seq"])),
                "links": [{"href": "#" + refs["catalog"], "rel": "reference"},
                          {"href": "#" + refs["profile"], "rel": "reference"}],
                "parties": parties,
            },
            "import-ap": {"href": "#" + ledger_res,
                          "remarks": "No separate assessment plan: the evidence ledger is the plan of record."},
            "results": [{
                "uuid": _uuid(head_hash, "result"),
                "title": title,
                "description": "Status of every lifecycle clause and GB/T 22239-2019 control, derived from the "
                               "newest decisive evidence record (pass/changed = satisfied; fail/gap or no record "
                               "= not satisfied).",
                "start": iso_z(parse_ts(model["first_ts"])),
                "end": iso_z(parse_ts(model["last_ts"])),
                "props": _props(("chain-verified", "true" if v.get("ok") else "false"),
                                ("chain-reason", v.get("reason") or ""),
                                ("ledger-head-hash", head_hash),
                                ("anchor-checked", "true" if anchor.get("checked") else "false"),
                                ("anchor-ok", {True: "true", False: "false"}.get(anchor.get("ok"), "unknown")),
                                ("evidence-key-id", v.get("key_id") or ""),
                                ("pinned-key-id", v.get("pinned_key_id") or ""),
                                ("sealed-seq", str(v.get("sealed_seq") or 0)),
                                ("witness-ok", {True: "true", False: "false"}.get(
                                    (v.get("witness") or {}).get("ok"), "unknown"))),
                "reviewed-controls": {"description": "Controls of the profile %s (catalog %s)." % (
                    profile_name, OSCAL_CATALOG_FILES["catalog"]), "control-selections": [selection]},
                "observations": "@@OBSERVATIONS@@",
                "findings": "@@FINDINGS@@",
            }],
            "back-matter": {"resources": [{
                "uuid": ledger_res,
                "title": "Evidence ledger (SHA-256 hash chain)",
                "description": "Append-only evidence ledger; every observation cites the hash of its record.",
                "props": _props(("ledger-head-hash", head_hash), ("ledger-head-seq", model["head_seq"])),
            }, {
                "uuid": refs["catalog"], "title": "Control catalog (OSCAL)",
                "description": "The catalog the reviewed control ids resolve in.",
                "rlinks": [{"href": OSCAL_CATALOG_FILES["catalog"], "media-type": "application/oscal.catalog+json"}],
            }, {
                "uuid": refs["profile"], "title": "Baseline profile of the application's MLPS level (OSCAL)",
                "rlinks": [{"href": profile_name, "media-type": "application/oscal.profile+json"}],
            }]},
        }}
        result = doc["assessment-results"]["results"][0]
        if inventory:
            result["local-definitions"] = {"inventory-items": inventory}
        for key in ("props",):
            if not result[key]:
                del result[key]
        text = json.dumps(doc, ensure_ascii=False, indent=1)
        head, rest = text.split('"@@OBSERVATIONS@@"')
        middle, tail = rest.split('"@@FINDINGS@@"')
        # One compact object per line keeps 100,000 observations fast to write and still diffable.
        sink.write(head + "[")
        sep = "\n"
        obs_uuid = {}
        for obs in agg.observations:
            obs_uuid[obs[0]] = u = _uuid(head_hash, "observation/%d" % obs[0])
            sink.write(sep + _compact(self._observation(obs, u, party_uuid, host_uuid)))
            sep = ",\n"
        sink.write("\n  ]" + middle + "[")
        sep = "\n"
        for row in model["clauses"]:
            if row["status"] != "not_applicable":
                sink.write(sep + _compact(self._finding(row, head_hash, obs_uuid)))
                sep = ",\n"
        for row in model["controls"]:
            if row["status"] == "not_applicable":
                continue
            for hrow in row["host_rows"]:
                if hrow["state"] != "not_applicable":
                    seqs = [b["seq"] for host, b in agg.book.records.get(row["id"], ())
                            if agg.book.host_key(host) in (hrow["host"], "")]
                    sink.write(sep + _compact(self._host_finding(row, hrow, seqs, head_hash, obs_uuid)))
                    sep = ",\n"
        sink.write("\n  ]" + tail + "\n")

    @staticmethod
    def _observation(obs, obs_uuid, party_uuid, host_uuid):
        # Kept lean: 100,000 of these make up most of the document. Stage and kind are in the title, the
        # clauses a record supports are the findings' related-observations.
        seq, ts, stage, kind, party, actor, result, summary, rhash, artifacts, host, _controls, method = obs
        evidence = [{"description": "Evidence ledger record #%d" % seq,
                     "props": [{"name": "record-hash", "ns": PROP_NS, "value": rhash}]}]
        for a in artifacts:
            if isinstance(a, dict) and a.get("sha256"):
                evidence.append({"description": "Artifact %s" % (a.get("name") or "-"),
                                 "props": [{"name": "artifact-sha256", "ns": PROP_NS, "value": a["sha256"]}]})
        out = {
            "uuid": obs_uuid,
            "title": "#%d %s/%s" % (seq, stage, kind),
            "description": summary or "%s %s" % (stage, kind),
            "props": _props(("result", result), ("actor", actor or "")),
            "methods": [method],
            "collected": ts if _TS_RE.fullmatch(ts or "") else iso_z(parse_ts(ts)),
            "relevant-evidence": evidence,
        }
        if party in party_uuid:
            out["origins"] = [{"actors": [{"type": "party", "actor-uuid": party_uuid[party]}]}]
        if host in host_uuid:
            out["subjects"] = [{"subject-uuid": host_uuid[host], "type": "inventory-item"}]
        return out

    @staticmethod
    def _host_finding(row, hrow, seqs, head_hash, obs_uuid):
        """One finding per control per host: the host's latest result, the records behind it."""
        host = hrow["host"] or "application (system-level)"
        state = "satisfied" if hrow["state"] in ("met", "attested") else "not-satisfied"
        att = hrow["attestation"]
        text = "%s on %s: %s (%s)" % (row["id"], host, hrow["state"], hrow["why"])
        if att and hrow["state"] in ("attested", "gap", "not_applicable"):
            text += "; attested by %s (%s) on %s, ref %s, valid until %s" % (
                att.get("by"), att.get("role"), att.get("date"), att.get("reference"), att.get("valid_until"))
        if hrow["seq"]:
            text += "; decisive record #%d" % hrow["seq"]
        out = {
            "uuid": _uuid(head_hash, "finding/%s/%s" % (row["oscal_id"], hrow["host"])),
            "title": "%s %s — %s" % (row["id"], row["title"], host),
            "description": text,
            "props": _props(("status", hrow["state"]), ("control", row["id"]), ("host", hrow["host"] or "-"),
                            ("control-status", row["status"])),
            "target": {"type": "objective-id", "target-id": row["oscal_id"], "status": {"state": state}},
        }
        if seqs:
            out["related-observations"] = [{"observation-uuid": obs_uuid[s]} for s in sorted(set(seqs))]
        return out

    @staticmethod
    def _finding(row, head_hash, obs_uuid):
        state = "satisfied" if row["status"] == "met" else "not-satisfied"
        name = "%s %s (%s)" % (row["id"], row.get("zh") or row.get("clause_zh", ""), row.get("en") or
                               row.get("requirement", ""))
        out = {
            "uuid": _uuid(head_hash, "finding/" + row["oscal_id"]),
            "title": " ".join(name.split()),
            "description": "Status %s (%s) from %d evidence record(s)." % (row["status"], row["why"], row["count"]),
            "props": _props(("status", row["status"]), ("control", row["id"])),
            "target": {"type": "objective-id", "target-id": row["oscal_id"],
                       "status": {"state": state}},
        }
        if row["seqs"]:
            out["related-observations"] = [{"observation-uuid": obs_uuid[s]} for s in row["seqs"]]
        return out


def _uuid(head_hash, what):
    return str(uuid.uuid5(UUID_NAMESPACE, "%s/%s" % (head_hash, what)))


def oscal_control_id(kind, cid):
    # OSCAL tokens must start with a letter: GB/T ids get a prefix, JX ids are lower-cased.
    return ("gbt22239-" + cid) if kind == "mlps" else cid.lower()


def _prop(name, value):
    value = " ".join(str(value).split())
    return {"name": name, "ns": PROP_NS, "value": value} if value else None


def _props(*pairs):
    return [p for p in (_prop(n, v) for n, v in pairs) if p]


def _catalog_uuid(catalog, what):
    cat = catalog["mlps"].get("catalog") or {}
    return str(uuid.uuid5(UUID_NAMESPACE, "catalog/%s/%s/%s" % (cat.get("version"), cat.get("last_modified"), what)))


def oscal_catalog_documents(catalog):
    """OSCAL 1.1.2 catalog of the GB/T 22239 controls and the JX lifecycle clauses, with level-2/3 profiles.

    Ids, titles and requirement wording are this collection's own paraphrase (data/catalog), never the
    standard's text.
    """
    mlps, life = catalog["mlps"], catalog["lifecycle"]
    head = mlps.get("catalog") or {}
    modified = iso_z(parse_ts(head.get("last_modified") or "2026-01-01T00:00:00Z"))
    version = str(head.get("version") or "1")
    sev = {}
    for level, ids in (mlps.get("severity") or {}).items():
        for cid in ids or ():
            sev[cid] = level
    remarks = ("Control ids, titles and requirement statements are govcloud.lifecycle's own paraphrase for "
               "assessing a Linux guest; they are not the text of GB/T 22239-2019 or of the Jiangxi standard.")
    groups = []
    for clause in mlps["clauses"]:
        controls = []
        for c in mlps["controls"]:
            if c["clause"] != clause["id"]:
                continue
            cid = oscal_control_id("mlps", c["id"])
            controls.append({
                "id": cid, "class": "mlps-control", "title": c["title"],
                "props": [{"name": "label", "value": c["id"]}] + _props(
                    ("levels", " ".join("L%d" % lv for lv in c["levels"])), ("level-2-id", c.get("l2_id") or ""),
                    ("assessment", "manual" if c.get("manual") else "automated"),
                    ("severity", sev.get(c["id"], F.DEFAULT_SEVERITY))),
                "parts": [{"id": cid + "_smt", "name": "statement", "prose": c["requirement"]}],
            })
        groups.append({"id": oscal_control_id("mlps", clause["id"]), "class": "clause",
                       "title": "%s %s %s" % (clause["id"], clause["zh"], clause["en"]), "controls": controls})
    groups.append({"id": "jx", "class": "lifecycle", "title": "电子政务云平台应用系统上线规范 lifecycle clauses (JX ids)",
                   "controls": [{"id": oscal_control_id("jx", c["id"]), "class": "lifecycle-clause",
                                 "title": "%s %s" % (c["zh"], c["en"]),
                                 "props": [{"name": "label", "value": c["id"]}],
                                 "parts": [{"id": oscal_control_id("jx", c["id"]) + "_smt", "name": "statement",
                                            "prose": "Evidence of the lifecycle step %s (%s) for stages: %s." % (
                                                c["en"], c["zh"], ", ".join(c.get("stages") or []) or
                                                "derived (%s)" % c.get("derived"))}]}
                                for c in life["clauses"]]})
    docs = {"catalog": {"catalog": {
        "uuid": _catalog_uuid(catalog, "catalog"),
        "metadata": {"title": "GB/T 22239-2019 computing-environment controls (Linux guest) and Jiangxi lifecycle "
                              "clauses, as govcloud.lifecycle assesses them",
                     "last-modified": modified, "version": version, "oscal-version": OSCAL_VERSION,
                     "remarks": remarks},
        "groups": groups,
        "back-matter": {"resources": [{"uuid": _catalog_uuid(catalog, "source"),
                                       "title": "GB/T 22239-2019 信息安全技术 网络安全等级保护基本要求",
                                       "description": "The standard these controls are derived from (not "
                                                      "reproduced here)."}]},
    }}}
    for level in (2, 3):
        ids = [oscal_control_id("mlps", c["id"]) for c in mlps["controls"] if level in c["levels"]]
        ids += [oscal_control_id("jx", c["id"]) for c in life["clauses"]]
        docs["profile-%d" % level] = {"profile": {
            "uuid": _catalog_uuid(catalog, "profile-%d" % level),
            "metadata": {"title": "MLPS level %d (等保%s级) baseline of govcloud.lifecycle" % (level, "二三"[level - 2]),
                         "last-modified": modified, "version": version, "oscal-version": OSCAL_VERSION,
                         "remarks": "%d GB/T 22239 controls required at level %d, and the lifecycle clauses. %s"
                                    % (len(ids) - len(life["clauses"]), level, remarks)},
            "imports": [{"href": OSCAL_CATALOG_FILES["catalog"], "include-controls": [{"with-ids": ids}]}],
            "merge": {"as-is": True},
        }}
    return docs
