# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Consistency of the baseline_hardening control catalogue, toggles, argument specs, task names and docs."""
from __future__ import annotations

import glob
import os
import re

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ROLE = os.path.join(ROOT, "roles", "baseline_hardening")
ID_RE = re.compile(r"^8\.1\.4\.(?:[1-4]\.[a-g]|7\.[ab]|8\.b|9\.[abc]|10\.[ab]|5|6)-\d\d$")


def _yaml(*parts):
    with open(os.path.join(ROLE, *parts), encoding="utf-8") as fh:
        return yaml.safe_load(fh)


CONTROLS = _yaml("vars", "main.yml")["baseline_hardening__controls"]
DEFAULTS = _yaml("defaults", "main.yml")
SPECS = _yaml("meta", "argument_specs.yml")["argument_specs"]["main"]["options"]


def toggle(cid):
    return "baseline_hardening_" + cid.replace(".", "_").replace("-", "_")


def test_77_unique_well_formed_ids():
    ids = [c["id"] for c in CONTROLS]
    assert len(ids) == 77 and len(set(ids)) == 77
    assert [i for i in ids if not ID_RE.match(i)] == []


def test_every_control_has_title_expectation_and_check():
    for c in CONTROLS:
        assert c["title"] and c["expect"] and c["check"].strip(), c["id"]
        assert set(c) <= {"id", "title", "expect", "check", "l3", "high"}, c["id"]


def test_one_default_toggle_per_control_and_nothing_else_unspecified():
    toggles = {k for k in DEFAULTS if re.match(r"^baseline_hardening_8_1_4_", k)}
    assert toggles == {toggle(c["id"]) for c in CONTROLS}
    assert all(DEFAULTS[t] is True for t in toggles)


def test_argument_specs_cover_every_default_with_matching_type_and_default():
    assert set(SPECS) == set(DEFAULTS)
    types = {bool: "bool", int: "int", str: "str", list: "list", dict: "dict"}
    for name, value in DEFAULTS.items():
        assert SPECS[name]["type"] == types[type(value)], name
        assert SPECS[name]["default"] == value, name
        assert SPECS[name]["description"], name


def test_task_names_start_with_a_known_control_or_clause():
    ids = {c["id"] for c in CONTROLS}
    clauses = {i.split("-", maxsplit=1)[0] for i in ids} | {".".join(i.split(".")[:4]).split("-", maxsplit=1)[0] for i in ids}
    for path in glob.glob(os.path.join(ROLE, "tasks", "*.yml")):
        with open(path, encoding="utf-8") as fh:
            for name in re.findall(r"^\s*-?\s*name: (8\.1\.4[^|]*) \|", fh.read(), re.M):
                for ref in re.split(r"\s*[/,]\s*", name.strip()):
                    ref = ref.split("..")[0]
                    full = ref if ref.startswith("8.") else None
                    if full is None:
                        continue
                    assert full in ids or full in clauses, (os.path.basename(path), name)


def test_docs_table_lists_every_control_and_toggle():
    with open(os.path.join(ROOT, "docs", "hardening.md"), encoding="utf-8") as fh:
        doc = fh.read()
    for c in CONTROLS:
        assert f"| `{c['id']}` |" in doc and f"`{toggle(c['id'])}`" in doc, c["id"]


def test_checks_avoid_jinja_comment_openers():
    # `{#` in bash (e.g. ${#var}) would start a Jinja comment and silently eat the rest of the check
    for c in CONTROLS:
        assert "{#" not in c["check"], c["id"]
