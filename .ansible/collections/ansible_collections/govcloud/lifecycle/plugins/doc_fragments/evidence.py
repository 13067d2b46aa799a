# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment:
    # Where the ledger, its anchor and the signing key live (shared by every evidence module).
    DOCUMENTATION = r"""
options:
  evidence_dir:
    description:
      - Directory holding the ledger C(ledger.sqlite) (证据台账) on the controller.
      - Defaults to the inventory or playbook variable C(govcloud_evidence_dir), else the environment variable
        E(GOVCLOUD_EVIDENCE_DIR), else C(evidence/<application>) relative to the directory C(ansible-playbook)
        runs in; the C(govcloud.lifecycle.evidence) callback and every role follow the same order.
    type: path
  evidence_key:
    description:
      - Ed25519 private key (PEM) that signs checkpoints of the ledger head (锚定), or for verification also
        just the public key C(<key>.pub).
      - Defaults to the variable C(govcloud_evidence_key), else E(GOVCLOUD_EVIDENCE_KEY), else
        C(~/.config/govcloud-lifecycle/evidence-signing.pem).
      - Generated with mode C(0600) on first use if absent. Keep it away from the evidence directory, as whoever
        holds it can re-sign a rewritten ledger.
    type: path
  evidence_anchor:
    description:
      - File the signed checkpoints are appended to.
      - Defaults to the variable C(govcloud_evidence_anchor), else E(GOVCLOUD_EVIDENCE_ANCHOR), else
        C(ledger.anchors) in O(evidence_dir).
    type: path
notes:
  - The ledger format, redaction rules and the trust model are described in C(docs/evidence.md) of the collection.
"""
