# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Bad input, generated: every invalid manifest is rejected, naming the field, and nothing raises."""

from __future__ import annotations

import pathlib
import re
import sys

import jsonschema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(pathlib.Path(__file__).parent))
import manifest_cases as C  # noqa: E402  pylint: disable=wrong-import-position

M = C.M
EXAMPLES = 400
# application, then .name, [index] or ["any key"] (JSON-quoted) steps, then ": " and the reason
PATH_RE = re.compile(r'^application(\.[A-Za-z_][A-Za-z0-9_]*|\[[0-9]+\]|\["(?:[^"\\]|\\.)*"\])*: \S')
JSONSCHEMA = jsonschema.Draft202012Validator(M.SCHEMA, format_checker=jsonschema.FormatChecker())


def test_generated_invalid_manifests_are_all_rejected_with_a_field_path():
    seen = []

    @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(mutation=st.sampled_from(C.MUTATIONS), rnd=st.randoms(use_true_random=False))
    def check(mutation, rnd):
        manifest, path = C.mutated(mutation, rnd)
        normalised, problems = M.validate(manifest, **C.check_kwargs())  # any exception fails the test
        assert normalised is None, (mutation.__name__, path)
        assert problems, (mutation.__name__, path)
        bad = [p for p in problems if not PATH_RE.match(p)]
        assert not bad, bad
        assert any(p.startswith(path + ":") for p in problems), (mutation.__name__, path, problems)
        # The structural half agrees with an independent JSON Schema implementation on the published schema.
        document = {"application": manifest} if manifest is not None else {}
        assert bool(M.schema_problems(document)) == (not JSONSCHEMA.is_valid(document)), (mutation.__name__, path)
        seen.append(mutation.__name__)

    check()
    assert len(seen) >= 200
    assert set(seen) == {m.__name__ for m in C.MUTATIONS}


_json = st.recursive(
    st.none() | st.booleans() | st.integers(-70000, 70000) | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, derandomize=True, database=None, deadline=None)
@given(junk=_json, where=st.integers(0, 10_000))
def test_arbitrary_values_anywhere_never_raise(junk, where):
    """Random JSON grafted on a random node: the checks and the gate never raise, and problems name a path."""
    app = C.example()
    nodes = [p for p, dummy, dummy2 in C._nodes(app, M.ROOT, M.SCHEMA["properties"][M.ROOT])]
    path = nodes[where % len(nodes)]
    if path == M.ROOT:
        app = junk
    else:
        parent, key = C._locate(app, path)
        parent[key] = junk
    normalised, problems = M.validate(app, **C.check_kwargs())
    assert all(PATH_RE.match(p) for p in problems), problems
    assert (normalised is None) == bool(problems)
    M.applicant_conditions(app, records=[junk, {"stage": "approval", "details": junk}])


@settings(max_examples=300, derandomize=True, database=None, deadline=None)
@given(junk=_json, key=st.sampled_from(list(M.POLICY_KEYS) + ["other"]), nested=st.booleans())
def test_arbitrary_policies_never_raise(junk, key, nested):
    """A malformed policy is refused by name (policy...) or, when it happens to be a valid tightening, applied."""
    policy = {key: {"ipv4": junk} if nested else junk}
    normalised, problems = M.validate(C.example(), policy=policy, **C.check_kwargs())
    assert (normalised is None) == bool(problems)
    effective, policy_problems = M.resolve_policy(policy)
    assert all(str(p).startswith("policy") for p in policy_problems)
    assert set(effective) == set(M.POLICY_KEYS)
