# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Why a plugin of our own: Mitogen's strategies live in its package directory, whose path differs between the
# controller venv, an execution environment and an operator's machine.  Under this collection's name the same
# strategy is found wherever the collection and the pinned `mitogen` package are installed, with no path in any
# configuration.  Nothing of Mitogen is copied here: the class is Mitogen's mix-in over the built-in linear strategy.

from __future__ import annotations

DOCUMENTATION = r"""
name: mitogen_linear
short_description: The linear strategy, with modules run in Mitogen's persistent interpreters
version_added: 1.0.0
description:
  - "The built-in C(linear) strategy (tasks in order, each on all hosts before the next) with the execution of
    modules handed to L(Mitogen for Ansible,https://mitogen.networkgenomics.com/ansible_detailed.html): one
    persistent Python interpreter per host and user, reached over one connection, so a module's imports
    (openstacksdk, about 0.3 s of CPU per task) are paid once per run instead of once per task."
  - "Same tasks, results, check mode, diff and evidence records as C(linear); the project's C(ansible.cfg) and
    Molecule base config select it, C(ANSIBLE_STRATEGY=linear) runs the same playbooks without it."
  - "Needs the Python package C(mitogen) (pinned in tools/toolchain/constraints.txt and in the execution
    environment). Without it the play is refused at its start with a message saying so; nothing has run."
requirements:
  - mitogen
notes:
  - "A module that raises an unexpected exception fails as with C(linear), but ansible-core's runner makes the
    exception's text the result's C(msg), Mitogen's runner does not: C(msg) is then C(Module result deserialization
    failed) and the traceback is in C(module_stderr). A role that shows a module's error to the operator reads the
    traceback's last line (roles/tenant, the keypair login)."
  - "ansible-core warns that strategy plugins outside C(ansible.builtin) are deprecated; docs/operations.md says
    what the project does when that support ends (C(linear): the same results, slower)."
  - "Mitogen looks up the installed collections' directories (for the module's imports on the host) once per
    collection module call, in the task's worker process, so the answer never outlives the task: about 0.1 s of
    controller CPU each time with the ~90 collections of the C(ansible) package. This strategy looks them up once,
    in the controller's main process before any worker starts, and Mitogen's lookup uses that list."
"""

from ansible.errors import AnsibleError
from ansible.plugins.strategy.linear import StrategyModule as LinearStrategy

from ansible.collections.list import list_collection_dirs

try:
    # Mitogen's loaders before its strategy mix-in
    import ansible_mitogen.loaders  # noqa: F401  pylint: disable=unused-import
    import ansible_mitogen.planner
    from ansible_mitogen.strategy import StrategyMixin
except ImportError as exc:
    MITOGEN_IMPORT_ERROR = exc

    class StrategyMixin:  # pylint: disable=too-few-public-methods
        """Stands in for Mitogen's mix-in only so that the module imports; the strategy refuses to start."""

        def __init__(self, *args, **kwargs):
            raise AnsibleError(
                "strategy govcloud.lifecycle.mitogen_linear needs the Python package 'mitogen' on the controller "
                "(%s): install the project's pins (make deps) or run with ANSIBLE_STRATEGY=linear"
                % MITOGEN_IMPORT_ERROR)
else:
    MITOGEN_IMPORT_ERROR = None


# the installed collections' directories, looked up once per controller process (see notes)
_COLLECTION_DIRS = None


def _load_collections_once(invocation):
    """Mitogen's _load_collections (the same paths for the invocation), from the list made before the workers."""
    invocation._extra_sys_paths.update(_COLLECTION_DIRS)  # pylint: disable=protected-access


def look_up_collections_once():
    """Make the list in this (the main) process and have Mitogen's planner use it; forked workers inherit both.

    Without the planner hook (another Mitogen version) Mitogen keeps looking them up itself: slower, the same.
    """
    global _COLLECTION_DIRS  # pylint: disable=global-statement
    if _COLLECTION_DIRS is None:
        _COLLECTION_DIRS = tuple(path.decode("utf-8") for path in list_collection_dirs())
    if MITOGEN_IMPORT_ERROR is None and hasattr(ansible_mitogen.planner, "_load_collections"):
        ansible_mitogen.planner._load_collections = _load_collections_once  # pylint: disable=protected-access


class StrategyModule(StrategyMixin, LinearStrategy):
    """Mitogen's mix-in over the built-in linear strategy."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        look_up_collections_once()
