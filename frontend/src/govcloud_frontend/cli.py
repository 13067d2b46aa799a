# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""govcloud — run the collection's stage playbooks through ansible-runner, one or many applications at once.

  govcloud run <stage> --app <id> [--app <id> ...] [--all] [--parallel N] [--check] [--diff] [-e VARS ...]
  govcloud status [--app <id> ...] [--json]
  govcloud portfolio [--out DIR] [--stage S] [--level N] [--as-of YYYY-MM-DD]

Applications are the inventories in inventories/<id>/ (or the application id of one's manifest); evidence goes
to evidence/<application id>/ (--evidence-root), run artifacts to runs/<application id>/<ident>/ (--runs-dir).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shlex
import shutil
import sys
import time

from . import __version__
from .project import Project, UsageError


def _parser():
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--project", help="the collection checkout (default: $GOVCLOUD_PROJECT, else found from the cwd)")
    common.add_argument("--evidence-root", help="ledgers are <root>/<application id>/ (default: <project>/evidence)")
    common.add_argument("--inventories", help="the applications' inventories (default: <project>/inventories)")
    common.add_argument("--runs-dir", help="run artifacts are <dir>/<application id>/<ident>/ (default: <project>/runs)")
    parser = argparse.ArgumentParser(prog="govcloud", description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--version", action="version", version="govcloud " + __version__)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    run = sub.add_parser("run", parents=[common], help="run a stage playbook for one or many applications")
    run.add_argument("stage", help="the stage playbook (playbooks/<stage>.yml): intake, approve, onboard, ...")
    run.add_argument("--app", action="append", default=[], metavar="ID", help="an application (repeatable)")
    run.add_argument("--all", action="store_true", help="every application in inventories/")
    run.add_argument("--parallel", type=int, default=4, metavar="N", help="at most N runs at once (default 4)")
    run.add_argument("--check", action="store_true", help="ansible check mode: predict, change nothing")
    run.add_argument("--diff", action="store_true", help="show differences")
    run.add_argument("-e", "--extra-vars", action="append", default=[], metavar="VARS",
                     help="extra variables, as for ansible-playbook (key=value, JSON or @file; repeatable)")
    run.add_argument("--json", action="store_true", help="print the run records as JSON at the end")
    run.add_argument("--worker", metavar="COMMAND",
                     help="run through ansible-runner's streaming mode: transmit each job into COMMAND, a command "
                          "that runs `ansible-runner worker` (e.g. 'ssh node ansible-runner worker'), and process its "
                          "output here (AWX's execution-node path)")

    status = sub.add_parser("status", parents=[common], help="each application's stage, phase and last run")
    status.add_argument("--app", action="append", default=[], metavar="ID")
    status.add_argument("--json", action="store_true")
    status.add_argument("--no-verify", action="store_true", help="skip the chain verification of every ledger")

    port = sub.add_parser("portfolio", parents=[common], help="the management unit's portfolio (HTML zh-CN/en, JSON)")
    port.add_argument("--out", default=None, help="output directory (default: <project>/reports/portfolio)")
    port.add_argument("--app", action="append", default=[], metavar="ID", help="only these applications")
    port.add_argument("--stage", help="only applications at this stage or in this phase")
    port.add_argument("--level", type=int, choices=[1, 2, 3, 4, 5], help="only applications of this 等保 level")
    port.add_argument("--as-of", help="the day deadlines are measured from (YYYY-MM-DD; default today)")
    return parser


def _apps(project, given, every=False):
    if every and given:
        raise UsageError("--all and --app: give one or the other")
    if every:
        invs = []
        for name in project.inventory_names():
            invs.append(project.resolve_app(name))
        if not invs:
            raise UsageError("--all: no inventories in %s" % project.inventories)
        return invs
    invs = []
    for app in given:
        inv = project.resolve_app(app)
        if inv in invs:
            raise UsageError("app: %s given twice" % app)
        invs.append(inv)
    ids = {}
    for inv in invs:
        ids.setdefault(project.app_id(inv), []).append(inv)
    dup = {k: v for k, v in ids.items() if len(v) > 1}
    if dup:
        raise UsageError("app: inventories %s share one application id; each application needs its own ledger"
                         % "; ".join("%s (%s)" % (k, ", ".join(v)) for k, v in dup.items()))
    return invs


def cmd_run(args, out):
    from . import runs
    project = Project(args.project, args.evidence_root, args.runs_dir, args.inventories)
    project.playbook(args.stage)
    if not args.app and not args.all:
        raise UsageError("app: name the application(s) with --app ID (repeatable) or --all")
    if args.parallel < 1:
        raise UsageError("--parallel: must be at least 1, got %d" % args.parallel)
    invs = _apps(project, args.app, args.all)
    runs.extra_vars_args(args.extra_vars)
    worker = None
    if args.worker is not None:
        try:
            worker = shlex.split(args.worker)
        except ValueError as exc:
            raise UsageError("--worker: %s" % exc)
        if not worker:
            raise UsageError("--worker: an empty command")
        if not shutil.which(worker[0]):
            raise UsageError("--worker: %s is not an executable command" % worker[0])
    started = time.monotonic()
    metas = runs.run_many(project, invs, args.stage, args.parallel, out=out, check=args.check, diff=args.diff,
                          extra=args.extra_vars, worker=worker)
    runs.print_failures(metas, out)
    if len(metas) > 1 or args.all:
        runs.print_summary(metas, out)
    else:
        m = metas[0]
        out.write("%s %s: %s (rc %s) in %.1f s; artifacts %s\n"
                  % (m["app"], m["stage"], m["status"], m["rc"], m.get("seconds") or 0, m.get("artifacts")))
    if args.json:
        out.write(json.dumps({"runs": metas, "seconds": round(time.monotonic() - started, 3)}, ensure_ascii=False)
                  + "\n")
    bad = [m for m in metas if m.get("status") != "successful"]
    if not bad:
        return 0
    # exit status = the run's; with many, the first failing one's (never 0 when one failed)
    return next((m["rc"] for m in bad if isinstance(m.get("rc"), int) and m["rc"] > 0), 1)


def cmd_status(args, out):
    from . import portfolio
    project = Project(args.project, args.evidence_root, args.runs_dir, args.inventories)
    invs = _apps(project, args.app) if args.app else [project.resolve_app(n) for n in project.inventory_names()]
    today = datetime.date.today()
    rows = [portfolio.summarise(project, inv, today, verify=not args.no_verify) for inv in invs]
    if args.json:
        out.write(json.dumps(rows, ensure_ascii=False, indent=1) + "\n")
        return 0
    table = [("APPLICATION", "PHASE", "STAGE", "RECORDS", "CHAIN", "LAST RUN", "RESULT", "FINISHED")]
    for r in rows:
        ver = r["verification"]
        chain = "-" if ver is None else "ok" if ver["ok"] else "BROKEN"
        run = r["last_run"] or {}
        table.append((r["app"], r["phase"], r["stage"] or "-", str(r["records"]), chain,
                      ("%s%s" % (run.get("stage"), " (check)" if run.get("check") else "")) if run else "-",
                      run.get("status") or "-", run.get("finished") or "-"))
    widths = [max(len(row[c]) for row in table) for c in range(len(table[0]))]
    for row in table:
        out.write("  ".join(cell.ljust(widths[c]) for c, cell in enumerate(row)).rstrip() + "\n")
    return 1 if any(r["verification"] and not r["verification"]["ok"] for r in rows) else 0


def cmd_portfolio(args, out):
    from . import portfolio
    project = Project(args.project, args.evidence_root, args.runs_dir, args.inventories)
    today = datetime.date.today()
    if args.as_of:
        try:
            today = datetime.date.fromisoformat(args.as_of)
        except ValueError:
            raise UsageError("--as-of: %r is not a date (YYYY-MM-DD)" % args.as_of)
    invs = _apps(project, args.app) if args.app else [project.resolve_app(n) for n in project.inventory_names()]
    dest = os.path.abspath(args.out or os.path.join(project.root, "reports", "portfolio"))
    if os.path.exists(dest) and not os.path.isdir(dest):
        raise UsageError("--out: %s exists and is not a directory" % dest)
    known = {"none", "application", "approved", "rejected", "allocated", "trial", "formal_operation",
             "decommissioned"} | set(project.plugin_utils("evidence").STAGES)
    if args.stage and args.stage not in known:
        raise UsageError("--stage: %r is neither a lifecycle stage nor a phase; use one of: %s"
                         % (args.stage, ", ".join(sorted(known))))
    started = time.monotonic()
    rows = portfolio.collect(project, invs, today, stage=args.stage, level=args.level)
    paths = portfolio.write(rows, dest, today)
    out.write("portfolio of %d applications (%d overdue, %d due soon) in %.2f s:\n  %s\n"
              % (len(rows), sum(1 for r in rows if r["urgency"] == 0), sum(1 for r in rows if r["urgency"] == 1),
                 time.monotonic() - started, "\n  ".join(paths)))
    return 0


def main(argv=None, out=None):
    out = out or sys.stdout
    args = _parser().parse_args(argv)
    try:
        return {"run": cmd_run, "status": cmd_status, "portfolio": cmd_portfolio}[args.command](args, out)
    except UsageError as exc:
        sys.stderr.write("govcloud %s: %s\nNothing was started.\n" % (args.command, exc))
        return 2


if __name__ == "__main__":
    sys.exit(main())
