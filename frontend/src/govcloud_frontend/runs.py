# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Stage runs through ansible-runner: one private data dir per run, artifacts kept under runs/<app>/<ident>/.

The ident goes into the run's environment as GOVCLOUD_RUN_ID, which the evidence callback and modules write into
every record (details.run_id), so an auditor can go from a record to the run that made it.
"""

from __future__ import annotations

import datetime
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid

import ansible_runner
import pexpect.pty_spawn

META = "govcloud.json"
BAR = 24
# What a streamed job takes along of this process's environment: where the ledger's key, anchor and witness are and
# which cloud to use (paths and names, shared with the worker node as in AWX).  A worker runs in its own environment
# (over SSH, none of ours); secrets (the hand-over vault password, cloud passwords) are never put into the job: on an
# execution node they come from its own credentials, as AWX injects them.
FORWARDED = ("GOVCLOUD_EVIDENCE_KEY", "GOVCLOUD_EVIDENCE_KEY_ID", "GOVCLOUD_EVIDENCE_KEY_PIN_DIR", "GOVCLOUD_EVIDENCE_ANCHOR", "GOVCLOUD_EVIDENCE_ACTOR",
             "GOVCLOUD_EVIDENCE_PARTY", "GOVCLOUD_WITNESS_DIR", "GOVCLOUD_WITNESS_KEY", "GOVCLOUD_YAML_MAX_BYTES",
             "GOVCLOUD_YAML_MAX_DEPTH", "GOVCLOUD_YAML_MAX_NODES", "GOVCLOUD_YAML_MAX_ALIASES", "OS_CLOUD",
             "OS_CLIENT_CONFIG_FILE")


def _close_without_delay():
    """ansible-runner closes its pexpect child only after the child has exited (it loops while isalive(), then reads
    to EOF); ptyprocess's close() then still sleeps delayafterclose (0.1 s) "to give the kernel time" before checking
    isalive() again: a tenth of a second of every run, 3 % of a 3-second stage, for nothing.  Our process's pty
    children (only ansible-runner's) get no delay; close() still terminates a child that is somehow alive."""
    spawn = pexpect.pty_spawn.spawn
    original = getattr(spawn, "_spawnpty", None)
    if original is None or getattr(original, "govcloud", False):
        return

    def _spawnpty(self, *args, **kwargs):
        pty = original(self, *args, **kwargs)
        if hasattr(pty, "delayafterclose"):
            pty.delayafterclose = 0
        return pty

    _spawnpty.govcloud = True
    spawn._spawnpty = _spawnpty


_close_without_delay()


def new_ident(stage):
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return "%s-%s-%s" % (stamp, stage, uuid.uuid4().hex[:8])


def extra_vars_args(values):
    """-e values as ansible-playbook takes them; an @file must exist (checked before anything starts)."""
    from .project import UsageError
    args = []
    for value in values or ():
        if not value.strip():
            raise UsageError("-e: an empty value")
        if value.startswith("@") and not os.path.isfile(value[1:]):
            raise UsageError("-e %s: file %s does not exist" % (value, value[1:]))
        args += ["-e", value if not value.startswith("@") else "@" + os.path.abspath(value[1:])]
    return args


def extra_var_names(values):
    """What the run record keeps of -e: names only (values may be secrets)."""
    names = []
    for value in values or ():
        if value.startswith("@"):
            names.append(value)
        elif value.lstrip().startswith("{"):
            try:
                names += sorted(json.loads(value))
            except ValueError:
                names.append("(json)")
        else:
            names += [part.split("=", 1)[0] for part in shlex.split(value)]
    return names


class Progress:
    """One line per finished task with its host counts and a bar over the stage's tasks; failures at the end."""

    def __init__(self, out, prefix="", total=None, bar=True):
        self.out = out
        self.prefix = prefix
        self.total = total
        self.bar = bar
        self.done = 0
        self.task = None
        self.counts = {}
        self.failures = []
        self.lock = threading.Lock()

    def _flush_task(self):
        if self.task is None:
            return
        self.done += 1
        counts = " ".join("%s=%d" % (k, self.counts[k]) for k in ("ok", "changed", "failed", "skipped", "unreachable")
                          if self.counts.get(k))
        if self.total:
            total = max(self.total, self.done)
            fill = int(BAR * self.done / total)
            head = "[%3d/%-3d] %s%s " % (self.done, total, "#" * fill, "." * (BAR - fill)) if self.bar else \
                "[%3d/%-3d] " % (self.done, total)
        else:
            head = "[%3d] " % self.done
        self.out.write("%s%s%s  %s\n" % (self.prefix, head, self.task, counts or "no hosts"))
        self.out.flush()
        self.task = None
        self.counts = {}

    def __call__(self, event):
        kind = event.get("event", "")
        data = event.get("event_data") or {}
        with self.lock:
            if kind in ("playbook_on_task_start", "playbook_on_handler_task_start"):
                self._flush_task()
                self.task = data.get("task") or data.get("name") or "(unnamed task)"
            elif kind.startswith("runner_on_") and not kind.startswith("runner_on_start"):
                res = data.get("res") or {}
                if kind == "runner_on_ok":
                    key = "changed" if res.get("changed") else "ok"
                elif kind == "runner_on_failed":
                    key = "ok" if data.get("ignore_errors") else "failed"
                    if not data.get("ignore_errors"):
                        self.failures.append({"task": data.get("task") or self.task, "host": data.get("host"),
                                              "msg": _message(res)})
                elif kind == "runner_on_skipped":
                    key = "skipped"
                elif kind == "runner_on_unreachable":
                    key = "unreachable"
                    self.failures.append({"task": data.get("task") or self.task, "host": data.get("host"),
                                          "msg": _message(res) or "unreachable"})
                else:
                    return True
                self.counts[key] = self.counts.get(key, 0) + 1
            elif kind == "playbook_on_stats":
                self._flush_task()
        return True

    def finish(self):
        with self.lock:
            self._flush_task()


def _message(res):
    msg = res.get("msg") or res.get("reason") or res.get("stderr") or res.get("module_stderr") or ""
    if isinstance(msg, (list, dict)):
        msg = json.dumps(msg, ensure_ascii=False)
    msg = str(msg).strip()
    return msg if len(msg) <= 2000 else msg[:2000] + " …"


def last_task_count(runs_root, stage):
    """Tasks seen in the newest successful run of STAGE (any application): the progress bar's total."""
    best = None
    if not os.path.isdir(runs_root):
        return None
    for app in os.listdir(runs_root):
        base = os.path.join(runs_root, app)
        if not os.path.isdir(base):
            continue
        for ident in os.listdir(base):
            meta = read_meta(os.path.join(base, ident))
            if meta and meta.get("stage") == stage and meta.get("status") == "successful" and not meta.get("check") \
                    and meta.get("tasks"):
                if best is None or meta["finished"] > best["finished"]:
                    best = meta
    return best["tasks"] if best else None


def read_meta(directory):
    try:
        with open(os.path.join(directory, META), encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return None


def app_runs(runs_dir):
    """Run records of one application, newest first."""
    out = []
    if os.path.isdir(runs_dir):
        for ident in os.listdir(runs_dir):
            meta = read_meta(os.path.join(runs_dir, ident))
            if meta:
                out.append(meta)
    return sorted(out, key=lambda m: m.get("started") or "", reverse=True)


def _streamed(worker, private, runs_dir, ident, progress, **kwargs):
    """ansible-runner's streaming mode, as AWX's execution nodes run jobs: transmit the job (private data dir and
    arguments) into WORKER (a command running `ansible-runner worker`, here or over SSH), process its output back
    into this run's artifacts and progress."""
    with tempfile.TemporaryFile() as job:
        ansible_runner.run(streamer="transmit", _output=job, private_data_dir=private, ident=ident, **kwargs)
        job.seek(0)
        proc = subprocess.Popen(worker, stdin=job, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            result = ansible_runner.run(streamer="process", _input=proc.stdout, private_data_dir=private,
                                        artifact_dir=os.path.join(runs_dir, ident), ident=ident,
                                        event_handler=progress, quiet=True)
        finally:
            proc.stdout.close()
            err = proc.stderr.read().decode("utf-8", "replace")
            proc.stderr.close()
            proc.wait()
    # `ansible-runner worker` exits with the playbook's rc: a stage that failed on the node is that run's failure,
    # processed back like any other; only a worker that sent no finished job (ssh refused, no runner there) is not
    job_rc = _read_rc(os.path.join(runs_dir, ident))
    if proc.returncode != 0 and (job_rc is None or job_rc != proc.returncode):
        raise RuntimeError("worker %s exited %d: %s" % (shlex.join(worker), proc.returncode, err.strip()[-2000:]))
    return result


def _read_rc(artifacts):
    try:
        with open(os.path.join(artifacts, "rc"), encoding="utf-8") as handle:
            return int(handle.read().strip())
    except (OSError, ValueError):
        return None


def run_one(project, inv, stage, check=False, diff=False, extra=(), out=sys.stdout, prefix="", bar=True,
            total=None, env=None, worker=None):
    """One stage run of one application; returns its run record (also written to runs/<app>/<ident>/govcloud.json)."""
    playbook = project.playbook(stage)
    app_id = project.app_id(inv)
    ident = new_ident(stage)
    runs_dir = project.runs_dir(inv)
    os.makedirs(runs_dir, exist_ok=True)
    # the private data dir holds env/extravars (maybe secrets from -e): private, and removed after the run
    private = tempfile.mkdtemp(prefix=".private-%s-" % ident, dir=runs_dir)
    cmdline = extra_vars_args(extra) + (["--check"] if check else []) + (["--diff"] if diff else [])
    envvars = {
        "ANSIBLE_CONFIG": os.path.join(project.root, "ansible.cfg"),
        "GOVCLOUD_RUN_ID": ident,
        "GOVCLOUD_EVIDENCE_DIR": project.ledger_dir(inv),
        "ANSIBLE_FORCE_COLOR": "0",
        "ANSIBLE_NOCOLOR": "1",
    }
    if worker:
        # the node's own PATH names its ansible-playbook; ours would name a venv the node does not have
        envvars.update((name, os.environ[name]) for name in FORWARDED if name in os.environ)
    else:
        # the ansible-playbook of the Python the front end runs in (the controller venv), also for its children
        bindir = os.path.dirname(os.path.abspath(sys.executable))
        envvars["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")
    envvars.update(env or {})
    meta = {"ident": ident, "app": app_id, "inventory": inv, "stage": stage, "check": check, "diff": diff,
            "extra_vars": extra_var_names(extra), "playbook": os.path.relpath(playbook, project.root),
            "ledger": project.ledger_dir(inv), "started": _now(), "finished": None, "status": None, "rc": None,
            "tasks": 0, "failures": [], "artifacts": os.path.join(runs_dir, ident)}
    progress = Progress(out, prefix=prefix, total=total, bar=bar)
    started = time.monotonic()
    job = dict(project_dir=project.root, playbook=playbook, inventory=project.inventory(inv),
               cmdline=shlex.join(cmdline), envvars=envvars, suppress_env_files=True)
    meta["worker"] = shlex.join(worker) if worker else None
    try:
        if worker:
            result = _streamed(worker, private, runs_dir, ident, progress, **job)
        else:
            result = ansible_runner.run(private_data_dir=private, artifact_dir=runs_dir, ident=ident,
                                        event_handler=progress, quiet=True, **job)
        progress.finish()
        meta.update(status=result.status, rc=result.rc)
        if meta["rc"] is None:  # the streaming processor knows the rc only from the artifacts
            meta["rc"] = _read_rc(os.path.join(runs_dir, ident))
            if meta["rc"] is None:
                meta["rc"] = 0 if result.status == "successful" else 1
    except Exception as exc:  # ansible-runner's own trouble: the application fails, the others go on
        progress.finish()
        meta.update(status="error", rc=255, failures=[{"task": None, "host": None,
                                                       "msg": "ansible-runner: %s: %s" % (type(exc).__name__, exc)}])
    finally:
        shutil.rmtree(private, ignore_errors=True)
    meta["seconds"] = round(time.monotonic() - started, 3)
    meta["finished"] = _now()
    meta["tasks"] = progress.done
    meta["failures"] = meta["failures"] or progress.failures
    if meta["status"] != "successful" and not meta["failures"]:
        # failed before any task (a playbook syntax error, a missing binary): the output's last lines say why
        meta["failures"] = [{"task": None, "host": None, "msg": _tail(os.path.join(meta["artifacts"], "stdout"))}]
    os.makedirs(meta["artifacts"], exist_ok=True)
    scrub_command(meta["artifacts"])
    with open(os.path.join(meta["artifacts"], META), "w", encoding="utf-8") as handle:
        json.dump(meta, handle, ensure_ascii=False, indent=1, sort_keys=True)
    return meta


# ansible-runner keeps the whole environment of ansible-playbook in the artifact `command` (the operator's, with any
# password in it); the kept artifacts keep only these values, the other variables by name
KEPT_ENV = ("ANSIBLE_CONFIG", "GOVCLOUD_RUN_ID", "GOVCLOUD_EVIDENCE_DIR", "PATH", "PWD", "HOME", "USER", "LOGNAME")


def scrub_command(artifacts):
    path = os.path.join(artifacts, "command")
    try:
        with open(path, encoding="utf-8") as handle:
            doc = json.load(handle)
    except (OSError, ValueError):
        return
    env = doc.get("env") or {}
    doc["env"] = {k: (v if k in KEPT_ENV else "(set)") for k, v in sorted(env.items())}
    with open(path + ".tmp", "w", encoding="utf-8") as handle:
        json.dump(doc, handle, ensure_ascii=False)
    os.chmod(path + ".tmp", 0o600)
    os.replace(path + ".tmp", path)


def _tail(path, lines=12):
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            text = handle.read()
    except OSError:
        return "(no output)"
    return "\n".join(line for line in text.strip().splitlines()[-lines:]) or "(no output)"


def _now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def run_many(project, invs, stage, parallel, out=sys.stdout, **kwargs):
    """Every application in its own run, at most PARALLEL at once; a failing one does not stop the others."""
    total = last_task_count(project.runs_root, stage)
    single = len(invs) == 1
    width = max(len(project.app_id(i)) for i in invs)

    def guarded(inv):
        try:
            return run_one(project, inv, stage, out=out, total=total, bar=single,
                           prefix="" if single else "%-*s " % (width, project.app_id(inv)), **kwargs)
        except Exception as exc:  # never lose the others' summary for one application's trouble
            return {"app": project.app_id(inv), "stage": stage, "status": "error", "rc": 255, "ident": None,
                    "seconds": 0, "tasks": 0,
                    "failures": [{"task": None, "host": None, "msg": "%s: %s" % (type(exc).__name__, exc)}]}

    if single:  # the one run in this thread: no pool to start
        return [guarded(invs[0])]
    import concurrent.futures  # pylint: disable=import-outside-toplevel
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, min(parallel, len(invs)))) as pool:
        return list(pool.map(guarded, invs))


def print_failures(metas, out):
    for meta in metas:
        for failure in meta.get("failures") or ():
            where = " on %s" % failure["host"] if failure.get("host") else ""
            task = failure.get("task") or "(before any task)"
            out.write("FAILED %s: %s%s:\n  %s\n" % (meta["app"], task, where,
                                                     (failure.get("msg") or "").replace("\n", "\n  ")))


def print_summary(metas, out):
    rows = [("APPLICATION", "STAGE", "RESULT", "RC", "TASKS", "SECONDS", "RUN")]
    for m in metas:
        rows.append((m["app"], m["stage"], m.get("status") or "?", str(m.get("rc")), str(m.get("tasks", 0)),
                     "%.1f" % (m.get("seconds") or 0), m.get("ident") or "-"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        out.write("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() + "\n")
    ok = sum(1 for m in metas if m.get("status") == "successful")
    out.write("%d of %d applications successful\n" % (ok, len(metas)))
