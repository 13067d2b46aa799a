# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Application inventories generated from the example (own id, own CIDRs) for the front end's tests and benchmarks."""

from __future__ import annotations

import collections
import os
import pathlib
import shutil
import sys

import yaml

REPO = pathlib.Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "inventories" / "example"
GOVCLOUD = [sys.executable, "-m", "govcloud_frontend"]


def make_inventory(base, app_id, octet, mutate=None):
    """inventories/<app_id>/ under BASE: the example's hosts and cloud vars, its manifest with id APP_ID and zones
    10.<octet>.x.0/24.  MUTATE(manifest) may change the manifest (a bad one for a test)."""
    inv = pathlib.Path(base) / app_id
    shutil.copytree(EXAMPLE, inv)
    path = inv / "group_vars" / "all" / "application.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    app = data["application"]
    app["id"] = app_id
    for zone in app["zones"]:
        zone["cidr"] = zone["cidr"].replace("10.36.", "10.%d." % octet)
    if mutate:
        mutate(app)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return inv


def env(tmp, **extra):
    """The environment a stage run needs, with the front end importable from the checkout."""
    out = dict(os.environ, ANSIBLE_CONFIG=str(REPO / "ansible.cfg"), ANSIBLE_NOCOLOR="1",
               GOVCLOUD_EVIDENCE_KEY=str(pathlib.Path(tmp) / "signing.pem"),
               GOVCLOUD_WITNESS_DIR=str(pathlib.Path(tmp) / "witness"),
               GOVCLOUD_WITNESS_KEY=str(pathlib.Path(tmp) / "witness.pem"),
               GOVCLOUD_HANDOVER_VAULT_PASSWORD="frontend-handover-secret", OS_CLOUD="devcloud-admin",
               PYTHONPATH=os.pathsep.join([str(REPO / "frontend" / "src")]
                                          + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
    out.pop("GOVCLOUD_EVIDENCE_DIR", None)
    cache = os.environ.get("GOVCLOUD_CACHE") or os.path.join(os.environ.get("XDG_CACHE_HOME")
                                                             or os.path.expanduser("~/.cache"), "govcloud-lifecycle")
    out.setdefault("OS_CLIENT_CONFIG_FILE", os.path.join(os.environ.get("DEVCLOUD_HOME") or os.path.join(cache, "devcloud"),
                                                         "clouds.yaml"))
    out.update(extra)
    return out


def adopt_run_keys(monkeypatch, tmp):
    """This process verifies the ledgers with the key and witness that runs under env(tmp) use."""
    for name, value in env(tmp).items():
        if name.startswith(("GOVCLOUD_EVIDENCE_KEY", "GOVCLOUD_WITNESS")):
            monkeypatch.setenv(name, value)


APPROVE = ["-e", "govcloud_approval_approver=云平台管理处", "-e", "govcloud_approval_decision=approved",
           "-e", "govcloud_approval_reference=赣信云审〔2026〕901号"]


def ledger_rows(directory):
    """(records, verification) of the application ledger in DIRECTORY."""
    from ansible_collections.govcloud.lifecycle.plugins.plugin_utils import evidence as ev

    ledger = ev.Ledger(str(directory), create=False)
    try:
        return list(ledger.records()), ledger.verify()
    finally:
        ledger.close()


def shape(records):
    """What two runs of the same stages must record alike: (stage, kind, clauses, result) and how often."""
    return collections.Counter((r["stage"], r["kind"], tuple(sorted(r["clauses"])), r["result"]) for r in records)
