# shellcheck shell=bash
# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# baseline_hardening host checks, read-only: the helpers every check uses and the runner. tasks/assess.yml sends
# this file, the control groups (identity.sh ... residual.sh: one function check_<id> per control, dots and
# dashes as underscores) and `mlps_run <id>...` to the host as one shell command (one SSH round trip). The
# role's values reach the checks as MLPS_* environment variables (vars/main.yml baseline_hardening__check_env),
# never pasted into the code; list values are space-separated words.
#
# A check prints what it found; its exit status is the result: 0 pass, 2 manual (not decidable on the host),
# anything else gap (124: it ran out of time). mlps_run prints one line per control:
#   <id> TAB <exit status> TAB <base64 of the last 1500 bytes of the output>
# which the govcloud.lifecycle.baseline_check_results filter reads on the controller.
export LC_ALL=C PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
SSHD_T=$(sshd -T 2>/dev/null)
export SSHD_T

in_container() { systemd-detect-virt -cq 2>/dev/null; }
# the value of the last `KEY = value` line on stdin (pwquality.conf, faillock.conf, auditd.conf, sysctl.d style)
eqv() { awk -v k="$1" '{x=$0; sub(/=.*/, "", x); gsub(/[ \t]/, "", x)} x==k && /=/ {v=substr($0, index($0, "=") + 1); gsub(/^[ \t]+|[ \t]+$/, "", v); r=v} END {if (r != "") print r}'; }
# the value of the first `KEY value` line on stdin (login.defs style)
wsv() { awk -v k="$1" '$1==k {print $2; exit}'; }
# sshd's effective value of KEY (sshd -T, lower-case keys)
sshd_eff() { awk -v k="$1" '$1==k {$1=""; sub(/^ /, ""); print; exit}' <<<"$SSHD_T"; }
pkg_installed() { if command -v dpkg-query >/dev/null; then dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q ' installed$'; else rpm -q "$1" >/dev/null 2>&1; fi; }
audit_rules() { if in_container; then cat /etc/audit/rules.d/*.rules 2>/dev/null; else auditctl -l 2>/dev/null; fi; }
audit_source() { if in_container; then echo "rules files, container"; else echo "auditctl -l"; fi; }
# the lines of stdin that are none of the space-separated words of $1 (grep -vxF, also with no word)
not_in() { awk -v list="$1" 'BEGIN {n = split(list, w, " "); for (i = 1; i <= n; i++) skip[w[i]] = 1} !($0 in skip)'; }
# $1 with the characters special in an extended regular expression escaped
ere_escape() { printf '%s' "$1" | sed 's/[][\.*^$+?(){}|/]/\\&/g'; }

# Each check runs in its own bash, with its own time limit (MLPS_CHECK_TIMEOUT seconds, 150) and no stdin, like
# a script of its own.
mlps_run() {
  local fn id out rc
  while read -r _ _ fn; do export -f "${fn?}"; done < <(declare -F)
  for id in "$@"; do
    out=$(timeout "${MLPS_CHECK_TIMEOUT:-150}" bash -c "check_${id//[.-]/_}" 2>&1 </dev/null); rc=$?
    printf '%s\t%s\t%s\n' "$id" "$rc" "$(printf '%s' "$out" | tail -c 1500 | base64 -w0)"
  done
}
