# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this module_util is **PRIVATE** to the collection: it can change at any time.

"""Argument specs of the modules that run as action plugins, shared by the doc modules and their action plugins.

The one home of these specs: a module (plugins/modules/, what ansible-doc and validate-modules read) and its
action plugin (plugins/action/, what runs) take the same object from here.  block_wipe, the one module that runs
on managed hosts, keeps its spec beside its code so that it ships nothing but module_utils/_wipe.py.
"""

from __future__ import annotations

from ansible_collections.govcloud.lifecycle.plugins.module_utils._evidence_kinds import KINDS, PARTIES, RESULTS, STAGES
from ansible_collections.govcloud.lifecycle.plugins.module_utils._yaml_bounds import MAX_ALIASES, MAX_BYTES, MAX_DEPTH, MAX_NODES
from ansible_collections.govcloud.lifecycle.plugins.module_utils.manifest import DEFAULT_MAX_TRIAL_DAYS, DEFAULT_RESERVED_CIDRS

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

LANGUAGES = ("zh-CN", "en")
FORMATS = ("html", "json", "oscal")

REPORT_ARGUMENT_SPEC = dict(
    EVIDENCE_OPTIONS,
    application=dict(type="str"),
    dest=dict(type="path", required=True),
    language=dict(type="str", default="zh-CN", choices=list(LANGUAGES)),
    formats=dict(type="list", elements="str", default=list(FORMATS), choices=list(FORMATS)),
    as_of=dict(type="str"),
    mlps_level=dict(type="int", choices=[1, 2, 3, 4, 5]),
    approval_working_days=dict(type="int", default=5),
    filing_window_days=dict(type="int", default=30),
    assessment_interval_months=dict(type="dict", default={"3": 12, "4": 6}),
    holidays=dict(type="list", elements="str", default=[]),
    extra_workdays=dict(type="list", elements="str", default=[]),
    utc_offset=dict(type="str", default="+08:00"),
    recent_records=dict(type="int", default=20),
    rectification=dict(type="dict", default={}),
    pdf=dict(type="bool", default=False),
    chromium=dict(type="path", default="/usr/bin/chromium"),
)
REPORT_SPEC = dict(argument_spec=REPORT_ARGUMENT_SPEC, required_one_of=[("evidence_dir", "application")])

MANIFEST_VALIDATE_SPEC = dict(
    argument_spec=dict(
        manifest=dict(type="raw"),
        flavors=dict(type="dict"),
        reserved_cidrs=dict(type="list", elements="str", default=list(DEFAULT_RESERVED_CIDRS)),
        cloud_reserved_cidrs=dict(type="list", elements="str", default=[]),
        occupied_cidrs=dict(
            type="list", elements="dict", default=[],
            options=dict(cidr=dict(type="str", required=True), owner=dict(type="str", default="another application")),
        ),
        max_trial_days=dict(type="int", default=DEFAULT_MAX_TRIAL_DAYS),
        policy=dict(type="raw"),
        gate=dict(type="str", choices=["none", "application", "allocation"], default="none"),
        evidence_dir=dict(type="path"),
    ),
)

MANIFEST_PREFLIGHT_SPEC = dict(
    argument_spec=dict(
        variable=dict(type="str", default="application"),
        files=dict(type="list", elements="path", default=[]),
        max_bytes=dict(type="int", default=MAX_BYTES),
        max_aliases=dict(type="int", default=MAX_ALIASES),
        max_nodes=dict(type="int", default=MAX_NODES),
        max_depth=dict(type="int", default=MAX_DEPTH),
    ),
)
