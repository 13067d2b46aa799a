# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""tools/ci/why_failed.py: the failure digest at the end of `make test` names the task and the error."""

from __future__ import annotations

import json
import os
import subprocess
import sys

SCRIPT = os.path.join(os.path.dirname(__file__), "..", "why_failed.py")


def digest(tmp_path, text, *args):
    log = tmp_path / "molecule-x.log"
    log.write_text(text, encoding="utf-8")
    return subprocess.run([sys.executable, SCRIPT, str(log), *args], check=True, capture_output=True,
                          text=True).stdout


def boxed(line, colour="0"):
    return "  \x1b[2m│\x1b[0m \x1b[%sm%s\x1b[0m\n" % (colour, line)


def test_molecule_failure_names_task_message_and_last_stderr_lines(tmp_path):
    result = {"changed": True, "msg": "non-zero return code", "rc": 1,
              "stderr_lines": ["Traceback (most recent call last):"] + ["  frame %d" % i for i in range(10)]
              + ["keystoneauth1.exceptions.http.Unauthorized: (HTTP 401)"]}
    text = (boxed("TASK [Prepare | Tenant of dc-app] ***") + boxed("ok: [controller]", "0;32")
            + boxed("TASK [Prepare | An application credential of dc-app's admin (deleted by id")
            + boxed("  before the user)] ***")
            + boxed("fatal: [controller]: FAILED! => " + json.dumps(result), "0;31"))
    out = digest(tmp_path, text)
    lines = out.splitlines()
    assert lines[0] == "  | TASK [Prepare | An application credential of dc-app's admin (deleted by id"
    assert lines[1] == "  |   fatal: [controller]: FAILED! non-zero return code"
    assert lines[-1] == "  |   stderr: keystoneauth1.exceptions.http.Unauthorized: (HTTP 401)"
    assert "frame 3" not in out and "\x1b" not in out


def test_ignored_errors_and_failures_quoted_in_output_are_not_failures(tmp_path):
    text = (boxed("TASK [real] ***") + boxed('failed: [h] (item=a) => {"msg": "the real one"}')
            + boxed("TASK [ignored] ***") + boxed('fatal: [h]: FAILED! => {"msg": "ignored"}') + boxed("...ignoring")
            + boxed("TASK [diff] ***") + boxed('+fatal: [vm1]: FAILED! => {"msg": "quoted"}'))
    out = digest(tmp_path, text)
    assert "the real one" in out and "ignored" not in out and "quoted" not in out


def test_a_result_molecule_wrapped_over_lines_is_put_back_together(tmp_path):
    text = "".join(boxed(x) for x in [
        "TASK [Verify | The keypair cannot be registered again, and the message says",
        "  why] ***",
        'fatal: [controller]: FAILED! => {"changed": false, "changed_when_result":',
        '  false, "cmd": ["/root/.cache/venvs/controller-py3.13-e7916fcbf04c6812',
        '  /bin/ansible-playbook", "TASK [Tenant',
        '  | Create the project] ***"], "msg": "The command exited with a non-zero',
        '  return code.", "rc": 2, "stderr_lines": ["[ERROR]: Task failed: 401"]}',
        "",
        "PLAY RECAP"])
    out = digest(tmp_path, text)
    assert "FAILED! The command exited with a non-zeroreturn code." in out
    assert "stderr: [ERROR]: Task failed: 401" in out


def test_only_the_last_failures_and_pytest_errors(tmp_path):
    text = "".join(boxed("TASK [t%d] ***" % i) + boxed("fatal: [h]: FAILED! => {\"msg\": \"m%d\"}" % i)
                   for i in range(5)) + "E   AssertionError: 3 leftovers\n"
    out = digest(tmp_path, text, "2")
    assert "m3" not in out and "m4" in out and "E   AssertionError: 3 leftovers" in out


def test_molecule_critical_lines_count_but_not_its_opening_noise(tmp_path):
    text = ("CRITICAL 'molecule/default/molecule.yml' glob failed.  Exiting.\n" + boxed("TASK [x] ***")
            + "CRITICAL Idempotence test failed because of the following tasks:\n")
    out = digest(tmp_path, text)
    assert "glob failed" not in out and "Idempotence test failed" in out


def test_a_log_without_a_failed_task_shows_its_tail(tmp_path):
    out = digest(tmp_path, "CRITICAL 'molecule/default/molecule.yml' glob failed.  Exiting.\n"
                 + "".join("line %d\n" % i for i in range(20)))
    assert "no failed task" in out and "line 19" in out and "line 10" not in out
