# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The strategy plugin: Mitogen's mix-in over the built-in linear strategy, or a clear refusal without Mitogen.
(That a playbook really runs its modules in Mitogen's interpreters: tests/playbooks/test_strategy_playbooks.py.)"""

from __future__ import annotations

import importlib
import sys

import pytest
from ansible.errors import AnsibleError
from ansible.plugins.strategy.linear import StrategyModule as LinearStrategy

NAME = "ansible_collections.govcloud.lifecycle.plugins.strategy.mitogen_linear"


def test_mitogen_mixin_over_linear():
    from ansible_mitogen.strategy import StrategyMixin
    plugin = importlib.import_module(NAME)
    assert plugin.MITOGEN_IMPORT_ERROR is None
    mro = plugin.StrategyModule.__mro__
    assert StrategyMixin in mro and LinearStrategy in mro
    assert mro.index(StrategyMixin) < mro.index(LinearStrategy)


def test_without_mitogen_the_strategy_refuses_to_start(monkeypatch):
    # as if the package were not installed: the plugin must still import, and say what to do when used
    for mod in [m for m in sys.modules if m == "ansible_mitogen" or m.startswith("ansible_mitogen.")]:
        monkeypatch.delitem(sys.modules, mod)
    monkeypatch.setitem(sys.modules, "ansible_mitogen", None)
    monkeypatch.delitem(sys.modules, NAME, raising=False)
    plugin = importlib.import_module(NAME)
    try:
        assert plugin.MITOGEN_IMPORT_ERROR is not None
        with pytest.raises(AnsibleError, match=r"needs the Python package 'mitogen'.*ANSIBLE_STRATEGY=linear"):
            plugin.StrategyModule(None)
    finally:
        sys.modules.pop(NAME, None)


class _Invocation:  # pylint: disable=too-few-public-methods
    """What Mitogen's _load_collections touches of its Invocation."""

    def __init__(self):
        self._extra_sys_paths = set()


def test_collections_looked_up_once_and_mitogen_gets_the_same_paths(monkeypatch):
    import ansible.collections.list
    import ansible_mitogen.planner
    plugin = importlib.import_module(NAME)
    installed = [b"/site/ansible_collections/openstack/cloud", b"/work/collections/ansible_collections/govcloud/lifecycle"]
    calls = []

    def lookup():
        calls.append(1)
        return iter(installed)

    # what Mitogen's own lookup gives an invocation (it asks ansible.collections.list each time)
    monkeypatch.setattr(ansible.collections.list, "list_collection_dirs", lookup)
    monkeypatch.setattr(ansible_mitogen.planner, "_load_collections", ansible_mitogen.planner._load_collections)
    mitogens = _Invocation()
    ansible_mitogen.planner._load_collections(mitogens)
    assert mitogens._extra_sys_paths == {path.decode() for path in installed}

    monkeypatch.setattr(plugin, "_COLLECTION_DIRS", None)
    monkeypatch.setattr(plugin, "list_collection_dirs", lookup)
    calls.clear()
    plugin.look_up_collections_once()
    plugin.look_up_collections_once()
    for _attempt in range(3):
        ours = _Invocation()
        ansible_mitogen.planner._load_collections(ours)
        assert ours._extra_sys_paths == mitogens._extra_sys_paths
    # one lookup for the process, however many invocations
    assert calls == [1]
