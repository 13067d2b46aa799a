# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The baseline_hardening role against the one control catalogue (data/catalog/mlps_controls.yml).

The catalogue holds ids, titles, clauses and levels; the role holds only how to check each control
(files/checks/*.sh, one check_<id> function per control; vars/main.yml baseline_hardening__checks keyed by id
holds what a pass means), its toggles, argument specs, task names and docs.
"""
from __future__ import annotations

import glob
import os
import re

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ROLE = os.path.join(ROOT, "roles", "baseline_hardening")
CATALOGUE_FILE = os.path.join(ROOT, "data", "catalog", "mlps_controls.yml")
ID_RE = re.compile(r"^8\.1\.4\.(?:[1-4]\.[a-g]|7\.[ab]|8\.b|9\.[abc]|10\.[ab]|5|6)-\d\d$")


def _yaml(path):
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


CATALOGUE = _yaml(CATALOGUE_FILE)["controls"]
CHECKS = _yaml(os.path.join(ROLE, "vars", "main.yml"))["baseline_hardening__checks"]
DEFAULTS = _yaml(os.path.join(ROLE, "defaults", "main.yml"))
SPECS = _yaml(os.path.join(ROLE, "meta", "argument_specs.yml"))["argument_specs"]["main"]["options"]
IDS = [c["id"] for c in CATALOGUE]
CHECK_FILES = sorted(glob.glob(os.path.join(ROLE, "files", "checks", "*.sh")))


def _functions():
    found = {}
    for path in CHECK_FILES:
        with open(path, encoding="utf-8") as fh:
            for name, body in re.findall(r"^(check_\w+)\(\) \{\n(.*?)^\}$", fh.read(), re.M | re.S):
                found[name] = body
    return found


FUNCTIONS = _functions()


def check_of(cid):
    """The bash of one control's check (files/checks/<group>.sh, function check_<id>)."""
    return FUNCTIONS.get("check_" + cid.replace(".", "_").replace("-", "_"), "")


def toggle(cid):
    return "baseline_hardening_" + cid.replace(".", "_").replace("-", "_")


def test_catalogue_has_77_unique_well_formed_ids_with_titles_and_levels():
    assert len(IDS) == 77 and len(set(IDS)) == 77
    assert [i for i in IDS if not ID_RE.match(i)] == []
    for c in CATALOGUE:
        assert c["title"] and c["levels"] in ([2, 3], [3]), c["id"]
        assert c["id"].startswith(c["clause"]), c["id"]


def test_role_covers_exactly_the_catalogue_ids():
    assert set(CHECKS) == set(IDS)
    assert list(CHECKS) == IDS  # same order: the assess output and the ledger follow the catalogue


def test_role_keeps_only_role_specific_facts():
    # ids, titles, clauses and levels live in the catalogue only
    for cid, c in CHECKS.items():
        assert c["expect"] and check_of(cid).strip(), cid
        assert set(c) <= {"expect", "high"}, cid


def test_role_reads_the_catalogue_the_report_reads():
    with open(os.path.join(ROLE, "tasks", "preflight.yml"), encoding="utf-8") as fh:
        preflight = fh.read()
    relative = re.search(r"role_path \}\}/(\S+mlps_controls\.yml)", preflight).group(1)
    assert os.path.realpath(os.path.join(ROLE, relative)) == os.path.realpath(CATALOGUE_FILE)


def test_one_default_toggle_per_control_and_nothing_else_unspecified():
    toggles = {k for k in DEFAULTS if re.match(r"^baseline_hardening_8_1_4_", k)}
    assert toggles == {toggle(i) for i in IDS}
    assert all(DEFAULTS[t] is True for t in toggles)


def test_argument_specs_cover_every_default_with_matching_type_and_default():
    assert set(SPECS) == set(DEFAULTS)
    types = {bool: "bool", int: "int", str: "str", list: "list", dict: "dict"}
    for name, value in DEFAULTS.items():
        # a string that names a file may be typed path (argument specs expand ~ and variables in it)
        assert SPECS[name]["type"] in ({"str", "path"} if isinstance(value, str) else {types[type(value)]}), name
        assert SPECS[name]["default"] == value, name
        assert SPECS[name]["description"], name


def test_task_names_start_with_a_known_control_or_clause():
    ids = set(IDS)
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


def test_docs_table_matches_the_catalogue():
    with open(os.path.join(ROOT, "docs", "hardening.md"), encoding="utf-8") as fh:
        doc = fh.read()
    for c in CATALOGUE:
        row = re.search(r"^\| `%s` \| (.*?) \| (L2\+L3|L3) \|.*`%s` \|" % (re.escape(c["id"]), toggle(c["id"])), doc, re.M)
        assert row, c["id"]
        assert row.group(1) == c["title"], c["id"]
        assert row.group(2) == ("L3" if c["levels"] == [3] else "L2+L3"), c["id"]


def test_checks_avoid_jinja_comment_openers():
    # `{#` in bash (e.g. ${#var}) would start a Jinja comment and silently eat the rest of the check
    for cid in CHECKS:
        assert "{#" not in check_of(cid), cid
