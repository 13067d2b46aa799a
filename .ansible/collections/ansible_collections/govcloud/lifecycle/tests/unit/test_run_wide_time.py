# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""No variable that lives for a whole run holds ``now()``.

Ansible templates a variable each time it is used, so a play variable, a vars file or a role default holding
``now()`` gives one value early in a run and another later: playbooks/promote.yml marked the servers with one
date and recorded the promotion under the next when a run crossed midnight, and its rerun recorded it again
(CI, 2026-11-27).  A value fixed for the run is a ``set_fact`` at the start.
"""
from __future__ import annotations

import glob
import os

import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _load(path):
    with open(path, encoding="utf-8") as fh:
        return list(yaml.safe_load_all(fh))


def _strings(node, where):
    if isinstance(node, str):
        yield where, node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _strings(value, "%s.%s" % (where, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _strings(value, "%s[%d]" % (where, i))


def run_wide_variables(root=ROOT):
    """(file, path of the variable, value) of every play var, vars file entry and role default/var."""
    out = []
    for path in sorted(glob.glob(os.path.join(root, "playbooks", "*.yml"))):
        for doc in _load(path):
            for i, play in enumerate(doc or []):
                if isinstance(play, dict) and "hosts" in play:
                    out += [(path, where, value) for where, value in _strings(play.get("vars") or {}, "play[%d].vars" % i)]
    files = glob.glob(os.path.join(root, "playbooks", "vars", "*.yml"))
    files += glob.glob(os.path.join(root, "roles", "*", "defaults", "main.yml"))
    files += glob.glob(os.path.join(root, "roles", "*", "vars", "*.yml"))
    for path in sorted(files):
        for doc in _load(path):
            out += [(path, where, value) for where, value in _strings(doc or {}, "")]
    return out


def lazy_clock_reads(root=ROOT):
    return ["%s: %s = %r" % (os.path.relpath(path, root), where, value)
            for path, where, value in run_wide_variables(root) if "now(" in value.replace(" ", "")]


def test_the_scan_reads_the_project():
    found = run_wide_variables()
    files = {os.path.relpath(entry[0], ROOT) for entry in found}
    assert "playbooks/promote.yml" in files
    assert "roles/baseline_hardening/defaults/main.yml" in files
    assert len(found) > 200


def test_no_run_wide_variable_reads_the_clock():
    assert lazy_clock_reads() == []


@pytest.mark.parametrize("vars_text", [
    "promote_today: \"{{ now(utc=true, fmt='%Y-%m-%d') }}\"",
    "x: {nested: [\"{{ now ( ) }}\"]}",
])
def test_the_scan_finds_a_play_var_reading_the_clock(tmp_path, vars_text):
    (tmp_path / "playbooks").mkdir()
    (tmp_path / "playbooks" / "p.yml").write_text(
        "- name: P\n  hosts: controller\n  vars:\n    %s\n  tasks: []\n" % vars_text, encoding="utf-8")
    assert len(lazy_clock_reads(str(tmp_path))) == 1
