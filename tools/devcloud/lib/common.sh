# shellcheck shell=bash
# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Shared paths and helpers of the devcloud CLI. Sourced by tools/devcloud/devcloud.

DEVCLOUD_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REPO_ROOT=$(cd "$DEVCLOUD_SRC/../.." && pwd)
export GOVCLOUD_CACHE=${GOVCLOUD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/govcloud-lifecycle}
if [ -n "${DEVCLOUD_BOOT:-}" ]; then
  # The booting cloud never shares a home with the fake one (the Makefile exports DEVCLOUD_HOME for that one).
  export DEVCLOUD_HOME=${DEVCLOUD_BOOT_HOME:-$GOVCLOUD_CACHE/devcloud-boot}
else
  export DEVCLOUD_HOME=${DEVCLOUD_HOME:-$GOVCLOUD_CACHE/devcloud}
fi
ETC=$DEVCLOUD_HOME/etc
DATA=$DEVCLOUD_HOME/data
RUN=$DEVCLOUD_HOME/run
LOGS=$DEVCLOUD_HOME/logs
CLOUDS_YAML=$DEVCLOUD_HOME/clouds.yaml
TIMINGS=$LOGS/timings.log
# Test cloud on loopback only: one shared password keeps configs short; it never leaves this machine.
DEVCLOUD_PASSWORD=devcloud-secret
KS_URL=http://127.0.0.1:5000
MQ_URL="rabbit://openstack:$DEVCLOUD_PASSWORD@127.0.0.1:5672/"
RABBIT_BIN=/usr/lib/rabbitmq/bin

# Every TCP port the cloud listens on, all on 127.0.0.1.  4369 is epmd (Erlang port mapper, spawned by
# RabbitMQ), 25672 the Erlang distribution port of the RabbitMQ node.
declare -A SERVICE_PORT=(
  [mariadb]=3306 [rabbitmq]=5672 [memcached]=11211 [keystone]=5000 [nova-api]=8774 [cinder-api]=8776
  [placement]=8778 [glance]=9292 [neutron]=9696
)
ALL_PORTS=(3306 4369 5672 25672 11211 5000 8774 8776 8778 9292 9696)
API_SERVICES=(placement nova-api neutron glance cinder-api)
DAEMONS=(nova-conductor nova-scheduler nova-compute cinder-scheduler cinder-volume)
# Stop order: consumers first, infrastructure last.
STOP_ORDER=(memsampler nova-compute nova-scheduler nova-conductor cinder-volume cinder-scheduler
  cinder-api glance neutron nova-api placement keystone memcached rabbitmq mariadb)

log() { printf '[devcloud %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf 'devcloud: ERROR: %s\n' "$*" >&2; exit 1; }
now() { date +%s.%N; }

# timed NAME CMD...: run CMD, record its wall time in logs/timings.log (benchmarks read it, tests never assert it).
timed() {
  local name=$1; shift
  local t0 rc=0; t0=$(now)
  "$@" || rc=$?
  local dt; dt=$(echo "$(now) - $t0" | bc)
  mkdir -p "$LOGS"
  printf '%s\t%s\t%.1f\t%s\n' "$(date -u +%FT%TZ)" "$name" "$dt" "$([ $rc = 0 ] && echo ok || echo "rc=$rc")" >> "$TIMINGS"
  log "$(printf '%s: %.1fs' "$name" "$dt")$([ $rc = 0 ] || echo " (FAILED rc=$rc)")"
  return $rc
}

pick_python() {
  if PYENV_VERSION=3.11.7 python3.11 -c 'import sys; assert sys.version_info[:2] == (3, 11)' >/dev/null 2>&1; then
    PYENV_VERSION=3.11.7 python3.11 -c 'import sys; print(sys.executable)'
  elif /usr/bin/python3 -c 'import sys; assert sys.version_info[:2] == (3, 11)' >/dev/null 2>&1; then
    echo /usr/bin/python3
  else
    return 1
  fi
}

# The venv is keyed on everything it is built from, so a changed pin or driver builds a new one.
venv_key() {
  (cd "$DEVCLOUD_SRC" && cat requirements.txt upper-constraints.txt $([ -z "${DEVCLOUD_BOOT:-}" ] || echo requirements-boot.txt) \
    $(find devcloud_ml2 ${DEVCLOUD_BOOT:+devcloud_cinder} -type f \( -name '*.py' -o -name '*.toml' \) -not -path '*/build/*' | LC_ALL=C sort)) \
    | sha256sum | cut -c1-16
}
venv_path() { echo "$GOVCLOUD_CACHE/venvs/devcloud${DEVCLOUD_BOOT:+-boot}-py3.11-$(venv_key)"; }

# The venv the running cloud was started from (recorded by up), else the one this checkout would build.
active_venv() {
  if [ -f "$RUN/venv" ] && [ -x "$(cat "$RUN/venv")/bin/python" ]; then cat "$RUN/venv"; else venv_path; fi
}

pidfile() { echo "$RUN/$1.pid"; }
# Our PID files hold the PID of a process-group leader started with setsid; "alive" also checks that the
# PID was not recycled by an unrelated process (its start time is stored next to it).
# Field 22 of /proc/PID/stat, counted after the ")" that ends the command name (which may contain spaces).
proc_start() { local s; s=$(cat "/proc/$1/stat" 2>/dev/null) || return 0; s=${s##*) }; set -- $s; echo "${20}"; }
write_pid() { echo "$2" > "$(pidfile "$1")"; proc_start "$2" > "$RUN/$1.start"; }
read_pid() { local f; f=$(pidfile "$1"); [ -s "$f" ] && cat "$f"; }
is_alive() {
  local pid stat; pid=$(read_pid "$1") || return 1
  stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [ "${stat:0:1}" != Z ] || return 1  # a SIGKILLed leader stays a zombie until PID 1 reaps it
  [ "$(proc_start "$pid")" = "$(cat "$RUN/$1.start" 2>/dev/null)" ]
}
