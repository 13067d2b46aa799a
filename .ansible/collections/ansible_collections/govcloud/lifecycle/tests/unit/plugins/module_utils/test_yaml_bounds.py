# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Bounded YAML (_yaml_bounds): bombs, huge and deep documents are refused by name; normal files load as safe_load.

Every test runs with both loaders: libyaml's event parser (the one used when present) and pure Python.
"""

from __future__ import annotations

import pathlib

import pytest
import yaml

from ansible_collections.govcloud.lifecycle.plugins.module_utils import _yaml_bounds as B

REPO = pathlib.Path(__file__).resolve().parents[4]
EXAMPLE = REPO / "inventories" / "example" / "group_vars" / "all" / "application.yml"


def billion_laughs(levels=9, width=10):
    """The classic bomb: level n is a list of `width` aliases to level n-1; ~width**levels nodes expanded."""
    lines = ['l0: &l0 "lol"']
    for level in range(1, levels):
        lines.append("l%d: &l%d [%s]" % (level, level, ", ".join(["*l%d" % (level - 1)] * width)))
    return "\n".join(lines) + "\n"


@pytest.fixture(params=["libyaml", "python"], autouse=True)
def loader(request, monkeypatch):
    if request.param == "python":
        monkeypatch.setattr(B, "_CBoundedLoader", None)
    elif B._CBoundedLoader is None:
        pytest.skip("PyYAML is built without libyaml here")
    return request.param


class CountingComposer(object):
    """Counts the nodes the bounded composer composes, to prove a refusal came before the expansion."""

    def __init__(self, monkeypatch):
        self.calls = 0
        original = B._BoundedComposer.compose_node

        def counting(composer, parent, index):
            self.calls += 1
            return original(composer, parent, index)
        monkeypatch.setattr(B._BoundedComposer, "compose_node", counting)


def test_billion_laughs_is_refused_before_expanding_it(tmp_path, monkeypatch):
    path = tmp_path / "application.yml"
    path.write_text(billion_laughs(), encoding="utf-8")
    counter = CountingComposer(monkeypatch)
    with pytest.raises(B.YamlBoundsError) as err:
        B.load_file(str(path))
    message = str(err.value)
    assert message.startswith(str(path) + ": ")
    assert "more than the limit of 100,000" in message and "nodes with aliases expanded" in message
    assert "alias bomb" in message
    # the document has 9 + 8*10 nodes and aliases: it was refused while composing them, never expanded
    assert counter.calls <= 9 + 8 * 10


def test_many_aliases_are_refused_by_the_alias_limit():
    text = "base: &b 1\nlist: [%s]\n" % ", ".join(["*b"] * 150)
    with pytest.raises(B.YamlBoundsError) as err:
        B.load_text(text, "inventories/x/attestations.yml")
    assert str(err.value) == "inventories/x/attestations.yml: 101 aliases, more than the limit of 100 (YAML alias bomb?)"
    assert B.load_text(text, "x", max_aliases=200)["list"] == [1] * 150


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path, monkeypatch):
    path = tmp_path / "big.yml"
    with open(path, "wb") as handle:
        handle.write(b"k: " + b"x" * 100 + b"\n")
        handle.truncate(50 * 1024 * 1024)  # 50 MB (sparse: what matters is that stat() says so)

    def no_open(*args, **kwargs):
        raise AssertionError("opened a file over the size limit")
    monkeypatch.setattr(B, "open", no_open, raising=False)
    with pytest.raises(B.YamlBoundsError) as err:
        B.load_file(str(path), what="manifest")
    assert str(err.value) == "manifest %s: 52,428,800 bytes, more than the limit of 4,194,304 bytes" % path


def test_text_over_the_size_limit_is_refused():
    with pytest.raises(B.YamlBoundsError, match=r"^t: 5,000,001 bytes, more than the limit of 4,194,304 bytes$"):
        B.load_text("a" * 5000001, "t")
    # multi-byte characters count as bytes: 1.5M CJK characters are 4.5 MB of UTF-8
    with pytest.raises(B.YamlBoundsError, match="4,500,000 bytes"):
        B.load_text("不" * 1500000, "t")


def test_too_many_nodes_are_refused_while_composing():
    text = "items:\n" + "".join("  - %d\n" % i for i in range(2000))
    with pytest.raises(B.YamlBoundsError, match=r"^big: 1,001 nodes, more than the limit of 1,000$"):
        B.load_text(text, "big", max_nodes=1000)
    assert len(B.load_text(text, "big")["items"]) == 2000


@pytest.mark.parametrize("style", ["flow", "block"])
def test_deep_nesting_is_refused_by_name(style):
    depth = 200
    if style == "flow":
        text = "[" * depth + "]" * depth
    else:
        text = "".join("%s- \n" % ("  " * i) for i in range(depth)) + "  " * depth + "- x\n"
    with pytest.raises(B.YamlBoundsError) as err:
        B.load_text(text, "deep.yml")
    assert str(err.value).startswith("deep.yml: nesting 65 levels deep (line ")
    assert str(err.value).endswith("more than the limit of 64 levels")


def test_very_deep_nesting_never_escapes_as_recursion_error():
    text = "[" * 20000 + "]" * 20000
    with pytest.raises(B.YamlBoundsError, match="^deep.yml: "):
        B.load_text(text, "deep.yml")


def test_recursive_alias_is_refused():
    with pytest.raises(B.YamlBoundsError, match=r"^r.yml: line 1: alias \*x is used inside its own anchor"):
        B.load_text("a: &x [1, *x]\n", "r.yml")


def test_the_example_manifest_loads_exactly_as_safe_load_does():
    assert B.load_file(str(EXAMPLE)) == yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))


def test_a_few_legitimate_anchors_and_merge_keys_load():
    text = (
        "defaults: &defaults {flavor: m1.small, image: debian-12, volumes: [{name: data, size_gb: 10}]}\n"
        "servers:\n"
        "  - {<<: *defaults, name: web-01}\n"
        "  - {<<: *defaults, name: web-02, flavor: m1.medium}\n"
        "sources: &office [10.1.0.0/24, 10.2.0.0/24]\n"
        "again: *office\n"
        "when: 2026-12-06\n"
    )
    data = B.load_text(text, "anchors.yml")
    assert data == yaml.safe_load(text)
    assert data["servers"][1]["flavor"] == "m1.medium" and data["servers"][0]["volumes"][0]["size_gb"] == 10
    assert data["again"] == ["10.1.0.0/24", "10.2.0.0/24"]


def test_the_limits_count_expanded_size_not_aliases_alone():
    # 3 aliases only, but each to a list of 400 nodes: 1,200 expanded nodes over a limit of 1,000
    text = "big: &big [%s]\nx: [*big, *big, *big]\n" % ", ".join(str(i) for i in range(400))
    with pytest.raises(B.YamlBoundsError, match=r"nodes with aliases expanded \(at alias \*big, line 2\)"):
        B.load_text(text, "t", max_nodes=1000)
    assert len(B.load_text(text, "t")["x"]) == 3


@pytest.mark.parametrize("text, reason", [
    ("a: [1, 2\n", "not valid YAML"),
    ("a: *nope\n", "not valid YAML: found undefined alias"),
    ("a: !!python/object/apply:os.system [id]\n", "not valid YAML"),
])
def test_invalid_or_unsafe_yaml_is_a_bounds_error_naming_the_file(text, reason):
    with pytest.raises(B.YamlBoundsError, match="^f.yml: %s" % reason):
        B.load_text(text, "f.yml")


def test_unreadable_and_non_utf8_files_name_the_file(tmp_path):
    with pytest.raises(B.YamlBoundsError, match="missing.yml: cannot read"):
        B.load_file(str(tmp_path / "missing.yml"))
    path = tmp_path / "latin1.yml"
    path.write_bytes("a: caf\u00e9\n".encode("latin-1"))
    with pytest.raises(B.YamlBoundsError, match="latin1.yml: not UTF-8 text"):
        B.load_file(str(path))


def test_yaml_bounds_error_is_a_value_error():
    assert issubclass(B.YamlBoundsError, ValueError)


@pytest.mark.parametrize("text, limit", [
    (billion_laughs(), "max_nodes"),
    ("b: &b 1\nl: [%s]\n" % ", ".join(["*b"] * 101), "max_aliases"),
    ("[" * 100 + "]" * 100, "max_depth"),
    ("[" * 20000 + "]" * 20000, "max_depth"),
    ("a: &x [1, *x]\n", "max_nodes"),
    ("a: [1, 2\n", None),
])
def test_the_error_names_the_limit_it_exceeded(text, limit):
    with pytest.raises(B.YamlBoundsError) as err:
        B.load_text(text, "t")
    assert err.value.limit == limit


def test_ansible_vault_and_unsafe_tags_are_read_as_text():
    text = "secret: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n  6162\nraw: !unsafe '{{ not templated }}'\n"
    assert B.load_text(text, "vars.yml") == {"secret": "$ANSIBLE_VAULT;1.1;AES256\n6162\n", "raw": "{{ not templated }}"}


def test_check_value_measures_a_loaded_bomb_without_expanding_it(monkeypatch):
    data = yaml.safe_load(billion_laughs())  # PyYAML shares one object per anchor: cheap to build, huge expanded
    with pytest.raises(B.YamlBoundsError) as err:
        B.check_value(data, "the 'application' variable")
    assert err.value.limit == "max_nodes"
    assert str(err.value).startswith("the 'application' variable: ")
    assert "more than the limit of 100,000 (YAML alias bomb?)" in str(err.value)


def test_check_value_counts_the_example_and_its_shared_parts():
    example = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    nodes, size = B.check_value(example, "x")
    assert 300 < nodes < 400 and 2000 < size < 6000
    shared = ["a" * 10]
    assert B.check_value({"x": shared, "y": shared}, "x") == (7, 22)  # 1 + 2 keys + 2 lists + 2 strings


def test_check_value_refuses_text_depth_and_cycles():
    with pytest.raises(B.YamlBoundsError, match="more than the limit of 4,194,304") as err:
        B.check_value({"padding": ["x" * 1024 * 1024] * 5}, "v")
    assert err.value.limit == "max_bytes"
    deep = value = []
    for dummy in range(100):
        value.append([])
        value = value[0]
    with pytest.raises(B.YamlBoundsError, match="nesting 65 levels deep") as err:
        B.check_value(deep, "v")
    assert err.value.limit == "max_depth"
    cyclic = {"a": []}
    cyclic["a"].append(cyclic)
    with pytest.raises(B.YamlBoundsError, match="contains itself"):
        B.check_value(cyclic, "v")
