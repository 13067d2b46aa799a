# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The environment of a real ansible-playbook run of this checkout, shared by the playbook tests."""

from __future__ import annotations

import os
import pathlib
import sys

import pytest

REPO = pathlib.Path(__file__).resolve().parents[4]
PLAYBOOK_BIN = pathlib.Path(sys.executable).parent / "ansible-playbook"


def playbook_env(tmp_path, **extra):
    """This checkout's ansible.cfg, no colour or retry files; the ledger, its key and Ansible's temp under tmp_path."""
    if not (REPO / ".work" / "collections" / "ansible_collections" / "govcloud" / "lifecycle").exists():
        pytest.fail("the collection is not linked: run `make collection` first")
    return dict(os.environ, ANSIBLE_CONFIG=str(REPO / "ansible.cfg"), ANSIBLE_NOCOLOR="1",
                ANSIBLE_RETRY_FILES_ENABLED="0", GOVCLOUD_EVIDENCE_DIR=str(tmp_path / "evidence"),
                GOVCLOUD_EVIDENCE_KEY=str(tmp_path / "evidence-signing.pem"),
                ANSIBLE_LOCAL_TEMP=str(tmp_path / "ansible-tmp"), **extra)
