#!/usr/bin/env bash
# Run Molecule scenarios (all under molecule/ but `shared`, or those named) with the test bed they need,
# and, when running everything, the integration tests under tests/integration:
# the dev cloud is started in the background while the test-host image is built or checked, and whatever
# this script started is stopped again on exit, so CI ends with nothing left running.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
devcloud=tools/devcloud/devcloud
testhosts=tools/testhosts/testhosts

if (($#)); then scenarios=("$@"); else
  mapfile -t scenarios < <(find molecule -mindepth 2 -maxdepth 2 -name molecule.yml -printf '%h\n' \
    | xargs -n1 basename | grep -vx shared | sort)
fi

hosts_now() { "$testhosts" list --json 2>/dev/null | python3 -c 'import json,sys; print("\n".join(h["name"] for h in json.load(sys.stdin)))'; }
mapfile -t hosts_before < <(hosts_now)
started_cloud=0
cleanup() {
  local rc=$?
  # Molecule's destroy removes each scenario's hosts; this catches a scenario that died before destroy,
  # without touching hosts that were running before we started.
  local h
  for h in $(hosts_now); do
    [[ " ${hosts_before[*]} " == *" $h "* ]] || "$testhosts" down "$h" >/dev/null 2>&1 || true
  done
  if [ "$started_cloud" = 1 ]; then "$devcloud" down || true; fi
  exit $rc
}
trap cleanup EXIT INT TERM

if ! "$devcloud" status >/dev/null 2>&1; then started_cloud=1; fi
t0=$SECONDS
mkdir -p .work/logs
"$devcloud" up > .work/logs/devcloud-up.log 2>&1 &
cloud_pid=$!
"$testhosts" image
if ! wait "$cloud_pid"; then
  echo "molecule: dev cloud did not come up; last lines of .work/logs/devcloud-up.log:" >&2
  tail -n 40 .work/logs/devcloud-up.log >&2
  exit 1
fi
echo "molecule: test bed ready after $((SECONDS - t0)) s"

declare -A took
failed=()
# integration tests that need the bed but no scenario of their own (only when running everything)
if ((! $#)); then
  ts=$SECONDS
  if .venv/bin/python -m pytest -q -p no:cacheprovider tests/integration; then took[integration]=$((SECONDS - ts))
  else took[integration]="FAILED after $((SECONDS - ts))"; failed+=(integration); fi
  scenarios=(integration "${scenarios[@]}")
fi
for s in "${scenarios[@]}"; do
  [ "$s" = integration ] && continue
  ts=$SECONDS
  if molecule test -s "$s"; then took[$s]=$((SECONDS - ts)); else took[$s]="FAILED after $((SECONDS - ts))"; failed+=("$s"); fi
done
echo "molecule: scenario wall times (s):"
for s in "${scenarios[@]}"; do echo "  $s: ${took[$s]}"; done
passed=$(( ${#scenarios[@]} - ${#failed[@]} ))
echo "molecule: ${passed} passed, ${#failed[@]} failed"
((${#failed[@]} == 0))
