# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The project the front end drives: a checkout of the collection with playbooks/, inventories/<app>/, evidence/.

Every path and name the commands accept is resolved here, before anything starts, so that bad input is refused
with the field and the reason and nothing is written.
"""

from __future__ import annotations

import importlib
import os
import sys

import yaml

# libyaml's loader when PyYAML has it: a portfolio reads every application's manifest
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Playbooks that are building blocks, not stages an operator runs on their own.
NOT_STAGES = ("manifest",)


class UsageError(Exception):
    """Bad input: the message names the field and the reason; nothing was started or written."""


def find_root(start=None):
    """The project root: --project, else $GOVCLOUD_PROJECT, else the first parent of the cwd with playbooks/ and
    galaxy.yml (a checkout of the collection)."""
    path = os.path.abspath(start or os.getcwd())
    probe = path
    while True:
        if os.path.isdir(os.path.join(probe, "playbooks")) and os.path.isfile(os.path.join(probe, "galaxy.yml")):
            return probe
        parent = os.path.dirname(probe)
        if parent == probe:
            raise UsageError("project: %s is not inside a govcloud.lifecycle checkout (no playbooks/ and galaxy.yml "
                             "above it); pass --project DIR or set GOVCLOUD_PROJECT" % path)
        probe = parent


class Project:
    def __init__(self, root=None, evidence_root=None, runs_root=None, inventories=None):
        given = root or os.environ.get("GOVCLOUD_PROJECT")
        if given and not (os.path.isdir(os.path.join(given, "playbooks"))
                          and os.path.isfile(os.path.join(given, "galaxy.yml"))):
            raise UsageError("project: %s is not a govcloud.lifecycle checkout (needs playbooks/ and galaxy.yml)"
                             % given)
        self.root = os.path.abspath(given) if given else find_root()
        self.playbooks = os.path.join(self.root, "playbooks")
        self.inventories = os.path.abspath(inventories or os.environ.get("GOVCLOUD_INVENTORIES")
                                           or os.path.join(self.root, "inventories"))
        if not os.path.isdir(self.inventories):
            raise UsageError("inventories: %s is not a directory" % self.inventories)
        self.evidence_root = os.path.abspath(evidence_root or os.environ.get("GOVCLOUD_EVIDENCE_ROOT")
                                             or os.path.join(self.root, "evidence"))
        self.runs_root = os.path.abspath(runs_root or os.environ.get("GOVCLOUD_RUNS_DIR")
                                         or os.path.join(self.root, "runs"))
        self._manifests = {}

    # -- stages ---------------------------------------------------------------------------------------
    def stages(self):
        names = []
        for entry in sorted(os.listdir(self.playbooks)):
            stem, ext = os.path.splitext(entry)
            if ext == ".yml" and stem not in NOT_STAGES and os.path.isfile(os.path.join(self.playbooks, entry)):
                names.append(stem)
        return names

    def playbook(self, stage):
        stages = self.stages()
        if stage not in stages:
            raise UsageError("stage: %r is not a stage playbook in %s; use one of: %s"
                             % (stage, self.playbooks, ", ".join(stages)))
        return os.path.join(self.playbooks, stage + ".yml")

    # -- applications ---------------------------------------------------------------------------------
    def inventory_names(self):
        if not os.path.isdir(self.inventories):
            return []
        return sorted(e for e in os.listdir(self.inventories) if os.path.isdir(os.path.join(self.inventories, e)))

    def manifest(self, name):
        """The application manifest of inventory NAME (group_vars/all/application.yml), read as plain YAML: the
        playbooks validate it; here only id, trial and level are used, to name ledgers and deadlines."""
        if name in self._manifests:
            return self._manifests[name]
        path = os.path.join(self.inventories, name, "group_vars", "all", "application.yml")
        try:
            with open(path, encoding="utf-8") as handle:
                data = yaml.load(handle, Loader=_LOADER) or {}
        except OSError as exc:
            raise UsageError("app %s: cannot read its manifest %s: %s" % (name, path, exc.strerror or exc))
        except yaml.YAMLError as exc:
            raise UsageError("app %s: its manifest %s is not YAML: %s" % (name, path, exc))
        app = data.get("application") if isinstance(data, dict) else None
        if not isinstance(app, dict) or not isinstance(app.get("id"), str) or not app["id"]:
            raise UsageError("app %s: %s has no application.id" % (name, path))
        self._manifests[name] = app
        return app

    def resolve_app(self, given):
        """Inventory name for --app GIVEN: an inventory directory of that name, else the inventory whose manifest
        has that application id."""
        names = self.inventory_names()
        if given in names:
            inv = given
        else:
            inv = None
            for name in names:
                try:
                    if self.manifest(name)["id"] == given:
                        inv = name
                        break
                except UsageError:
                    continue
            if inv is None:
                raise UsageError("app: %r is neither an inventory in %s nor the id of one's manifest; known: %s"
                                 % (given, self.inventories, ", ".join(names) or "(none)"))
        hosts = [f for f in ("hosts.yml", "hosts.yaml", "hosts") if os.path.isfile(os.path.join(self.inventories, inv, f))]
        if not hosts:
            raise UsageError("app %s: inventory %s has no hosts.yml" % (given, os.path.join(self.inventories, inv)))
        self.manifest(inv)
        return inv

    def app_id(self, inv):
        return self.manifest(inv)["id"]

    def inventory(self, inv):
        return os.path.join(self.inventories, inv)

    def ledger_dir(self, inv):
        return os.path.join(self.evidence_root, self.app_id(inv))

    def runs_dir(self, inv):
        return os.path.join(self.runs_root, self.app_id(inv))

    # -- the collection's own code (evidence ledger, report logic) --------------------------------------
    def plugin_utils(self, name):
        """plugins/plugin_utils/<name> of this checkout, imported as Ansible would
        (ansible_collections.govcloud.lifecycle...), so the front end reads ledgers with the collection's code."""
        base = os.path.join(self.root, ".work", "collections")
        here = os.path.join(base, "ansible_collections", "govcloud", "lifecycle")
        if not os.path.isdir(here):
            # a checkout that is itself at .../ansible_collections/govcloud/lifecycle
            parts = self.root.rstrip(os.sep).split(os.sep)
            if parts[-3:-1] != ["ansible_collections", "govcloud"] or parts[-1] != "lifecycle":
                raise UsageError("project: %s is not linked as a collection (run `make collection`)" % self.root)
            base = os.sep.join(parts[:-3])
        if base not in sys.path:
            sys.path.insert(0, base)
        return importlib.import_module("ansible_collections.govcloud.lifecycle.plugins.plugin_utils." + name)
