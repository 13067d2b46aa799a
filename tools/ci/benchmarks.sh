#!/usr/bin/env bash
# `make benchmarks`: every benchmark once, in a short smoke mode, so that none rots (the onboard benchmark once
# broke unnoticed).  Numbers are printed, never asserted; a benchmark that crashes fails this step.
# Needs the dev cloud (onboard, frontend) and the test-host image (hardening); tools/ci/test.sh runs it while both
# are up.  Logs: .work/logs/bench-<name>.log.
set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
mkdir -p .work/logs
py=.venv/bin/python
declare -a bench=(
  "evidence|$py benchmarks/evidence/bench.py --records 2000 --checkpoint-sample 20 --tasks 20 --repeats 1"
  "report|$py benchmarks/evidence/bench_report.py 2000"
  "yaml_bounds|$py benchmarks/yaml_bounds/bench.py --rounds 1"
  "wipe|$py benchmarks/wipe/bench.py --size-mib 16 --rounds 1 --loop buffered"
  "frontend|$py benchmarks/frontend/bench.py --smoke"
  "onboard|$py benchmarks/onboard/bench.py --smoke"
  "hardening|$py benchmarks/hardening/bench.py --runs 1"
)
failed=()
for entry in "${bench[@]}"; do
  name=${entry%%|*}; cmd=${entry#*|}
  s=$SECONDS
  if nice -n 10 $cmd > ".work/logs/bench-$name.log" 2>&1; then
    echo "benchmark $name ($((SECONDS - s)) s):"
    grep -v '^{' ".work/logs/bench-$name.log" | tail -n 12 | sed 's/^/  /'
  else
    echo "benchmark $name FAILED after $((SECONDS - s)) s (.work/logs/bench-$name.log):"
    tail -n 15 ".work/logs/bench-$name.log" | sed 's/^/  /'
    failed+=("$name")
  fi
done
((${#failed[@]} == 0)) || { echo "benchmarks failed: ${failed[*]}"; exit 1; }
