# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Over 500 lines with a reason: 110 of them are its DOCUMENTATION, the rest is one class whose hooks share the
# run's state (play, task, host contexts); the evidence rules it calls are in plugin_utils/evidence.py.

from __future__ import annotations

DOCUMENTATION = r"""
name: evidence
type: notification
short_description: Record every changed or failed task in the evidence ledger (证据台账)
version_added: 1.0.0
description:
  - Appends one C(task) record per host for every task that changed something or failed (also unreachable
    hosts) to the evidence ledger of the application, with host, play, task name, module, role, clause
    references taken from the task's tags, duration, redacted arguments and, for failures, the message.
  - "Clause tags: C(clause_5_3) becomes clause C(5.3) of the standard, C(mlps_8_1_4_1_a) becomes
    GB/T 22239-2019 control C(8.1.4.1.a)."
  - Tasks with C(no_log) are recorded as censored - host, task name, module, duration - never their
    arguments or results. Secrets are redacted from everything else (see docs/evidence.md).
  - Each record is committed, sealed with the evidence key, as its result arrives (a killed run keeps every record
    of what it did so far); a loop is recorded item by item with the rendered arguments, and for C(openstack.cloud)
    modules the resource type, name, id and state. The head is signed (checkpoint) into the anchor file and the
    management unit's witness at the end of the playbook.
  - Output is not stored as such. Stdout, stderr and the failure message become a redacted excerpt with the
    SHA-256 and length of the full text, so an auditor can match an artifact without the ledger holding it.
  - Values of variables a C(no_log) task used are secrets for the rest of the run, wherever they reappear.
  - A task started in the background (C(async), C(poll=0)) is recorded when the C(async_status) task that waits
    for it sees the job end, under the launching task's name, module, arguments and tags (C(details.waited_by)
    names the wait). A C(no_log) launch's job id is censored before any callback sees it, so its wait must be
    C(no_log) too; it is recorded, censored, under the wait's name.
  - A task run in check mode is not recorded (it changed nothing; its prediction is in the run's output), so a
    C(--check) run leaves the ledger as it was; a task with C(check_mode=false) in a check run is recorded.
  - Evidence trouble never fails a playbook, but it is never silent either. A failed write is shown as a
    warning naming the number of records lost, repeated in the recap, and the next successful write adds
    an C(evidence_gap) record (result V(gap)) to the ledger, so an auditor sees the hole.
  - Tasks of M(govcloud.lifecycle.evidence_record), M(govcloud.lifecycle.lifecycle_gate) and the other
    evidence modules are not recorded again, as they record themselves.
requirements:
  - Enable in C(ansible.cfg) with C(callbacks_enabled = govcloud.lifecycle.evidence).
options:
  evidence_dir:
    description:
      - Directory of the ledger when the play does not set the variable C(govcloud_evidence_dir) (which wins, as
        it does for the evidence modules and every role). Default C(evidence/<application>) relative to the
        directory C(ansible-playbook) runs in, the same default as the evidence modules use.
    type: path
    env:
      - name: GOVCLOUD_EVIDENCE_DIR
    ini:
      - section: callback_evidence
        key: evidence_dir
  application:
    description:
      - Application system id the records belong to.
      - If unset, the extra var or play var C(govcloud_evidence_application) is used; if none is set either,
        V(unassigned) with a warning.
    type: str
    env:
      - name: GOVCLOUD_EVIDENCE_APPLICATION
    ini:
      - section: callback_evidence
        key: application
  stage:
    description:
      - Lifecycle stage of the records.
      - If unset, the extra var or play var C(govcloud_evidence_stage), else the stage of the operator playbook
        (C(intake.yml) V(application), C(onboard.yml) V(resource_allocation), ...; a playbook named after a stage
        is that stage), else V(deployment).
    type: str
    env:
      - name: GOVCLOUD_EVIDENCE_STAGE
    ini:
      - section: callback_evidence
        key: stage
  party:
    description: Responsible party of the recorded changes (职责分工).
    type: str
    default: cloud_service_provider
    choices: [cloud_service_provider, customer, management_unit]
    env:
      - name: GOVCLOUD_EVIDENCE_PARTY
    ini:
      - section: callback_evidence
        key: party
  actor:
    description: Who runs the playbook. Default C(user@controller).
    type: str
    env:
      - name: GOVCLOUD_EVIDENCE_ACTOR
    ini:
      - section: callback_evidence
        key: actor
  evidence_key:
    description:
      - Ed25519 key that signs the checkpoint at the end of the playbook; generated (mode C(0600)) if absent.
      - Default C(~/.config/govcloud-lifecycle/evidence-signing.pem).
    type: path
    env:
      - name: GOVCLOUD_EVIDENCE_KEY
    ini:
      - section: callback_evidence
        key: evidence_key
  evidence_anchor:
    description: File the signed checkpoints are appended to. Default C(ledger.anchors) in the evidence directory.
    type: path
    env:
      - name: GOVCLOUD_EVIDENCE_ANCHOR
    ini:
      - section: callback_evidence
        key: evidence_anchor
  batch_size:
    description:
      - Commit when this many records are waiting. The default V(1) commits each record as its result arrives,
        so that a killed run loses no record of a change it made; larger values trade that for speed.
    type: int
    default: 1
    env:
      - name: GOVCLOUD_EVIDENCE_BATCH_SIZE
    ini:
      - section: callback_evidence
        key: batch_size
"""

import atexit
import datetime
import hashlib
import json
import os
import re
import time

from ansible.plugins.callback import CallbackBase
from ansible.template import Templar

from ansible_collections.govcloud.lifecycle.plugins.plugin_utils.evidence import (
    ENV_APPLICATION,
    STAGES,
    EvidenceError,
    Ledger,
    build_record,
    collect_secrets,
    default_actor,
    format_ts,
    is_secret_key,
    pinned_key_id_from_dir,
    resolve_dir,
)

_CLAUSE_TAG = re.compile(r"^clause_(\d+(?:_\d+)*)$")
_JX_TAG = re.compile(r"^clause_jx_(\d+(?:_\d+)*)$")
_MLPS_TAG = re.compile(r"^mlps_(\d+(?:_\d+)*)(?:_([a-z]))?$")
_SELF_RECORDING = frozenset(("evidence_record", "evidence_verify", "evidence_info", "lifecycle_gate"))
_MAX_VALUE = 2048
_EXCERPT = 240
_UNASSIGNED = "unassigned"
_NO_LOG_MASK = "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
_OUTPUTS = ("msg", "stdout", "stderr")
_TEMPLATE = re.compile(r"\{\{(.*?)\}\}|\{%(.*?)%\}", re.DOTALL)
_COMMAND_ARGS = frozenset(("_raw_params", "cmd", "argv", "stdin"))
_NOT_SECRET_VARS = ("ansible_", "inventory_", "item", "application", "groups", "hostvars", "omit", "play_")
_NAME = re.compile(r"(?<![.\w'\"])([A-Za-z_][A-Za-z0-9_]*)")
# The stage of each operator playbook (playbooks/*.yml) whose name is not a stage itself.
PLAYBOOK_STAGES = {
    "intake": "application", "approve": "approval", "onboard": "resource_allocation", "trial": "trial",
    "trial_expiry": "trial", "harden": "hardening", "assess": "security_assessment", "promote": "formal_operation",
    "record_security_assessment": "security_assessment", "record_mlps_assessment": "mlps_assessment",
    "record_filing": "filing",
}


def clauses_from_tags(tags):
    """clause_jx_2_2 -> JX-2.2 (lifecycle clause of data/catalog/lifecycle_clauses.yml); clause_5_3 -> 5.3
    (standard clause); mlps_8_1_4_1_a -> 8.1.4.1.a (GB/T 22239 control)."""
    found = []
    for tag in tags or ():
        tag = str(tag)
        match = _JX_TAG.match(tag)
        if match:
            found.append("JX-" + match.group(1).replace("_", "."))
            continue
        match = _CLAUSE_TAG.match(tag)
        if match:
            found.append(match.group(1).replace("_", "."))
            continue
        match = _MLPS_TAG.match(tag)
        if match:
            found.append(match.group(1).replace("_", ".") + ("." + match.group(2) if match.group(2) else ""))
    return sorted(set(found), key=found.index)


def _output(text):
    """What is kept of a task's output: a redactable excerpt, and the SHA-256 and length of the full text."""
    text = text if isinstance(text, str) else json.dumps(text, default=str, ensure_ascii=False)
    raw = text.encode("utf-8", "replace")
    excerpt = text[:_EXCERPT] + (" ... (%d more characters)" % (len(text) - _EXCERPT) if len(text) > _EXCERPT else "")
    return {"excerpt": excerpt, "sha256": hashlib.sha256(raw).hexdigest(), "length": len(text)}


def _resource(action, args, res):
    """Type, name, id and state of the cloud resource an openstack.cloud task acted on (deletions above all)."""
    if not action.startswith("openstack.cloud.") or not isinstance(args, dict):
        return None
    kind = action.rsplit(".", 1)[-1]
    found = {"type": kind}
    if kind in ("resource", "resources"):
        # the generic modules name their resource by service and type, and find it by its attributes
        attributes = args.get("attributes") if isinstance(args.get("attributes"), dict) else {}
        found["type"] = str(args.get("type") or kind)
        args = dict(attributes, state=args.get("state"), service=args.get("service"))
    for key in ("name", "id", "state", "service", "server", "volume", "project"):
        value = args.get(key)
        if isinstance(value, (str, int)) and not isinstance(value, bool) and str(value):
            found[key] = str(value)
    returned = res.get(kind) if isinstance(res.get(kind), dict) else res
    if isinstance(returned, dict) and isinstance(returned.get("id"), str):
        found["id"] = returned["id"]
    # a module that takes the id as its name (openstack.cloud.router name=<id>) returns nothing once it is gone:
    # the loop item that id came from says it is one
    item = res.get(res.get("ansible_loop_var") or "item")
    if "id" not in found and isinstance(item, dict) and str(item.get("id") or "") in found.values():
        found["id"] = str(item["id"])
    return found


def _short(value):
    """JSON-safe copy with long strings cut, so one huge argument cannot bloat the ledger."""
    if isinstance(value, dict):
        return {str(k): _short(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_short(v) for v in value]
    if value is None or isinstance(value, (bool, int, float)):
        return value
    text = str(value)
    return text if len(text) <= _MAX_VALUE else text[:_MAX_VALUE] + "... (%d characters cut)" % (len(text) - _MAX_VALUE)


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "notification"
    CALLBACK_NAME = "govcloud.lifecycle.evidence"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, display=None):
        super().__init__(display=display)
        self._buffer = []           # (directory, prepared body)
        self._ledgers = {}          # directory -> Ledger (one connection each)
        self._starts = {}           # (host, task uuid) -> start time
        self._task_start = time.time()
        self._playbook = None
        self._play = None
        self._play_application = None
        self._play_stage = None
        self._play_dir = None
        self._play_key = None
        self._play_key_id = None
        self._host_secrets = {}     # host name -> secret values of its variables, per play
        self._run_secrets = set()   # values no_log tasks used: secret for the rest of the run
        self._items_seen = set()    # (host, task uuid) of loops recorded item by item
        self._async_jobs = {}       # (host, async job id) -> the launching task's action, name, tags, path
        self._lost = 0
        self._lost_since = None
        self._errors = []
        self._written = 0
        self._warned_unassigned = False
        self._options_ready = False
        self._actor = None
        self._dirs = {}             # application -> evidence directory
        atexit.register(self._at_exit)

    # -- options and context ------------------------------------------------------------------------
    def _opt(self, name):
        if not self._options_ready:
            self.set_options()
            self._options_ready = True
        return self.get_option(name)

    def set_options(self, task_keys=None, var_options=None, direct=None):
        super().set_options(task_keys=task_keys, var_options=var_options, direct=direct)
        self._options_ready = True

    def _play_var(self, play, name):
        """Extra var, else the play's view of the variable (play vars, then the inventory vars of the play's
        first host, e.g. ``group_vars/all``), templated: ``"{{ application.id }}"`` is the usual form."""
        try:
            manager = play.get_variable_manager()
            extra = manager.extra_vars
            if extra.get(name):
                return str(extra[name])
            inventory = getattr(manager, "_inventory", None)
            hosts = inventory.get_hosts(play.hosts) if inventory is not None else []
            variables = manager.get_vars(play=play, host=hosts[0] if hosts else None, include_hostvars=False)
            value = variables.get(name)
            if isinstance(value, str) and "{" in value:
                value = Templar(loader=getattr(play, "_loader", None), variables=variables).template(value)
        except Exception:  # evidence trouble must never break the playbook; unassigned is then warned about
            return None
        return str(value) if isinstance(value, (str, int)) and str(value) else None

    def _context(self):
        application = self._opt("application") or os.environ.get(ENV_APPLICATION) or self._play_application
        if not application:
            application = _UNASSIGNED
            if not self._warned_unassigned:
                self._warned_unassigned = True
                self._display.warning("govcloud.lifecycle.evidence: no application id set (GOVCLOUD_EVIDENCE_APPLICATION, "
                                      "[callback_evidence] application or var govcloud_evidence_application); "
                                      "recording under '%s'" % _UNASSIGNED)
        stage = self._opt("stage") or self._play_stage
        if not stage and self._playbook:
            name = os.path.splitext(os.path.basename(self._playbook))[0]
            stage = name if name in STAGES else PLAYBOOK_STAGES.get(name)
        return application, stage or "deployment"

    # -- playbook events ------------------------------------------------------------------------------
    def v2_playbook_on_start(self, playbook):
        self._playbook = getattr(playbook, "_file_name", None)

    def v2_playbook_on_play_start(self, play):
        self._flush()
        self._play = play
        self._host_secrets = {}
        self._play_application = self._play_var(play, "govcloud_evidence_application")
        self._play_stage = self._play_var(play, "govcloud_evidence_stage")
        self._play_dir = self._play_var(play, "govcloud_evidence_dir")
        self._play_key = self._play_var(play, "govcloud_evidence_key")
        self._play_key_id = self._play_var(play, "govcloud_evidence_key_id")

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._task_start = time.time()

    def v2_playbook_on_handler_task_start(self, task):
        self._task_start = time.time()

    def v2_runner_on_start(self, host, task):
        self._starts[(host.get_name(), task._uuid)] = time.time()

    def v2_runner_on_ok(self, result):
        self._note_no_log(result)
        self._note_async_launch(result)
        if self._loop_done(result):
            return
        if result._result.get("changed", False):
            self._record(result, "changed")
        else:
            self._forget(result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._note_no_log(result)
        if self._loop_done(result):
            return
        self._record(result, "fail", ignore_errors=ignore_errors)

    # A loop is recorded item by item, as each item's result arrives, with that item's rendered arguments.
    def v2_runner_item_on_ok(self, result):
        self._items_seen.add((result._host.get_name(), result._task._uuid))
        self._note_async_launch(result)
        if result._result.get("changed", False):
            self._record(result, "changed", item=True)

    def v2_runner_item_on_failed(self, result):
        self._items_seen.add((result._host.get_name(), result._task._uuid))
        self._record(result, "fail", item=True, ignore_errors=bool(getattr(result._task, "ignore_errors", False)))

    def v2_runner_item_on_skipped(self, result):
        self._items_seen.add((result._host.get_name(), result._task._uuid))

    def _note_no_log(self, result):
        """Every no_log task, changed or not (a set_fact of a password changes nothing), teaches the run its secrets."""
        task = result._task
        if getattr(task, "no_log", False) or result._result.get("_ansible_no_log"):
            try:
                self._learn_no_log_secrets(result._host, task)
            except Exception as exc:  # evidence trouble must never break the playbook
                self._trouble("could not read the secrets of no_log task '%s': %s" % (task.get_name(), exc), 0)

    @staticmethod
    def _job_started(res):
        """An async launch (poll 0): the job runs on, its result comes with the wait."""
        return bool(res.get("ansible_job_id") and res.get("started") and not res.get("finished"))

    def _note_async_launch(self, result):
        """A task started in the background (async, poll 0) changes the cloud only when its job ends: the
        async_status task that waits for it then gets the record, under the launching task's module, name and
        tags, so the evidence names the resource exactly as a foreground run does."""
        res = result._result
        if self._job_started(res):
            task = result._task
            self._async_jobs[(result._host.get_name(), str(res["ansible_job_id"]))] = {
                "action": getattr(task, "_resolved_action", None) or task.action, "task": task.get_name(),
                "task_path": task.get_path(), "tags": sorted(str(t) for t in (task.tags or ())),
                "no_log": bool(getattr(task, "no_log", False) or res.get("_ansible_no_log")),
                # the job's result has no invocation: its arguments are the launch's, redacted as any task's raw
                # arguments are (the host's secret variables are added at the wait, for the same host)
                "args": dict(task.args or {}), "secrets": collect_secrets(task.args or {})}

    def _launch_of(self, host, action, res):
        """The launching task of a finished background job an async_status result reports, else None."""
        if action.rsplit(".", 1)[-1] != "async_status" or not res.get("finished"):
            return None
        return self._async_jobs.pop((host, str(res.get("ansible_job_id"))), None)

    def _loop_done(self, result):
        """The loop's own result after its items: already recorded item by item."""
        key = (result._host.get_name(), result._task._uuid)
        if key in self._items_seen or isinstance(result._result.get("results"), list):
            self._items_seen.discard(key)
            self._forget(result)
            return True
        return False

    def v2_runner_on_unreachable(self, result):
        self._record(result, "fail", unreachable=True)

    def v2_runner_on_skipped(self, result):
        self._forget(result)

    def v2_playbook_on_stats(self, stats):
        self._flush()
        for ledger in self._ledgers.values():
            try:
                ledger.checkpoint()
            except EvidenceError as exc:
                self._trouble("could not sign the ledger head (checkpoint): %s" % exc, 0)
        self._close()
        if self._lost:
            self._display.warning("govcloud.lifecycle.evidence: %d task record(s) of this run are NOT in the evidence "
                                  "ledger: %s" % (self._lost, "; ".join(self._errors[-3:])))

    # -- recording --------------------------------------------------------------------------------------
    def _forget(self, result):
        self._starts.pop((result._host.get_name(), result._task._uuid), None)

    def _record(self, result, outcome, ignore_errors=False, unreachable=False, item=False):
        try:
            self._buffer_record(result, outcome, ignore_errors, unreachable, item)
        except Exception as exc:  # evidence trouble must never break the playbook
            self._trouble("could not build the record of task '%s': %s" % (result._task.get_name(), exc), 1)
            return
        if len(self._buffer) >= max(1, int(self._opt("batch_size") or 1)):
            self._flush()

    def _buffer_record(self, result, outcome, ignore_errors, unreachable, item=False):
        task = result._task
        action = getattr(task, "_resolved_action", None) or task.action
        if action.rsplit(".", 1)[-1] in _SELF_RECORDING and (action.startswith("govcloud.lifecycle.") or "." not in action):
            return
        host = result._host.get_name()
        end = time.time()
        start = self._starts.get((host, task._uuid), self._task_start) if item \
            else self._starts.pop((host, task._uuid), self._task_start)
        res = result._result
        # A task run in check mode changed nothing: its prediction is the run's output (and the runner's job
        # events), never evidence, so `--check` leaves the ledger as it was. A task forced to run for real
        # (check_mode: false) in a check run is recorded like any other.
        if bool(getattr(task, "check_mode", False)) or bool(res.get("_ansible_check_mode")):
            return
        if self._job_started(res):
            return  # its wait records what the job did
        launch = self._launch_of(host, action, res)
        name = launch["task"] if launch else task.get_name()
        if launch:
            action = launch["action"]
        censored = bool(res.get("_ansible_no_log") or getattr(task, "no_log", False) or (launch or {}).get("no_log"))
        role = task._role.get_name() if getattr(task, "_role", None) else None
        tags = sorted(set(str(t) for t in (task.tags or ())) | set(launch["tags"] if launch else ()))
        details = {
            "host": host, "play": self._play.get_name() if self._play else None,
            "play_id": str(self._play._uuid) if self._play else None, "task": name,
            "task_id": str(task._uuid), "task_path": launch["task_path"] if launch else task.get_path(),
            "action": action, "role": role, "tags": tags,
            "start": format_ts(datetime.datetime.fromtimestamp(start, datetime.timezone.utc)),
            "end": format_ts(datetime.datetime.fromtimestamp(end, datetime.timezone.utc)),
            "duration_s": round(end - start, 3), "changed": bool(res.get("changed")),
            "failed": outcome == "fail", "playbook": self._playbook,
        }
        if launch:
            details["waited_by"] = task.get_name()
        if ignore_errors:
            details["ignore_errors"] = True
        if unreachable:
            details["unreachable"] = True
        if item:
            details["loop_item"] = _short(json.loads(json.dumps(res.get("_ansible_item_label", res.get(
                res.get("ansible_loop_var") or "item")), default=str)))
            if isinstance(res.get("ansible_loop"), dict) and "index" in res["ansible_loop"]:
                details["loop_index"] = res["ansible_loop"]["index"]
        secrets = set(self._run_secrets)
        if censored:
            details["censored"] = "task ran with no_log: its arguments and results are not recorded"
        else:
            invocation = res.get("invocation")
            raw_args = launch["args"] if launch else (task.args or {})
            # The module's own view masks its no_log parameters; the raw task args tell which values were secret.
            args = invocation.get("module_args") if isinstance(invocation, dict) and invocation.get("module_args") \
                else raw_args
            secrets |= collect_secrets(raw_args) | self._secrets_of(result._host, task)
            if launch:
                secrets |= launch["secrets"]
            if args is not raw_args and isinstance(args, dict) and isinstance(raw_args, dict):
                # values the module masked as no_log are secrets wherever else they appear
                secrets.update(str(raw_args[k]) for k, v in args.items()
                               if v == _NO_LOG_MASK and raw_args.get(k) not in (None, ""))
            args = {k: v for k, v in args.items() if not str(k).startswith("_ansible_")} if isinstance(args, dict) else args
            details["args"] = _short(json.loads(json.dumps(args, default=str)))
            resource = _resource(action, args, res)
            if resource:
                details["resource"] = resource
            outputs = dict((name, _output(res[name])) for name in _OUTPUTS if res.get(name) not in (None, "", []))
            if unreachable and res.get("msg"):
                outputs.setdefault("msg", _output(res["msg"]))
            if outputs:
                details["output"] = outputs
            if outcome == "fail":
                first = next((outputs[n] for n in ("msg", "stderr") if n in outputs), None)
                details["msg"] = first["excerpt"] if first else str(res.get("reason") or "")[:_EXCERPT]
                if "rc" in res:
                    details["rc"] = res.get("rc")
        application, stage = self._context()
        label = "changed" if outcome == "changed" else ("unreachable" if unreachable else "failed")
        fields = dict(
            application=application, stage=stage, kind="task", clauses=clauses_from_tags(tags),
            party=self._opt("party") or "cloud_service_provider", actor=self._actor_name(),
            targets=[host], result=outcome,
            summary="%s: %s on %s" % (label, name, host),
            details=details,
        )
        body = build_record(fields, secrets)
        key = (application, self._play_dir)
        if key not in self._dirs:
            self._dirs[key] = resolve_dir(self._play_dir or self._opt("evidence_dir"), application)
        self._buffer.append((self._dirs[key], body))

    def _learn_no_log_secrets(self, host, task):
        """What a no_log task handed to secret-named arguments, and the variables its secret-named arguments and its
        command line name, are secrets from now on (a name such as the application id in other arguments is not)."""
        try:
            manager = self._play.get_variable_manager()
            variables = manager.get_vars(play=self._play, host=host)
            templar = Templar(loader=self._play._loader, variables=variables)
        except Exception:  # best effort: the task itself is censored anyway
            return
        found = set()

        def render(text):
            try:
                rendered = templar.template(text)
            except Exception:
                return
            if isinstance(rendered, (str, int)) and not isinstance(rendered, bool) and len(str(rendered)) >= 3:
                found.add(str(rendered))

        def names_in(value):
            names = set()
            for block in _TEMPLATE.finditer(value):
                names.update(_NAME.findall(block.group(1) or block.group(2) or ""))
            return sorted(n for n in names if n in variables and not n.startswith(_NOT_SECRET_VARS))

        def walk(value, secret):
            if isinstance(value, dict):
                for k, v in value.items():
                    walk(v, secret or is_secret_key(k) or k in _COMMAND_ARGS)
            elif isinstance(value, (list, tuple)):
                for v in value:
                    walk(v, secret)
            elif secret and isinstance(value, str) and ("{{" in value or "{%" in value):
                render(value)
                for name in names_in(value):
                    render("{{ %s }}" % name)
        walk(task.args or {}, False)
        self._run_secrets |= found | collect_secrets(task.args or {})

    def _actor_name(self):
        if self._actor is None:
            self._actor = self._opt("actor") or default_actor()
        return self._actor

    def _secrets_of(self, host, task):
        """Values of the host's secret-named variables (ansible_password, vault_*_token, ...), once per play."""
        name = host.get_name()
        if name in self._host_secrets:
            return self._host_secrets[name]
        found = set()
        try:
            from ansible.template import Templar

            manager = self._play.get_variable_manager()
            variables = manager.get_vars(play=self._play, host=host)
            templar = Templar(loader=self._play._loader, variables=variables)
            for key in list(variables):
                if is_secret_key(key):
                    try:
                        value = templar.template(variables[key])
                    except Exception:
                        continue
                    if isinstance(value, (str, int)) and not isinstance(value, bool) and len(str(value)) >= 3:
                        found.add(str(value))
        except Exception:
            pass  # best effort: key names and patterns still redact
        self._host_secrets[name] = found
        return found

    def _ledger(self, directory, application):
        ledger = self._ledgers.get(directory)
        if ledger is None:
            ledger = Ledger(directory, key_file=self._play_key or self._opt("evidence_key"),
                            anchor_file=self._opt("evidence_anchor"),
                            expected_key_id=self._play_key_id or pinned_key_id_from_dir(application))
            self._ledgers[directory] = ledger
        return ledger

    def _flush(self):
        if not self._buffer:
            return
        batch, self._buffer = self._buffer, []
        by_dir = {}
        for directory, body in batch:
            by_dir.setdefault(directory, []).append(body)
        for directory, bodies in by_dir.items():
            try:
                ledger = self._ledger(directory, bodies[0]["application"])
                if self._lost:
                    bodies = [self._gap_record(bodies[0])] + bodies
                ledger.append_many(bodies, prepared=True)
                if self._lost:
                    self._lost, self._lost_since = 0, None
                self._written += len(bodies)
            except Exception as exc:
                self._ledgers.pop(directory, None)
                self._trouble("could not write %d record(s) to %s: %s" % (len(bodies), directory, exc), len(bodies))

    def _gap_record(self, template):
        return build_record(dict(
            application=template["application"], stage=template["stage"], kind="evidence_gap", result="gap",
            party=template["party"], actor=template["actor"], targets=[],
            summary="%d task record(s) could not be written since %s" % (self._lost, self._lost_since),
            details={"lost_records": self._lost, "since": self._lost_since, "errors": self._errors[-5:]},
        ))

    def _trouble(self, message, lost):
        if lost:
            self._lost += lost
            self._lost_since = self._lost_since or format_ts(datetime.datetime.now(datetime.timezone.utc))
        self._errors.append(message)
        self._display.warning("govcloud.lifecycle.evidence: EVIDENCE NOT RECORDED - %s" % message)

    def _close(self):
        for ledger in self._ledgers.values():
            ledger.close()
        self._ledgers = {}

    def _at_exit(self):
        # An interrupted run (Ctrl-C, failed play) still writes what it buffered, and signs it.
        if self._buffer:
            try:
                self._flush()
                for ledger in self._ledgers.values():
                    ledger.checkpoint()
            except Exception as exc:
                self._trouble("at exit: %s" % exc, 0)
        self._close()
