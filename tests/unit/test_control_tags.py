# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""One source for control ids: the control id that leads a task's name decides its clause/MLPS tags.

The evidence callback cites in a task's record the clauses of its tags (``clauses_from_tags``), and Ansible
gives a task the tags of its play, its blocks and the import that brought its file in. So a task named
``8.1.4.1.a-05 | ...`` must carry (itself or through those) ``mlps_8_1_4_1_a``, and ``mlps_7_1_4_1_a`` too
because data/catalog/mlps_controls.yml files the control at level 2 (``l2_id``); a task named ``JX-2.2 | ...``
must carry ``clause_jx_2_2`` (an id of data/catalog/lifecycle_clauses.yml). The rules, for every task, block
and import of every role and playbook whose name leads with control ids (``<ids> | <verb phrase>``):

- missing: each id of the name needs its tag (and its level-2 twin where the catalogue has one) among the
  task's effective tags;
- mismatch: an ``mlps_*`` tag a task carries itself must be one its name gives, or a clause above one (a
  coarse tag such as ``mlps_8_1_4_1`` on ``8.1.4.1.a-05``); a ``clause_jx_*`` tag must name a lifecycle
  clause (beside a control id it says in which stage the control is applied);
- unknown: an id with a control number (``8.1.4.1.a-05``) must be in the catalogue, a JX id in the clauses;
- a task whose name leads with no id carries no ``mlps_*``/``clause_*`` tag of its own (it inherits them);
- an evidence_record task cites the ids of its name in its ``clauses``.
"""
from __future__ import annotations

import glob
import os
import re

import pytest
import yaml

from ansible_collections.govcloud.lifecycle.plugins.callback.evidence import clauses_from_tags

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _yaml(path):
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


CONTROLS = {c["id"]: c for c in _yaml(os.path.join(ROOT, "data", "catalog", "mlps_controls.yml"))["controls"]}
LIFECYCLE = {c["id"] for c in _yaml(os.path.join(ROOT, "data", "catalog", "lifecycle_clauses.yml"))["clauses"]}
# the GB/T 22239 section the catalogue covers (安全计算环境); ids under other sections (8.1.2 安全通信网络,
# 8.1.3 安全区域边界) are checked for their form only
CATALOGUE_SECTION = "8.1.4"

TAG_RE = re.compile(r"^(?:mlps|clause)_")
LEAD = re.compile(r"^(JX-|\d)")
JX = re.compile(r"^JX-(\d+(?:\.\d+)*)$")
# 8.1.4.1 | 8.1.4.1.a | 8.1.4.1.a-05 | 8.1.4.3.a-02..a-07
FULL = re.compile(r"^(\d+(?:\.\d+)+)(?:\.([a-z]))?(?:-(\d\d)(?:\.\.([a-z])-(\d\d))?)?$")
# a-07 | b | c-01 after a full id: the same clause
RELATIVE = re.compile(r"^([a-z])(?:-(\d\d)(?:\.\.([a-z])-(\d\d))?)?$")
BLOCK_KEYS = ("block", "rescue", "always")
IMPORTS = ("import_tasks", "ansible.builtin.import_tasks", "include_tasks", "ansible.builtin.include_tasks")
RECORD = ("govcloud.lifecycle.evidence_record", "evidence_record")


class Task:
    """A task, block or import as Ansible sees it: own tags, tags from its play/blocks/import, file."""

    def __init__(self, path, data, inherited, via):
        self.path = os.path.relpath(path, ROOT)
        self.data = data
        self.name = str(data.get("name") or "")
        tags = data.get("tags") or []
        self.own = [str(t) for t in ([tags] if isinstance(tags, str) else tags)]
        self.inherited = list(inherited)
        self.via = via

    @property
    def effective(self):
        return set(self.own) | set(self.inherited)

    def where(self):
        return "%s: task %r%s" % (self.path, self.name, " (imported by %s)" % self.via if self.via else "")


def _task_file(ref, base, path):
    ref = ref.get("file") if isinstance(ref, dict) else ref
    if not isinstance(ref, str) or "{{" in ref:
        return None
    for candidate in (os.path.join(os.path.dirname(path), ref), os.path.join(base, ref)):
        if os.path.isfile(candidate):
            return os.path.normpath(candidate)
    raise AssertionError("%s imports %r, which does not exist" % (os.path.relpath(path, ROOT), ref))


def _walk(tasks, path, base, inherited, via, out, edges):
    for data in tasks or ():
        if not isinstance(data, dict):
            continue
        task = Task(path, data, inherited, via)
        out.append(task)
        if any(k in data for k in BLOCK_KEYS):
            for key in BLOCK_KEYS:
                _walk(data.get(key), path, base, task.effective, via, out, edges)
            continue
        for key in IMPORTS:
            if key not in data:
                continue
            target = _task_file(data[key], base, path)
            apply = (data.get("apply") or {}) if "include" in key else None
            if target is None:
                continue
            if apply is None:
                edges.append((target, task.effective, task.where()))
            else:
                tags = apply.get("tags") or []
                edges.append((target, set(inherited) | set([tags] if isinstance(tags, str) else tags), None))


def collect():
    """Every task of every role and playbook, once per way Ansible reaches it (files an import brings in get
    the import's tags; files only included dynamically or used as entry points stand alone)."""
    out, edges, roots = [], [], []
    for path in sorted(glob.glob(os.path.join(ROOT, "roles", "*", "tasks", "*.yml"))
                       + glob.glob(os.path.join(ROOT, "roles", "*", "handlers", "*.yml"))):
        roots.append((path, os.path.dirname(path), _yaml(path) or [], set()))
    for path in sorted(glob.glob(os.path.join(ROOT, "playbooks", "*.yml"))):
        for play in _yaml(path) or ():
            if not isinstance(play, dict):
                continue
            tags = play.get("tags") or []
            for key in ("pre_tasks", "tasks", "post_tasks", "handlers"):
                if play.get(key):
                    roots.append((path, os.path.dirname(path), play[key], set(tags)))
    first = []
    for path, base, tasks, tags in roots:
        found = []
        _walk(tasks, path, base, tags, None, found, edges)
        first.append((path, found))
    imported = {os.path.normpath(edge[0]) for edge in edges if edge[2]}
    for path, found in first:
        if os.path.normpath(path) not in imported or "/playbooks/" in path:
            out.extend(found)
    seen = set()
    while edges:
        target, tags, via = edges.pop()
        if via is None:
            continue  # an include with apply: its file also stands alone, checked there with those tags too
        key = (target, frozenset(tags), via)
        if key in seen:
            continue
        seen.add(key)
        found = []
        _walk(_yaml(target) or [], target, os.path.dirname(target), tags, via, found, edges)
        out.extend(found)
    return out


def _expand(match_groups, clause):
    item, nn, item2, nn2 = match_groups
    if nn2 is not None:
        if item2 != item or int(nn2) < int(nn):
            return None
        return ["%s.%s-%02d" % (clause, item, n) for n in range(int(nn), int(nn2) + 1)]
    if nn is not None:
        return ["%s.%s-%s" % (clause, item, nn)]
    return ["%s.%s" % (clause, item)] if item else [clause]


def name_ids(name):
    """The control ids that lead a name: ('8.1.4.1.a-06 / a-07 | ...') -> ['8.1.4.1.a-06', '8.1.4.1.a-07']."""
    if " | " not in name or not LEAD.match(name):
        return None
    ids, clause = [], None
    for token in re.split(r"\s*[/,]\s*", name.split(" | ", 1)[0].strip()):
        jx, full, rel = JX.match(token), FULL.match(token), RELATIVE.match(token)
        if jx:
            ids.append(token)
            continue
        if full:
            clause = full.group(1)
            found = _expand(full.groups()[1:], clause)
        elif rel and clause:
            found = _expand(rel.groups(), clause)
        else:
            found = None
        if found is None:
            raise ValueError("cannot read the control id %r in %r" % (token, name))
        ids.extend(found)
    return ids


def _point(cid):
    """8.1.4.1.a-05 -> ('8.1.4.1.a', control id or None)."""
    return (cid.split("-", 1)[0], cid) if re.search(r"-\d\d$", cid) else (cid, None)


def _tag(point):
    return "mlps_" + point.replace(".", "_")


def _twin(point):
    """The level-2 equivalent of an 8.x point, taken from the catalogue's l2_id of a control under it."""
    for cid, control in CONTROLS.items():
        if (cid == point or cid.startswith(point + ".") or cid.startswith(point + "-")) and control.get("l2_id"):
            return control["l2_id"][:len(point)] if len(control["l2_id"]) >= len(point) else None
    return None


def expected(task_ids):
    """(required tags, allowed own tags, problems) for the ids of a name."""
    required, allowed, problems = set(), set(), []
    for cid in task_ids:
        jx = JX.match(cid)
        if jx:
            if cid not in LIFECYCLE:
                problems.append("%s is not a clause of data/catalog/lifecycle_clauses.yml" % cid)
            required.add("clause_jx_" + jx.group(1).replace(".", "_"))
            continue
        point, control = _point(cid)
        in_catalogue = point == CATALOGUE_SECTION or point.startswith(CATALOGUE_SECTION + ".")
        if control and in_catalogue and control not in CONTROLS:
            problems.append("%s is not a control of data/catalog/mlps_controls.yml" % control)
        elif in_catalogue and _known(point) is False:
            problems.append("no control of data/catalog/mlps_controls.yml is under %s" % point)
        if control and in_catalogue and control in CONTROLS:
            twin = CONTROLS[control].get("l2_id")
            twin = twin.split("-", 1)[0] if twin else None
        else:
            twin = _twin(point) if in_catalogue else None
        required.add(_tag(point))
        if twin:
            required.add(_tag(twin))
        # coarse tags (the clause above) may stand beside the precise one
        parts = point.split(".")
        for depth in range(3, len(parts)):
            above = ".".join(parts[:depth])
            allowed.add(_tag(above))
            above_twin = _twin(above) if in_catalogue else None
            if above_twin:
                allowed.add(_tag(above_twin))
    allowed |= required
    allowed |= {"clause_jx_" + c[3:].replace(".", "_") for c in LIFECYCLE}
    return required, allowed, problems


def _known(point):
    return any(cid == point or cid.startswith(point + ".") or cid.startswith(point + "-") for cid in CONTROLS)


def problems_of(task):
    """What is wrong with one task's tags, in words a person can act on (empty: nothing)."""
    found_tags = sorted(t for t in task.effective if TAG_RE.match(t))
    own_tags = sorted(t for t in task.own if TAG_RE.match(t))
    try:
        ids = name_ids(task.name)
    except ValueError as exc:
        return ["%s: %s" % (task.where(), exc)]
    if ids is None:
        if own_tags:
            return ["%s: carries %s but its name leads with no control id (name it '<id> | ...' or move the tags "
                    "to the block or import that has one)" % (task.where(), ", ".join(own_tags))]
        return []
    required, allowed, problems = expected(ids)
    out = ["%s: %s" % (task.where(), p) for p in problems]
    missing = sorted(required - task.effective)
    if missing:
        out.append("%s: missing tag(s) %s for %s; expected at least %s, found %s"
                   % (task.where(), ", ".join(missing), ", ".join(ids), sorted(required), found_tags or "none"))
    stray = sorted(set(own_tags) - allowed)
    if stray:
        out.append("%s: tag(s) %s match no control id of the name (%s); expected %s, found %s"
                   % (task.where(), ", ".join(stray), ", ".join(ids), sorted(required), own_tags))
    module = next((m for m in RECORD if m in task.data), None)
    if module and isinstance(task.data[module], dict) and isinstance(task.data[module].get("clauses"), list):
        cited = [str(c) for c in task.data[module]["clauses"]]
        named = sorted({JX.match(i) and i or _point(i)[0] for i in ids} - set(cited))
        if named:
            out.append("%s: the record cites clauses %s but the name says %s (missing %s)"
                       % (task.where(), cited, ", ".join(ids), ", ".join(named)))
    return out


TASKS = collect()


def test_the_walk_sees_every_role_and_playbook():
    paths = {t.path.split(os.sep)[0] + "/" + t.path.split(os.sep)[1] for t in TASKS}
    roles = {"roles/" + os.path.basename(p) for p in glob.glob(os.path.join(ROOT, "roles", "*"))}
    assert roles <= paths
    assert {os.path.relpath(p, ROOT) for p in glob.glob(os.path.join(ROOT, "playbooks", "*.yml"))
            if any(isinstance(play, dict) and (play.get("tasks") or play.get("pre_tasks"))
                   for play in _yaml(p) or ())} <= {t.path for t in TASKS}
    # the tasks whose name leads with control ids, counted once per file and name
    assert len({(t.path, t.name) for t in TASKS if LEAD.match(t.name) and " | " in t.name}) > 100


def test_every_task_named_after_a_control_carries_its_tags():
    problems = sorted({p for task in TASKS for p in problems_of(task)})
    assert not problems, "\n" + "\n".join(problems)


def test_the_callback_reads_every_required_tag_as_the_control_or_clause_of_the_name():
    # the tags this file requires are the ones the evidence callback turns into clause citations
    seen_jx = 0
    for task in TASKS:
        ids = name_ids(task.name) or []
        for cid in ids:
            if JX.match(cid):
                seen_jx += 1
                assert clauses_from_tags(expected([cid])[0]) == [cid], task.where()
                continue
            point = _point(cid)[0]
            assert point in clauses_from_tags([_tag(point)]), task.where()
    assert seen_jx, "no task named after a lifecycle clause: the JX half of this test checked nothing"
    assert clauses_from_tags(["clause_jx_2_2", "mlps_8_1_4_1_a", "clause_5_3", "molecule-notest"]) == [
        "JX-2.2", "8.1.4.1.a", "5.3"]


@pytest.mark.parametrize("name, ids", [
    ("8.1.4.1.a-05 | Set password complexity rules", ["8.1.4.1.a-05"]),
    ("8.1.4.1.a-06 / a-07 / a-09 | Set ageing", ["8.1.4.1.a-06", "8.1.4.1.a-07", "8.1.4.1.a-09"]),
    ("8.1.4.1.a / b, 8.1.4.2.d | Install PAM profiles", ["8.1.4.1.a", "8.1.4.1.b", "8.1.4.2.d"]),
    ("8.1.4.3.a-02..a-04 | Write the audit rules", ["8.1.4.3.a-02", "8.1.4.3.a-03", "8.1.4.3.a-04"]),
    ("8.1.4.1 / 8.1.4.2 | PAM stack", ["8.1.4.1", "8.1.4.2"]),
    ("JX-2.2 / 8.1.3.1.a | Floating IP", ["JX-2.2", "8.1.3.1.a"]),
    ("Trial | Read the ports", None),
    ("8.1.4.1.a-05 without a bar", None),
])
def test_name_ids(name, ids):
    assert name_ids(name) == ids


@pytest.mark.parametrize("name", ["8.1.4.1.a-05 / zz | x", "8.1.4.3.a-07..a-02 | x", "8.1.4.1.ab-05 | x"])
def test_unreadable_ids_are_refused(name):
    with pytest.raises(ValueError, match="cannot read the control id"):
        name_ids(name)


def _problems(name, tags, inherited=(), **module):
    data = dict(name=name, tags=list(tags), **module)
    return problems_of(Task(os.path.join(ROOT, "roles", "x", "tasks", "main.yml"), data, inherited, None))


def test_a_removed_tag_is_named_with_the_file_the_task_and_what_was_expected():
    assert _problems("8.1.4.1.a-05 | Set complexity", ["mlps_8_1_4_1_a", "mlps_7_1_4_1_a"]) == []
    assert _problems("8.1.4.1.a-05 | Set complexity", ["mlps_8_1_4_1_a"]) == [
        "roles/x/tasks/main.yml: task '8.1.4.1.a-05 | Set complexity': missing tag(s) mlps_7_1_4_1_a for "
        "8.1.4.1.a-05; expected at least ['mlps_7_1_4_1_a', 'mlps_8_1_4_1_a'], found ['mlps_8_1_4_1_a']"]
    # level 3 only (no l2_id): no level-2 twin
    assert _problems("8.1.4.3.d-01 | Immutable rules", ["mlps_8_1_4_3_d"]) == []
    assert _problems("JX-2.7 | Record the promotion", []) == [
        "roles/x/tasks/main.yml: task 'JX-2.7 | Record the promotion': missing tag(s) clause_jx_2_7 for JX-2.7; "
        "expected at least ['clause_jx_2_7'], found none"]


def test_inherited_tags_count_and_coarse_tags_may_stand_beside():
    assert _problems("8.1.4.4.b-03 | Load", [], inherited={"mlps_8_1_4_4_b", "mlps_7_1_4_4_b"}) == []
    assert _problems("8.1.4.4.b-03 | Load", ["mlps_8_1_4_4_b", "mlps_7_1_4_4_b", "mlps_8_1_4_4", "mlps_7_1_4_4",
                                             "clause_jx_2_2"]) == []


def test_mismatches_and_unknown_ids_fail():
    assert _problems("8.1.4.4.b-03 | Load", ["mlps_8_1_4_4_b", "mlps_7_1_4_4_b", "mlps_8_1_4_1_a"]) == [
        "roles/x/tasks/main.yml: task '8.1.4.4.b-03 | Load': tag(s) mlps_8_1_4_1_a match no control id of the name "
        "(8.1.4.4.b-03); expected ['mlps_7_1_4_4_b', 'mlps_8_1_4_4_b'], found "
        "['mlps_7_1_4_4_b', 'mlps_8_1_4_1_a', 'mlps_8_1_4_4_b']"]
    assert any("8.1.4.1.a-99 is not a control" in p for p in _problems("8.1.4.1.a-99 | x", ["mlps_8_1_4_1_a"]))
    assert any("JX-9 is not a clause" in p for p in _problems("JX-9 | x", ["clause_jx_9"]))
    assert any("clause_jx_9" in p for p in _problems("8.1.4.3.d-01 | x", ["mlps_8_1_4_3_d", "clause_jx_9"]))
    assert any("leads with no control id" in p for p in _problems("Trial | x", ["mlps_8_1_4_1_a"]))


def test_a_record_cites_the_clauses_of_its_name():
    record = {"govcloud.lifecycle.evidence_record": {"clauses": ["JX-2.3", "8.1.4.1"]}}
    assert any("missing JX-2.2" in p for p in _problems("JX-2.2 | Record", ["clause_jx_2_2"], **record))
    record = {"govcloud.lifecycle.evidence_record": {"clauses": ["JX-2.2", "8.1.4.1"]}}
    assert _problems("JX-2.2 | Record", ["clause_jx_2_2"], **record) == []
