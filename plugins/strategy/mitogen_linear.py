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
"""

from ansible.errors import AnsibleError
from ansible.plugins.strategy.linear import StrategyModule as LinearStrategy

try:
    # Mitogen's loaders before its strategy mix-in
    import ansible_mitogen.loaders  # noqa: F401  pylint: disable=unused-import
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


class StrategyModule(StrategyMixin, LinearStrategy):
    """Mitogen's mix-in over the built-in linear strategy."""
