#!/usr/bin/env bash
# `make test`: the whole suite.  The test bed (dev cloud, test-host image) warms up in the background while the
# checks that need no bed run (lint, sanity); the QEMU-VM scenarios then run beside the unit tests and the other
# scenarios (two lanes, tools/ci/molecule.sh); what this script started is stopped again at the end.
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

# A CI record often keeps only the last lines of the output: repeat why each failed scenario failed there.
digest() {
  local f s
  for f in .work/logs/molecule-*.took; do
    [ -e "$f" ] && grep -q '^FAILED' "$f" || continue
    s=${f#.work/logs/molecule-}; s=${s%.took}
    echo "test: why $s failed (.work/logs/molecule-$s.log):"
    python3 tools/ci/why_failed.py ".work/logs/molecule-$s.log" || true
  done
}

cloud_was_up=0
tools/devcloud/devcloud status >/dev/null 2>&1 && cloud_was_up=1
bg=()
finish() {
  local rc=$? p
  for p in "${bg[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -z "${vm_lane:-}" ] || kill -- "-$vm_lane" 2>/dev/null || true
  wait 2>/dev/null || true
  if [ "$cloud_was_up" = 0 ]; then tools/devcloud/devcloud down >/dev/null 2>&1 || true; fi
  digest
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
timed ee make --no-print-directory ee
# The test bed's own tests count the test hosts, so they run before any scenario starts one.
wait "${bg[1]}" || true
timed testbed-tests make --no-print-directory testbed-tests
# The QEMU-VM scenarios (TCG: slow, one core) start now and run beside the unit tests and the other scenarios;
# molecule.sh waits for the dev cloud itself. This script owns the cloud (stopped in finish()).
# setsid: its own process group, so an interrupted run stops the whole lane (kill -- -PGID in finish()).
# The lanes balance themselves through one queue (tools/ci/molecule.sh): the VM lane, done with its own, takes the
# other lane's last scenarios that lane has not begun.
# The benchmarks (every one once, in smoke mode, while the dev cloud and the test-host image are still there) go
# to whichever lane is done first: one claim in the same queue.
export GOVCLOUD_MOLECULE_QUEUE=$repo/.work/molecule-queue
rm -rf "$GOVCLOUD_MOLECULE_QUEUE" .work/logs/benchmarks-vm-lane.log .work/logs/benchmarks-vm-lane.took
mkdir -p "$GOVCLOUD_MOLECULE_QUEUE"
claim_benchmarks() { mkdir "$GOVCLOUD_MOLECULE_QUEUE/benchmarks" 2>/dev/null; }
GOVCLOUD_MOLECULE_LANE=vm GOVCLOUD_MOLECULE_KEEP_CLOUD=1 setsid bash -c '
  tools/ci/molecule.sh; rc=$?
  if mkdir "$GOVCLOUD_MOLECULE_QUEUE/benchmarks" 2>/dev/null; then
    s=$SECONDS; b=0
    make --no-print-directory benchmarks > .work/logs/benchmarks-vm-lane.log 2>&1 || b=$?
    echo "$b $((SECONDS - s))" > .work/logs/benchmarks-vm-lane.took
  fi
  exit $rc' > .work/logs/molecule-vm-lane.log 2>&1 &
vm_lane=$!
vm_started=$SECONDS
timed units make --no-print-directory units
wait "${bg[0]}" || true
bg=()
timed molecule env GOVCLOUD_MOLECULE_LANE=other GOVCLOUD_MOLECULE_KEEP_CLOUD=1 make --no-print-directory molecule || true
bench_here=0
if claim_benchmarks; then bench_here=1; timed benchmarks make --no-print-directory benchmarks || true; fi
rc=0
wait "$vm_lane" || rc=$?
vm_lane=
cat .work/logs/molecule-vm-lane.log
if ((rc == 0)); then passed=$((passed + 1)); took+=("molecule-vm $((SECONDS - vm_started))s")
else failed=$((failed + 1)); took+=("molecule-vm FAILED after $((SECONDS - vm_started))s"); fi
if [ -f .work/logs/benchmarks-vm-lane.took ]; then
  read -r brc bs < .work/logs/benchmarks-vm-lane.took
  cat .work/logs/benchmarks-vm-lane.log
  if ((brc == 0)); then passed=$((passed + 1)); took+=("benchmarks(vm lane) ${bs}s")
  else failed=$((failed + 1)); took+=("benchmarks(vm lane) FAILED after ${bs}s"); fi
elif ((bench_here == 0)); then
  failed=$((failed + 1)); took+=("benchmarks: neither lane ran them")
fi
((failed == 0))
