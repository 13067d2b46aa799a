# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this module_util is **PRIVATE** to the collection: it can change at any time.

"""Argument specs of the evidence modules, shared by the doc modules and the action plugins that run them."""

from __future__ import annotations

from ansible_collections.govcloud.lifecycle.plugins.module_utils.evidence import KINDS, PARTIES, RESULTS, STAGES

EVIDENCE_OPTIONS = dict(
    evidence_dir=dict(type="path"),
    evidence_key=dict(type="path", no_log=False),
    evidence_anchor=dict(type="path"),
)

# The fields of one record: the single-record options of evidence_record and each item of its `records` list.
RECORD_FIELDS = dict(
    kind=dict(type="str", required=True, choices=list(KINDS)),
    stage=dict(type="str", choices=list(STAGES)),
    clauses=dict(type="list", elements="str", default=[]),
    party=dict(type="str", choices=list(PARTIES)),
    actor=dict(type="str"),
    targets=dict(type="list", elements="str"),
    result=dict(type="str", choices=list(RESULTS)),
    summary=dict(type="str", default=""),
    details=dict(type="dict", default={}),
    artifacts=dict(type="list", elements="raw", default=[]),
)

RECORD_SPEC = dict(
    argument_spec=dict(
        EVIDENCE_OPTIONS,
        application=dict(type="str", required=True),
        # each item holds RECORD_FIELDS; the action plugin validates them item by item to name the failing index
        records=dict(type="list", elements="dict"),
        once=dict(type="bool", default=False),
        checkpoint=dict(type="bool", default=True),
        # a single record: the same fields, kind is then required through required_one_of
        **dict((name, dict((k, v) for k, v in spec.items() if k != "required")) for name, spec in RECORD_FIELDS.items())
    ),
    required_one_of=[("kind", "records")],
    mutually_exclusive=[("records", name) for name in RECORD_FIELDS],
)

VERIFY_SPEC = dict(
    argument_spec=dict(
        EVIDENCE_OPTIONS,
        application=dict(type="str"),
        require_anchor=dict(type="bool", default=True),
        require_witness=dict(type="bool", default=True),
        fail_on_error=dict(type="bool", default=True),
    ),
    required_one_of=[("evidence_dir", "application")],
)

INFO_SPEC = dict(
    argument_spec=dict(
        EVIDENCE_OPTIONS,
        application=dict(type="str"),
        stage=dict(type="list", elements="str", choices=list(STAGES)),
        kind=dict(type="list", elements="str", choices=list(KINDS)),
        clause=dict(type="list", elements="str"),
        result=dict(type="list", elements="str", choices=list(RESULTS)),
        since=dict(type="str"),
        until=dict(type="str"),
        limit=dict(type="int"),
        newest_first=dict(type="bool", default=False),
        verify=dict(type="bool", default=True),
    ),
    required_one_of=[("evidence_dir", "application")],
)

GATE_SPEC = dict(
    argument_spec=dict(
        EVIDENCE_OPTIONS,
        application=dict(type="str", required=True),
        stage=dict(type="str", required=True, choices=list(STAGES)),
        filing_window_days=dict(type="int", default=30),
        approvals=dict(type="list", elements="dict", default=[]),
        rectification=dict(type="dict", default={}),
        as_of=dict(type="str"),
        record=dict(type="bool", default=True),
        actor=dict(type="str"),
    ),
)

CONFIRM_SPEC = dict(
    argument_spec=dict(
        variable=dict(type="str", required=True),
        expected=dict(type="str", required=True),
        what=dict(type="str", default="this destructive run"),
        fail_on_mismatch=dict(type="bool", default=True),
    ),
)
