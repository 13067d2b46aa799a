#!/usr/bin/env bash
# `make test`: the whole suite.  The test bed (dev cloud, test-host image) warms up in the background while the
# checks that need no bed run (lint, sanity, units); what this script started is stopped again at the end.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
mkdir -p .work/logs
t0=$SECONDS
declare -a took=()
passed=0
failed=0
timed() {
  local name=$1 s=$SECONDS; shift
  if "$@"; then passed=$((passed + 1)); took+=("$name $((SECONDS - s))s")
  else failed=$((failed + 1)); took+=("$name FAILED after $((SECONDS - s))s"); return 1; fi
}

cloud_was_up=0
tools/devcloud/devcloud status >/dev/null 2>&1 && cloud_was_up=1
bg=()
finish() {
  local rc=$? p
  for p in "${bg[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ "$cloud_was_up" = 0 ]; then tools/devcloud/devcloud down >/dev/null 2>&1 || true; fi
  echo "test: wall times: ${took[*]:-}; total $((SECONDS - t0))s"
  echo "steps: ${passed} passed, ${failed} failed"
  exit $rc
}
trap finish EXIT INT TERM

tools/devcloud/devcloud up > .work/logs/devcloud-up.log 2>&1 &
bg+=($!)
tools/testhosts/testhosts image > .work/logs/testhosts-image.log 2>&1 &
bg+=($!)

timed lint make --no-print-directory lint
timed sanity make --no-print-directory sanity
timed units make --no-print-directory units
# the background warm-up finishes here; molecule.sh checks the bed again (a no-op when it is up) and
# reports its own failures with the logs, so only wait
wait "${bg[@]}" || true
bg=()
timed testbed-tests make --no-print-directory testbed-tests
timed molecule make --no-print-directory molecule
