# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every filter the collection keeps is documented beside its plugin (plugins/filter/<name>.yml, as ansible-core
does, or in the plugin file of that one filter, plugins/filter/<name>.py) so that
`ansible-doc -t filter govcloud.lifecycle.<name>` shows it, and the documentation says what the function takes:
its options are the function's arguments, the positional ones in order, every one described."""

from __future__ import annotations

import importlib
import inspect
import pathlib
import subprocess
import sys

import pytest
import yaml

REPO = pathlib.Path(__file__).resolve().parents[4]
FILTER_DIR = REPO / "plugins" / "filter"


def _filters():
    found = {}
    for path in sorted(FILTER_DIR.glob("*.py")):
        module = importlib.import_module("ansible_collections.govcloud.lifecycle.plugins.filter.%s" % path.stem)
        for name, func in module.FilterModule().filters().items():
            assert name not in found, "filter %s defined in %s and %s" % (name, found.get(name), path.name)
            found[name] = inspect.unwrap(func)
    return found


FILTERS = _filters()


def _doc(name):
    """The documentation of filter `name`: its YAML file, else the DOCUMENTATION/EXAMPLES/RETURN of its own .py."""
    path = FILTER_DIR / ("%s.yml" % name)
    if path.exists():
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    module = importlib.import_module("ansible_collections.govcloud.lifecycle.plugins.filter.%s" % name)
    return dict((key, yaml.safe_load(getattr(module, key)) if key != "EXAMPLES" else getattr(module, key))
                for key in ("DOCUMENTATION", "EXAMPLES", "RETURN") if hasattr(module, key))


def test_there_are_filters_and_no_stray_docs():
    docs = set(p.stem for p in FILTER_DIR.glob("*.yml"))
    assert FILTERS and docs <= set(FILTERS), sorted(docs - set(FILTERS))


@pytest.mark.parametrize("name", sorted(FILTERS))
def test_filter_is_documented_with_its_own_arguments(name):
    text = _doc(name)
    assert set(text) == {"DOCUMENTATION", "EXAMPLES", "RETURN"}
    doc = text["DOCUMENTATION"]
    assert doc["name"] == name and doc["short_description"] and doc["description"]
    params = list(inspect.signature(FILTERS[name]).parameters)
    expected = ["_input"] + params[1:]
    assert sorted(doc["options"]) == sorted(expected), "options of %s: %s, the function takes %s" % (
        name, list(doc["options"]), params)
    positional = [p.strip() for p in doc.get("positional", "_input").split(",")]
    assert positional == expected[:len(positional)], "positional of %s: %s, the function takes %s" % (name, positional, params)
    assert all(o.get("description") and o.get("type") for o in doc["options"].values())
    assert "govcloud.lifecycle.%s" % name in text["EXAMPLES"]
    assert text["RETURN"]["_value"]["description"]


def test_ansible_doc_shows_a_filter():
    out = subprocess.run([str(pathlib.Path(sys.executable).parent / "ansible-doc"), "-t", "filter",
                          "govcloud.lifecycle.promotion_plan"], capture_output=True, text=True, cwd=REPO, check=False)
    assert out.returncode == 0 and "promotion_plan" in out.stdout and "RETURN VALUES" in out.stdout, out.stderr
