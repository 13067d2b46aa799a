# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Evidence ledger: the one entry to the evidence rules, for action plugins, the callback, the report and tests.

Schema, per-kind validation, redaction, canonical form, chaining, signed checkpoints (anchor) and
verification.  The action plugins, the callback and the report only call this file.  See docs/evidence.md.

The rules themselves live in private files, one concern each:

- ``module_utils/_evidence_kinds.py``: stages, results, parties, fields, per-kind schemas (the modules'
  argument specs take their choices from it, so it stays in module_utils)
- ``plugin_utils/_evidence_redact.py``: redaction of secrets
- ``plugin_utils/_evidence_record.py``: constants, canonical form, timestamps, record validation
- ``plugin_utils/_evidence_keys.py``: signing keys, seals, the anchor file's line chain
- ``plugin_utils/_evidence_ledger.py`` + ``_evidence_verify.py``: the ledger and its verification
- ``plugin_utils/_evidence_witness.py``: the management unit's witness ledger
"""

from __future__ import annotations

from ansible_collections.govcloud.lifecycle.plugins.module_utils._evidence_kinds import (
    ATTESTATION_METHODS,
    ATTESTATION_RESULTS,
    FIELDS,
    KIND_SCHEMAS,
    KINDS,
    MLPS_CONCLUSIONS,
    PARTIES,
    PARTY_TERMS,
    RESULT_TERMS,
    RESULTS,
    STAGE_TERMS,
    STAGES,
    WITNESS_APPLICATION,
    WITNESS_STAGE,
    EvidenceError,
)
from ansible_collections.govcloud.lifecycle.plugins.plugin_utils._evidence_redact import (
    REDACTED,
    collect_secrets,
    is_secret_key,
    redact,
    scrub_text,
)
from ansible_collections.govcloud.lifecycle.plugins.plugin_utils._evidence_record import (
    ANCHOR_NAME,
    BUSY_TIMEOUT_MS,
    DB_NAME,
    ENV_ANCHOR,
    ENV_APPLICATION,
    ENV_DIR,
    ENV_KEY,
    ENV_KEY_ID,
    ENV_KEY_PIN_DIR,
    ENV_RUN_ID,
    ENV_WITNESS_DIR,
    ENV_WITNESS_KEY,
    GENESIS_HASH,
    SCHEMA_VERSION,
    build_record,
    canonical,
    default_actor,
    format_ts,
    hash_file,
    once_view,
    parse_ts,
    record_hash,
    utc_now,
    validate_details,
)
from ansible_collections.govcloud.lifecycle.plugins.plugin_utils._evidence_keys import (
    HAS_CRYPTOGRAPHY,
    default_key_path,
    key_id,
    load_signing_key,
    load_verify_key,
    pinned_key_id_from_dir,
    resolve_dir,
    resolve_key_path,
    seal_message,
    writable_problem,
)
from ansible_collections.govcloud.lifecycle.plugins.plugin_utils._evidence_ledger import (
    Ledger,
)
from ansible_collections.govcloud.lifecycle.plugins.plugin_utils._evidence_witness import (
    resolve_witness_dir,
    resolve_witness_key,
    Witness,
)

__all__ = (
    "ATTESTATION_METHODS",
    "ATTESTATION_RESULTS",
    "FIELDS",
    "KIND_SCHEMAS",
    "KINDS",
    "MLPS_CONCLUSIONS",
    "PARTIES",
    "PARTY_TERMS",
    "RESULT_TERMS",
    "RESULTS",
    "STAGE_TERMS",
    "STAGES",
    "WITNESS_APPLICATION",
    "WITNESS_STAGE",
    "EvidenceError",
    "REDACTED",
    "collect_secrets",
    "is_secret_key",
    "redact",
    "scrub_text",
    "ANCHOR_NAME",
    "BUSY_TIMEOUT_MS",
    "DB_NAME",
    "ENV_ANCHOR",
    "ENV_APPLICATION",
    "ENV_DIR",
    "ENV_KEY",
    "ENV_KEY_ID",
    "ENV_KEY_PIN_DIR",
    "ENV_RUN_ID",
    "ENV_WITNESS_DIR",
    "ENV_WITNESS_KEY",
    "GENESIS_HASH",
    "SCHEMA_VERSION",
    "build_record",
    "canonical",
    "default_actor",
    "format_ts",
    "hash_file",
    "once_view",
    "parse_ts",
    "record_hash",
    "utc_now",
    "validate_details",
    "HAS_CRYPTOGRAPHY",
    "default_key_path",
    "key_id",
    "load_signing_key",
    "load_verify_key",
    "pinned_key_id_from_dir",
    "resolve_dir",
    "resolve_key_path",
    "seal_message",
    "writable_problem",
    "Ledger",
    "resolve_witness_dir",
    "resolve_witness_key",
    "Witness",
)
