# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this plugin_util is **PRIVATE** to the collection: it can change at any time.

"""Security assessment (安全测评) logic of the security_assessment role: what a server may expose according to
the manifest, what it actually listens on (ss), what the control node reaches, which packages have pending
security updates, and the findings and overall result.  Pure functions on plain data; docs/assessment.md."""

from __future__ import annotations

import ipaddress
import re

# Controls the findings count under (data/catalog/mlps_controls.yml).
CLAUSE_LISTEN = "8.1.4.4.b-02"     # only declared ports listen
CLAUSE_REACH = "8.1.4.4.b-03"      # undeclared inbound traffic is dropped
CLAUSE_UPDATES = "8.1.4.4.e-01"    # known vulnerabilities patched

CATEGORIES = ("undeclared_listener", "undeclared_reachable", "security_updates", "hardening_gap",
              "declared_unreachable", "not_scannable")
# Categories that fail the assessment unless the operator narrows security_assessment_blocking.
DEFAULT_BLOCKING = ("undeclared_listener", "undeclared_reachable", "security_updates", "hardening_gap")

# A bounded list of ports worth knocking on (remote admin, file sharing, databases, caches, web, containers):
# the usual targets of attacks, not a full scan.  docs/assessment.md lists it.
DEFAULT_SCAN_PORTS = (21, 22, 23, 25, 53, 80, 110, 111, 135, 139, 143, 443, 445, 873, 993, 995, 1433, 1521,
                      2049, 2375, 2379, 3306, 3389, 5000, 5432, 5601, 5900, 5984, 6379, 8000, 8080, 8081, 8443,
                      8888, 9000, 9090, 9200, 11211, 27017)


class AssessmentError(Exception):
    """Bad input to the assessment, with a message naming the field."""


def _port(value, where):
    if isinstance(value, bool):
        raise AssessmentError("%s: %r is not a port number" % (where, value))
    try:
        port = int(value)
    except (TypeError, ValueError):
        raise AssessmentError("%s: %r is not a port number" % (where, value))
    if not 1 <= port <= 65535:
        raise AssessmentError("%s: %d is not a port number 1-65535" % (where, port))
    return port


def declared_ports(app, server, allowed=()):
    """Ports ``server`` (a manifest server name) may listen on: its services, flows into its zone, ``allowed``.

    Returns a sorted list of {protocol, port, why}; one entry per (protocol, port), the reasons joined.
    """
    if not isinstance(app, dict):
        raise AssessmentError("manifest: must be the application mapping")
    servers = dict((s.get("name"), s) for s in app.get("servers") or () if isinstance(s, dict))
    if server not in servers:
        raise AssessmentError("server: %r is not a server of the manifest (one of: %s)"
                              % (server, ", ".join(sorted(str(n) for n in servers))))
    zone = servers[server].get("zone")
    found = {}

    def add(protocol, port, why):
        if protocol in ("tcp", "udp") and port is not None:
            found.setdefault((protocol, int(port)), []).append(why)

    for svc in app.get("services") or ():
        targets = svc.get("servers") or [n for n, s in servers.items() if s.get("zone") == svc.get("zone")]
        if server in targets:
            add(svc.get("protocol"), svc.get("port"), "service %s" % svc.get("name"))
    for flow in app.get("flows") or ():
        if flow.get("to") == zone:
            add(flow.get("protocol"), flow.get("port"), "flow %s→%s" % (flow.get("from"), flow.get("to")))
    for i, entry in enumerate(allowed or ()):
        if not isinstance(entry, dict):
            raise AssessmentError("security_assessment_allowed_ports[%d]: must be a mapping with protocol and port" % i)
        protocol = entry.get("protocol", "tcp")
        if protocol not in ("tcp", "udp"):
            raise AssessmentError("security_assessment_allowed_ports[%d].protocol: %r is not tcp or udp" % (i, protocol))
        add(protocol, _port(entry.get("port"), "security_assessment_allowed_ports[%d].port" % i),
            entry.get("why") or "allowed")
    return [{"protocol": p, "port": n, "why": "; ".join(w)} for (p, n), w in sorted(found.items())]


_SS_LINE = re.compile(r"^(?P<proto>tcp|udp)\s+\S+\s+\d+\s+\d+\s+(?P<local>\S+)\s+\S+(?:\s+(?P<proc>.*))?$")
_PROC = re.compile(r'\("(?P<name>[^"]+)"')


def parse_ss(text):
    """Listening sockets from ``ss -H -tuln -p`` (or without -p): [{protocol, address, port, process}]."""
    out = []
    seen = set()
    for line in (text or "").splitlines():
        m = _SS_LINE.match(line.strip())
        if not m:
            continue
        local = m.group("local")
        address, _sep, port = local.rpartition(":")
        if not port.isdigit():
            continue
        address = address.strip("[]").split("%", 1)[0] or "*"
        proc = _PROC.search(m.group("proc") or "")
        key = (m.group("proto"), address, int(port))
        if key in seen:
            continue
        seen.add(key)
        out.append({"protocol": m.group("proto"), "address": address, "port": int(port),
                    "process": proc.group("name") if proc else ""})
    return out


def is_loopback(address):
    if address in ("*", "0.0.0.0", "::"):
        return False
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return address == "localhost"


def _finding(category, result, summary, clause, **details):
    return {"category": category, "result": result, "summary": summary, "clause": clause,
            "details": dict(details, category=category)}


def listener_findings(host, listeners, declared):
    """One finding per non-loopback listener: pass when declared, fail (undeclared_listener) otherwise."""
    allowed = dict(((d["protocol"], d["port"]), d["why"]) for d in declared)
    out = []
    for sock in sorted(listeners, key=lambda s: (s["protocol"], s["port"], s["address"])):
        if is_loopback(sock["address"]):
            continue
        why = allowed.get((sock["protocol"], sock["port"]))
        label = "%s/%d on %s%s" % (sock["protocol"], sock["port"], sock["address"],
                                   " (%s)" % sock["process"] if sock["process"] else "")
        if why:
            out.append(_finding("declared_listener", "pass", "%s: listening %s, declared (%s)" % (host, label, why),
                                CLAUSE_LISTEN, protocol=sock["protocol"], port=sock["port"],
                                address=sock["address"], process=sock["process"], declared=why))
        else:
            out.append(_finding("undeclared_listener", "fail", "%s: listening %s, not declared in the manifest"
                                % (host, label), CLAUSE_LISTEN, protocol=sock["protocol"], port=sock["port"],
                                address=sock["address"], process=sock["process"]))
    return out


def scan_ports(declared, extra=(), scan_ports_list=None):
    """TCP ports to probe from the control node: the bounded list (empty: DEFAULT_SCAN_PORTS), the declared
    ones, ``extra`` (e.g. what ss saw listening)."""
    ports = set(_port(p, "security_assessment_scan_ports") for p in scan_ports_list or DEFAULT_SCAN_PORTS)
    ports.update(d["port"] for d in declared if d["protocol"] == "tcp")
    ports.update(_port(p, "extra port") for p in extra)
    return sorted(ports)


def reach_findings(host, address, probes, declared):
    """Findings of the control node's TCP probes: ``probes`` maps port -> reachable (bool)."""
    allowed = dict((d["port"], d["why"]) for d in declared if d["protocol"] == "tcp")
    out = []
    for port in sorted(int(p) for p in probes):
        reachable = bool(probes[port] if port in probes else probes[str(port)])
        why = allowed.get(port)
        if reachable and not why:
            out.append(_finding("undeclared_reachable", "fail", "%s: tcp/%d reachable from the control node at %s, "
                                "not declared" % (host, port, address), CLAUSE_REACH, port=port, address=address))
        elif reachable:
            out.append(_finding("declared_reachable", "pass", "%s: tcp/%d reachable at %s, declared (%s)"
                                % (host, port, address, why), CLAUSE_REACH, port=port, address=address, declared=why))
        elif why:
            out.append(_finding("declared_unreachable", "info", "%s: tcp/%d declared (%s) but not reachable at %s"
                                % (host, port, why, address), CLAUSE_REACH, port=port, address=address, declared=why))
    closed = sorted(int(p) for p in probes if not probes[p] and int(p) not in allowed)
    out.append(_finding("undeclared_closed", "pass", "%s: %d undeclared tcp port(s) probed at %s were closed"
                        % (host, len(closed), address), CLAUSE_REACH, ports=closed, address=address))
    return out


_APT_INST = re.compile(r"^Inst (?P<pkg>\S+) (?:\[(?P<old>[^\]]+)\] )?\((?P<new>\S+) (?P<origin>[^)]*)\)")


def apt_security_updates(text):
    """Packages with a pending update from a security origin, from ``apt-get -s upgrade`` (simulation)."""
    out = []
    for line in (text or "").splitlines():
        m = _APT_INST.match(line.strip())
        if m and "security" in m.group("origin").lower():
            out.append({"package": m.group("pkg"), "installed": m.group("old") or "", "candidate": m.group("new"),
                        "origin": m.group("origin").split(" [", 1)[0]})
    return out


def update_findings(host, updates, family):
    if family not in ("Debian",):
        return [_finding("security_updates", "gap", "%s: pending security updates not checked on OS family %s "
                         "(see docs/assessment.md for the EL path)" % (host, family), CLAUSE_UPDATES, os_family=family)]
    if updates:
        return [_finding("security_updates", "fail", "%s: %d package(s) with pending security updates: %s"
                         % (host, len(updates), ", ".join(u["package"] for u in updates[:10])
                            + (" …" if len(updates) > 10 else "")), CLAUSE_UPDATES, packages=updates)]
    return [_finding("security_updates", "pass", "%s: no pending security updates" % host, CLAUSE_UPDATES,
                     packages=[])]


def hardening_findings(host, summary):
    """The baseline_hardening audit (audit-only mode) as one finding: its gaps, by control id."""
    gaps = list((summary or {}).get("gap") or [])
    manual = list((summary or {}).get("manual") or [])
    controls = int((summary or {}).get("controls") or 0)
    if gaps:
        return [_finding("hardening_gap", "gap", "%s: baseline audit: %d of %d control(s) with gaps: %s"
                         % (host, len(gaps), controls, ", ".join(gaps[:12]) + (" …" if len(gaps) > 12 else "")),
                         "8.1.4", gaps=gaps, manual=manual, controls=controls)]
    return [_finding("hardening_audit", "pass", "%s: baseline audit: %d control(s), no gaps (%d manual)"
                     % (host, controls, len(manual)), "8.1.4", gaps=[], manual=manual, controls=controls)]


def overall(findings, blocking=DEFAULT_BLOCKING):
    """pass/fail of the whole assessment and the blocking findings (result fail or gap in a blocking category)."""
    unknown = [c for c in blocking if c not in CATEGORIES]
    if unknown:
        raise AssessmentError("security_assessment_blocking: unknown categor%s %s (known: %s)"
                              % ("y" if len(unknown) == 1 else "ies", ", ".join(unknown), ", ".join(CATEGORIES)))
    blockers = [f for f in findings if f["category"] in blocking and f["result"] in ("fail", "gap")]
    counts = {}
    for f in findings:
        counts[f["result"]] = counts.get(f["result"], 0) + 1
    return {"result": "fail" if blockers else "pass", "blocking": [f["summary"] for f in blockers],
            "counts": counts, "categories": sorted(set(f["category"] for f in blockers))}


def records(host, findings, run_id, party="management_unit"):
    """Ledger items (evidence_record ``records``) of one host's findings, stage security_assessment.

    ``run_id`` ties the findings of one assessment run together (and keeps a rerun's identical findings
    from being taken for duplicates: each run is evidence of its own).
    """
    return [{"kind": "control_check", "stage": "security_assessment", "clauses": [f["clause"]],
             "party": party, "targets": [host], "result": f["result"], "summary": f["summary"],
             "details": dict(f["details"], assessment_id=run_id)}
            for f in findings]
