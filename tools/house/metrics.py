#!/usr/bin/env python3
# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The measures of the house (issue 14) for one commit, read from git without a checkout:

  tools/house/metrics.py [COMMIT ...]      (default HEAD; one JSON line per commit)

files in plugins/ over 500 lines, filter plugins (names), plugins/ Python lines, Jinja `{% for` loops and `{%`
lines in playbooks and role tasks/vars, `noqa` markers (YAML: ansible-lint skips; Python), the longest stage playbook."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys


def _git(*args):
    return subprocess.run(("git",) + args, capture_output=True, text=True, check=True).stdout


def _files(commit):
    return [p for p in _git("ls-tree", "-r", "--name-only", commit).splitlines()]


def _filters(source):
    """Names a filter plugin's FilterModule.filters() returns (dict literal keys, or guarded(..., {...}))."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Dict):
            names.update(k.value for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str))
    return names


def measure(commit):
    files = _files(commit)
    out = {"commit": _git("rev-parse", "--short", commit).strip(), "plugins_py_lines": 0, "plugins_over_500": [],
           "filters": 0, "jinja_for": 0, "jinja_block_lines": 0, "noqa_yaml": 0, "noqa_python": 0, "longest_playbook": ["", 0]}
    filters = set()
    for path in files:
        if not re.search(r"\.(py|ya?ml|sh|j2)$", path) or path.startswith((".ansible/", "tests/output/")):
            continue
        text = _git("show", "%s:%s" % (commit, path))
        lines = text.splitlines()
        # ansible-lint skips (YAML) apart from linters' markers in Python (mostly E402 after a sys.path insert)
        out["noqa_yaml" if re.search(r"\.ya?ml$", path) else "noqa_python"] += sum(
            1 for line in lines if re.search(r"#\s*noqa\b", line))
        if path.startswith("plugins/") and path.endswith(".py"):
            out["plugins_py_lines"] += len(lines)
            if len(lines) > 500:
                out["plugins_over_500"].append("%s (%d)" % (path, len(lines)))
            if path.startswith("plugins/filter/"):
                filters |= _filters(text)
        if re.match(r"(playbooks/[^/]+|roles/[^/]+/(tasks|vars)/.+)\.ya?ml$", path):
            out["jinja_for"] += sum(line.count("{% for") + line.count("{%- for") for line in lines)
            out["jinja_block_lines"] += sum(1 for line in lines if "{%" in line)
        if re.match(r"playbooks/[^/]+\.yml$", path) and len(lines) > out["longest_playbook"][1]:
            out["longest_playbook"] = [path, len(lines)]
    out["filters"] = len(filters)
    return out


if __name__ == "__main__":
    for rev in sys.argv[1:] or ["HEAD"]:
        print(json.dumps(measure(rev), ensure_ascii=False))
