# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Bounded parsing through the real intake: a billion-laughs and a 50 MB manifest are refused quickly and small.

Each case runs the operator's `ansible-playbook -i <inventory> playbooks/intake.yml` with the project's
ansible.cfg on a copy of the example inventory whose manifest (group_vars/all/application.yml) is hostile, and
measures the child ansible-playbook and every process it starts: CPU time and maximum resident set from wait4(),
peak resident memory of the whole process tree sampled from /proc, wall time.  Without the bounds the bomb hangs
the first task that templates `application` (still running after 240 s, memory growing) and the 50 MB file costs
Ansible ~10 s and ~800 MB before the first task, then ~35 s and >1.2 GB in manifest_validate.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PLAYBOOK_BIN = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")
EXAMPLE = os.path.join(REPO, "inventories", "example")
MEASURE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "measure_child.py")
MIB = 1024 * 1024
# the acceptance bounds of issue 12
CPU_SECONDS = 1.0
MEMORY_BYTES = 200 * MIB


def billion_laughs(levels=9, width=10):
    lines = ['l0: &l0 "lol"']
    for level in range(1, levels):
        lines.append("l%d: &l%d [%s]" % (level, level, ", ".join(["*l%d" % (level - 1)] * width)))
    lines.append("application: {id: jx-bomb, bomb: *l%d}" % (levels - 1))
    return "\n".join(lines) + "\n"


def padded(size):
    """A writer of the example manifest followed by `size` bytes of padding (valid YAML: a list of strings)."""
    def write(handle):
        with open(os.path.join(EXAMPLE, "group_vars", "all", "application.yml"), encoding="utf-8") as example:
            handle.write(example.read().rstrip("\n") + "\n  padding:\n")
        line = "    - %s\n" % ("x" * 90)
        for dummy in range(size // len(line) + 1):
            handle.write(line)
    return write


def inventory(tmp_path, manifest):
    """A copy of the example inventory with `manifest` (text, or a writer) as group_vars/all/application.yml."""
    target = tmp_path / "inventory"
    shutil.copytree(EXAMPLE, target)
    with open(str(target / "group_vars" / "all" / "application.yml"), "w", encoding="utf-8") as handle:
        if callable(manifest):
            manifest(handle)
        else:
            handle.write(manifest)
    return target


class Measured(object):
    """One run through measure_child.py: rc, output, wall/CPU seconds, wait4 max RSS and the sampled tree peak."""

    def __init__(self, args, env, cwd, workdir, timeout=120):
        result, output = os.path.join(workdir, "measured.json"), os.path.join(workdir, "output.txt")
        subprocess.run([sys.executable, MEASURE, result, output, str(timeout), "--"] + list(args), cwd=cwd, env=env,
                       check=True, timeout=timeout + 30)
        with open(result, encoding="utf-8") as handle:
            self.__dict__.update(json.load(handle))
        with open(output, encoding="utf-8") as handle:
            self.output = handle.read()

    def __str__(self):
        return "rc %s, wall %.2f s, CPU %.2f s, max RSS %.0f MiB, tree peak %.0f MiB" % (
            self.rc, self.wall, self.cpu, self.maxrss / MIB, self.tree_peak / MIB)


def ansible_start_up():
    workdir = tempfile.mkdtemp(prefix="bounds-start-up-")
    try:
        return Measured([PLAYBOOK_BIN, "--version"], dict(os.environ, ANSIBLE_CONFIG=os.path.join(REPO, "ansible.cfg")),
                        REPO, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def intake(tmp_path, inv, extra=(), env_extra=None):
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(REPO, "ansible.cfg"), ANSIBLE_NOCOLOR="1",
               GOVCLOUD_EVIDENCE_DIR=str(tmp_path / "evidence"),
               GOVCLOUD_EVIDENCE_KEY=str(tmp_path / "evidence-signing.pem"),
               ANSIBLE_LOCAL_TEMP=str(tmp_path / "ansible-tmp"))
    env.update(env_extra or {})
    os.makedirs(env["ANSIBLE_LOCAL_TEMP"], exist_ok=True)
    run = Measured([PLAYBOOK_BIN, "-i", str(inv), os.path.join(REPO, "playbooks", "intake.yml")] + list(extra),
                   env, REPO, str(tmp_path))
    print("%s: %s" % (tmp_path.name, run))  # the measured numbers, in the test log (pytest -s / -rA)
    return run


def assert_refused_cheaply(run, *expected, within_time=False):
    """Refused, named, nothing after it, memory bounded.  The time bound is the issue's acceptance for the shipped
    configuration (the vars plugin in front of host_group_vars: bomb and 50 MB file); the fallbacks (preflight
    only, -e @file, vault) run a play or decrypt first, and their times are measured in benchmarks/yaml_bounds, not
    asserted (a test never asserts a timing it was not asked to; 1.05 s CPU was seen beside the VM lane)."""
    assert run.rc != 0, run.output
    for text in expected:
        assert text in run.output, run.output[-3000:]
    assert "Traceback" not in run.output, run.output[-3000:]
    assert "Record the application" not in run.output, "intake went on after the refusal:\n" + run.output[-3000:]
    if within_time:
        # The refusal's own cost: CPU beyond what ansible-playbook spends to start at all (0.5 s quiet, twice that
        # beside the VM lane), measured next to it, so the machine's load cancels out.
        start_up = ansible_start_up()
        assert run.cpu - start_up.cpu < CPU_SECONDS, "%s; ansible-playbook --version alone: %s" % (run, start_up)
    assert max(run.maxrss, run.tree_peak) < MEMORY_BYTES, str(run)


def test_billion_laughs_manifest_is_refused_before_ansible_parses_it(tmp_path):
    inv = inventory(tmp_path, billion_laughs())
    run = intake(tmp_path, inv)
    assert_refused_cheaply(run, "%s/group_vars/all/application.yml: " % inv, "more than the limit of 100,000",
                           "(YAML alias bomb?)", "govcloud.lifecycle.yaml_bounds", within_time=True)


def test_50_mb_manifest_is_refused_before_ansible_reads_it(tmp_path):
    inv = inventory(tmp_path, padded(50 * 1000 * 1000))
    size = os.path.getsize(str(inv / "group_vars" / "all" / "application.yml"))
    run = intake(tmp_path, inv)
    assert_refused_cheaply(run, "%s/group_vars/all/application.yml: %s bytes, more than the limit of 4,194,304 bytes"
                           % (inv, "{:,}".format(size)), within_time=True)


# Without the vars plugin (an ansible.cfg that does not enable it): the preflight task is the guard.
WITHOUT_GUARD_PLUGIN = {"ANSIBLE_VARS_ENABLED": "host_group_vars"}


def test_without_the_vars_plugin_the_preflight_refuses_the_bomb_before_templating(tmp_path):
    inv = inventory(tmp_path, billion_laughs())
    run = intake(tmp_path, inv, env_extra=WITHOUT_GUARD_PLUGIN)
    assert_refused_cheaply(run, "Refuse an oversized or alias-bomb manifest",
                           "%s/group_vars/all/application.yml: " % inv, "more than the limit of 100,000")
    assert "Check the manifest, every field" not in run.output


def test_a_bomb_given_with_extra_vars_is_refused_by_the_preflight(tmp_path):
    extra = tmp_path / "bomb.yml"
    extra.write_text(billion_laughs(), encoding="utf-8")
    run = intake(tmp_path, EXAMPLE, extra=["-e", "@%s" % extra])
    assert_refused_cheaply(run, "the 'application' variable: ", "more than the limit of 100,000 (YAML alias bomb?)")


def test_without_the_vars_plugin_an_oversized_manifest_is_still_refused_by_name(tmp_path):
    # Ansible parses it before any task (not in our hands without the plugin); the preflight still refuses it
    inv = inventory(tmp_path, padded(5 * MIB))
    run = intake(tmp_path, inv, env_extra=WITHOUT_GUARD_PLUGIN)
    assert run.rc != 0
    assert "%s/group_vars/all/application.yml: " % inv in run.output and "more than the limit of 4,194,304 bytes" \
        in run.output, run.output[-3000:]
    assert "Check the manifest, every field" not in run.output


def test_the_example_inventory_passes_the_bounds(tmp_path):
    run = intake(tmp_path, EXAMPLE)
    assert run.rc == 0, run.output[-3000:]
    assert "manifest within the bounds" in run.output or "Refuse an oversized" in run.output


def test_a_vaulted_bomb_is_decrypted_and_refused_by_name(tmp_path):
    inv = inventory(tmp_path, "application: {}\n")
    secret = tmp_path / "vault-pass"
    secret.write_text("bounds-test-vault-password\n", encoding="utf-8")
    vaulted = inv / "group_vars" / "all" / "vaulted.yml"
    vaulted.write_text(billion_laughs().replace("application:", "vaulted_application:"), encoding="utf-8")
    vault_bin = os.path.join(os.path.dirname(sys.executable), "ansible-vault")
    subprocess.run([vault_bin, "encrypt", "--vault-password-file", str(secret), str(vaulted)], check=True,
                   capture_output=True, env=dict(os.environ, ANSIBLE_CONFIG=os.path.join(REPO, "ansible.cfg")))
    assert vaulted.read_bytes().startswith(b"$ANSIBLE_VAULT")
    run = intake(tmp_path, inv, extra=["--vault-password-file", str(secret)])
    assert_refused_cheaply(run, "%s: " % vaulted, "more than the limit of 100,000 (YAML alias bomb?)")
