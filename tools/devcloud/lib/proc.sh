# shellcheck shell=bash
# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Starting, finding and stopping the cloud's processes.
#
# Each service runs in its own session (setsid): its PID file holds the session leader's PID, which is
# also the session id of every process the service forks (gunicorn workers, oslo.service workers, Erlang
# helpers). The session id outlives a SIGKILLed leader and the kernel does not reuse a PID that is still
# a live session's id, so "processes in our sessions" is exactly what up started, even after a crash.
# (An environment marker is not enough: setproctitle, used by gunicorn and oslo.service, overwrites
# /proc/PID/environ.) run/sessions keeps every session ever started until it is empty, so losing a PID
# file cannot hide a process from down.

set +m  # without job control a background subshell is no group leader, so setsid execs in place

SESSIONS_FILE() { echo "$RUN/sessions"; }

# pids_in_sessions SID...: live PIDs whose session id is one of SID.
pids_in_sessions() {
  [ $# -gt 0 ] || return 0
  ps -eo pid=,sid=,stat= | awk -v list=" $* " '$3 !~ /^Z/ && index(list, " " $2 " ") {print $1}'
}

# our_sessions: session ids of every service this cloud started and has not yet seen empty, plus the
# sessions of processes still carrying our environment marker (catches a lost run/ directory for the
# processes that do not rewrite their environment).
our_sessions() {
  {
    cat "$RUN"/*.pid 2>/dev/null
    awk '{print $2}' "$(SESSIONS_FILE)" 2>/dev/null
    local f pid
    for f in $(grep -lsz -x -F "DEVCLOUD_INSTANCE=$DEVCLOUD_HOME" /proc/[0-9]*/environ 2>/dev/null); do
      pid=${f#/proc/}; pid=${pid%/environ}
      [ "$pid" = "$$" ] || [ "$pid" = "$BASHPID" ] || ps -o sid= -p "$pid" 2>/dev/null
    done
  } | tr -d ' ' | { grep -E '^[0-9]+$' || true; } | sort -u
}

# marked_pids [SERVICE]: live PIDs of this dev cloud (optionally of one service).
marked_pids() {
  if [ -n "${1:-}" ]; then
    pids_in_sessions $( { read_pid "$1"; awk -v n="$1" '$1 == n {print $2}' "$(SESSIONS_FILE)" 2>/dev/null; } | sort -u)
  else
    pids_in_sessions $(our_sessions)
  fi
}

is_ours() {
  local sid; sid=$(ps -o sid= -p "$1" 2>/dev/null | tr -d ' ')
  [ -n "$sid" ] && our_sessions | grep -qx "$sid"
}

# start_proc NAME LOG CMD...: start CMD as a new session, record its PID.
start_proc() {
  local name=$1 logf=$2; shift 2
  (
    export DEVCLOUD_INSTANCE=$DEVCLOUD_HOME DEVCLOUD_SERVICE=$name
    cd "$DEVCLOUD_HOME" || exit 1
    # the lock descriptors must not outlive this command in a daemon
    exec 8>&- 9>&-
    exec setsid "$@" >>"$logf" 2>&1 </dev/null
  ) &
  local pid=$!
  write_pid "$name" "$pid"
  echo "$name $pid" >> "$(SESSIONS_FILE)"
  # setsid forks when the caller leads a process group (job control on): then PID and session differ.
  sleep 0.05
  local sid; sid=$(ps -o sid= -p "$pid" 2>/dev/null | tr -d ' ')
  if [ -n "$sid" ] && [ "$sid" != "$pid" ]; then die "$name: started process $pid is not a session leader (sid $sid)"; fi
}

# stop_service NAME [GRACE]: TERM every process of NAME's sessions, KILL what is left after GRACE seconds.
stop_service() {
  local name=$1 grace=${2:-20} pids i
  pids=$(marked_pids "$name")
  if [ -n "$pids" ]; then
    kill -TERM $pids 2>/dev/null || true
    for ((i = 0; i < grace * 4; i++)); do
      sleep 0.25
      pids=$(marked_pids "$name")
      [ -z "$pids" ] && break
    done
    if [ -n "$pids" ]; then
      log "$name: still alive after ${grace}s, sending KILL to $(echo $pids)"
      kill -KILL $pids 2>/dev/null || true
      for ((i = 0; i < 20; i++)); do [ -z "$(marked_pids "$name")" ] && break; sleep 0.25; done
    fi
  fi
  rm -f "$(pidfile "$name")" "$RUN/$name.start"
  if [ -z "$(marked_pids "$name")" ] && [ -f "$(SESSIONS_FILE)" ]; then
    local tmp; tmp=$(mktemp "$RUN/sessions.XXXX")
    awk -v n="$name" '$1 != n' "$(SESSIONS_FILE)" > "$tmp" && mv "$tmp" "$(SESSIONS_FILE)"
  fi
}

# check_ports PORT...: fail, naming port and process, if a port is held by a process that is not ours.
check_ports() {
  local ours listeners p line pid sid bad=()
  ours=" $(our_sessions | tr '\n' ' ') "
  listeners=$(ss -ltnpH 2>/dev/null)
  for p in "$@"; do
    line=$(awk -v p="$p" '{n = split($4, a, ":"); if (a[n] == p) print}' <<<"$listeners")
    [ -n "$line" ] || continue
    pid=$(grep -oP 'pid=\K[0-9]+' <<<"$line" | sort -u)
    if [ -z "$pid" ]; then
      bad+=("port $p is in use by a process this user cannot see"); continue
    fi
    for pid in $pid; do
      sid=$(ps -o sid= -p "$pid" 2>/dev/null | tr -d ' ')
      [[ -n "$sid" && "$ours" == *" $sid "* ]] && continue
      bad+=("port $p is in use by PID $pid ($(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | cut -c1-120)), which is not part of this dev cloud")
    done
  done
  if ((${#bad[@]})); then
    printf 'devcloud: ERROR: %s\n' "${bad[@]}" >&2
    echo "devcloud: the dev cloud needs 127.0.0.1 ports ${ALL_PORTS[*]}; free them (stop that process) and run 'devcloud up' again. Nothing was started." >&2
    exit 3
  fi
}

wait_tcp() {  # wait_tcp PORT TIMEOUT_S
  local i
  for ((i = 0; i < $2 * 4; i++)); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.25
  done
  return 1
}

wait_http() {  # wait_http URL TIMEOUT_S [SERVICE]: any HTTP answer counts (401/300 included)
  local i code
  for ((i = 0; i < $2 * 2; i++)); do
    code=$(curl -s -o /dev/null -m 5 -w '%{http_code}' "$1" 2>/dev/null || true)
    [ -n "$code" ] && [ "$code" != 000 ] && return 0
    if [ -n "${3:-}" ] && ! is_alive "$3"; then
      return 1
    fi
    sleep 0.5
  done
  return 1
}
