# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import os
import sys

import pytest

# The collection must be importable as ansible_collections.govcloud.lifecycle: `make collection` links the
# checkout there (ansible-test puts it on sys.path by itself).
_REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
_COLLECTIONS = os.path.join(_REPO, ".work", "collections")
if os.path.isdir(os.path.join(_COLLECTIONS, "ansible_collections", "govcloud", "lifecycle")):
    sys.path.insert(0, _COLLECTIONS)


@pytest.fixture(autouse=True)
def _isolated_evidence_env(tmp_path, monkeypatch):
    """No test may read or write the operator's key, evidence dir or anchor."""
    monkeypatch.setenv("GOVCLOUD_EVIDENCE_KEY", str(tmp_path / "keys" / "evidence-signing.pem"))
    for name in ("GOVCLOUD_EVIDENCE_DIR", "GOVCLOUD_EVIDENCE_ANCHOR", "GOVCLOUD_EVIDENCE_APPLICATION"):
        monkeypatch.delenv(name, raising=False)
