# Make `ansible_collections.govcloud.lifecycle` importable from this checkout, the way Ansible imports it,
# without installing the collection: link the checkout into .work/collections (same as `make collection`).
from __future__ import annotations

import os
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COLLECTIONS = os.path.join(REPO, ".work", "collections")
LINK = os.path.join(COLLECTIONS, "ansible_collections", "govcloud", "lifecycle")

if not os.path.lexists(LINK):
    os.makedirs(os.path.dirname(LINK), exist_ok=True)
    os.symlink(REPO, LINK)
if COLLECTIONS not in sys.path:
    sys.path.insert(0, COLLECTIONS)


import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _own_witness(tmp_path_factory, monkeypatch):
    """Each test has its own management-unit witness (docs/evidence.md): a ledger one test deletes and makes anew
    must not look "replaced" to another test's witness, and no test writes to the operator's default one."""
    base = tmp_path_factory.mktemp("witness")
    monkeypatch.setenv("GOVCLOUD_WITNESS_DIR", str(base / "ledger"))
    monkeypatch.setenv("GOVCLOUD_WITNESS_KEY", str(base / "witness-signing.pem"))
    # intake pins the ledger's key id in the inventory it ran with: a test's intake on inventories/example pins
    # into its own directory of pins instead (made beforehand, as an operator would), never into the inventory
    (base / "pins").mkdir()
    monkeypatch.setenv("GOVCLOUD_EVIDENCE_KEY_PIN_DIR", str(base / "pins"))
