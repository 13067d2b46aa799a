# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: baseline_check_results
short_description: Read the output of the baseline_hardening host checks into one result per control
version_added: 1.0.0
description:
  - The C(baseline_hardening) role runs its host checks (C(roles/baseline_hardening/files/checks/*.sh)) in one
    shell command; the runner prints one line per control, C(<id> TAB <exit status> TAB <base64 of the output>).
    This filter turns that output into the role's C(baseline_hardening_results), on the controller.
  - "Exit status 0 is V(pass), 2 is V(manual) (not decidable on the host), anything else V(gap); a check that
    ran out of time (124) and printed nothing reads C(check timed out)."
  - Lines that are not three tab-separated fields (a warning a host's shell printed, an empty line) are left out;
    the role checks afterwards that every selected control has its result.
  - An id the catalogue does not have or without an expectation, or an exit status or output field that cannot be
    read, is an error that names the line.
positional: _input
options:
  _input:
    description: The checks' standard output, as one string or as its lines (C(stdout_lines)).
    type: raw
    required: true
  catalogue:
    description: The controls of C(data/catalog/mlps_controls.yml) (its C(controls) list); the titles come from here.
    type: list
    elements: dict
    required: true
  expectations:
    description: What a pass means, per control id (C(baseline_hardening__checks), each with an C(expect) text).
    type: dict
    required: true
  level:
    description: MLPS level of the run; at level 2 the clause is the level-2 (7.1.4) one.
    type: int
    choices: [2, 3]
    default: 3
"""

EXAMPLES = r"""
- name: Collect the results
  ansible.builtin.set_fact:
    baseline_hardening_results: >-
      {{ baseline_hardening__assess.stdout | govcloud.lifecycle.baseline_check_results(
           catalogue=baseline_hardening__catalogue.controls, expectations=baseline_hardening__checks,
           level=baseline_hardening_level) }}

# "8.1.4.1.a-03\t0\tdWlkIDA6IHJvb3QgCg==" (uid 0: root) gives
#   [{"id": "8.1.4.1.a-03", "clause": "8.1.4.1.a", "title": "Only root has UID 0", "result": "pass",
#     "expected": "root is the only UID 0 account", "actual": "uid 0: root"}]
"""

RETURN = r"""
_value:
  description: One result per control, in the order of the output.
  type: list
  elements: dict
  contains:
    id:
      description: Control id (C(8.1.4.1.a-03)).
      type: str
    clause:
      description: Clause item of the control at the run's level (C(8.1.4.1.a), or C(7.1.4.1.a) at level 2).
      type: str
    title:
      description: Title of the control in the catalogue.
      type: str
    result:
      description: V(pass), V(gap) or V(manual).
      type: str
    expected:
      description: What a pass means (the role's C(expect) text).
      type: str
    actual:
      description: What the check found (its output, trimmed), C(check timed out), or empty.
      type: str
"""

import base64
import binascii

from ansible.errors import AnsibleFilterError
from ansible_collections.govcloud.lifecycle.plugins.plugin_utils._baseline import control_clause

_RESULTS = {"0": "pass", "2": "manual"}
_TIMED_OUT = "124"


def _lines(output):
    if isinstance(output, (list, tuple)):
        return [str(line) for line in output]
    if isinstance(output, str):
        return output.splitlines()
    raise AnsibleFilterError("baseline_check_results: expected the checks' output as a string or a list of lines, got %s"
                             % type(output).__name__)


def baseline_check_results(output, catalogue, expectations, level=3):
    """The runner's `<id> TAB <status> TAB <base64>` lines -> [{id, clause, title, result, expected, actual}]."""
    titles = {str(c["id"]): c.get("title", "") for c in catalogue or ()}
    try:
        level = int(level)
    except (TypeError, ValueError):
        raise AnsibleFilterError("baseline_check_results: level must be 2 or 3, got %r" % (level,)) from None
    if level not in (2, 3):
        raise AnsibleFilterError("baseline_check_results: level must be 2 or 3, got %r" % (level,))
    results = []
    for number, line in enumerate(_lines(output), 1):
        fields = line.split("\t")
        if len(fields) != 3:
            continue
        cid, status, encoded = fields
        where = "line %d of the check output (%s)" % (number, cid)
        if cid not in titles:
            raise AnsibleFilterError("baseline_check_results: %s names a control the catalogue does not have" % where)
        if not status.isdigit():
            raise AnsibleFilterError("baseline_check_results: %s has no exit status but %r" % (where, status))
        try:
            actual = base64.b64decode(encoded, validate=True).decode("utf-8", "replace").strip()
        except (binascii.Error, ValueError):
            raise AnsibleFilterError("baseline_check_results: %s has no base64 output field" % where) from None
        if not encoded:
            actual = "check timed out" if status == _TIMED_OUT else ""
        clause = control_clause(cid, level)
        expected = (expectations or {}).get(cid)
        if not isinstance(expected, dict) or not expected.get("expect"):
            raise AnsibleFilterError("baseline_check_results: %s has no expectation (an `expect` text in expectations)"
                                     % where)
        results.append({
            "id": cid,
            "clause": clause,
            "title": titles[cid],
            "result": _RESULTS.get(status, "gap"),
            "expected": str(expected["expect"]),
            "actual": actual,
        })
    return results


class FilterModule(object):
    def filters(self):
        return {"baseline_check_results": baseline_check_results}
