#!/usr/bin/env bash
# Run Molecule scenarios (all under molecule/ but `shared`, or those named) with the test bed they need,
# and, when running everything, the integration tests under tests/integration:
# the dev cloud is started in the background while the test-host image is built or checked, and whatever
# this script started is stopped again on exit, so CI ends with nothing left running.
# Scenarios run in two lanes side by side: those with a QEMU VM (TCG keeps one core busy) and the rest (dev
# cloud API, nspawn hosts). GOVCLOUD_MOLECULE_LANE=vm|other runs one lane only (tools/ci/test.sh starts the VM
# lane early, beside the unit tests); GOVCLOUD_MOLECULE_LANES=1 runs everything in one lane, one by one.
# GOVCLOUD_MOLECULE_KEEP_CLOUD=1: leave the dev cloud running even if this script started it (the caller owns it).
# GOVCLOUD_MOLECULE_QUEUE=DIR (both lanes run as separate processes, tools/ci/test.sh): the lanes balance
# themselves: a scenario of the other lane is claimed (mkdir DIR/<scenario>, atomic) before it runs, and the VM
# lane, once its own are done, takes the other lane's scenarios from the end of its list (all but integration and
# scale).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
devcloud=tools/devcloud/devcloud
testhosts=tools/testhosts/testhosts
lane=${GOVCLOUD_MOLECULE_LANE:-}
case "$lane" in ""|vm|other) ;; *) echo "GOVCLOUD_MOLECULE_LANE=$lane: must be vm, other or empty" >&2; exit 2 ;; esac

# guest runs on the booting dev cloud (devcloud --boot), not on the shared one this script starts: make guest-test
if (($#)); then scenarios=("$@"); else
  mapfile -t scenarios < <(find molecule -mindepth 2 -maxdepth 2 -name molecule.yml -printf '%h\n' \
    | xargs -n1 basename | grep -vxE 'shared|guest' | sort)
fi
has_vm() { [ -f "molecule/$1/molecule.yml" ] && grep -qE '^\s*kind:\s*vm\b' "molecule/$1/molecule.yml"; }
vm_lane=() other_lane=()
for s in "${scenarios[@]}"; do
  if has_vm "$s" && [ "${GOVCLOUD_MOLECULE_LANES:-2}" != 1 ]; then vm_lane+=("$s"); else other_lane+=("$s"); fi
done
# integration tests that need the bed but no scenario of their own (only when running everything); they run
# first in their lane and compare the whole dev cloud before and after, so the VM lane starts with the scenarios
# that leave the cloud alone (no OS_CLOUD in their molecule.yml) and none that changes it runs beside them.
# The scale test (tests/scale: 20 applications at once) is not in the default list (~14 min of both cores here,
# docs/operations.md): `make scale-test`, or `make molecule SCENARIOS=scale`.
if ((! $#)); then other_lane=(integration "${other_lane[@]}"); fi
uses_cloud() { grep -qE '^\s*OS_CLOUD:' "molecule/$1/molecule.yml"; }
hostonly=() cloudy=()
for s in "${vm_lane[@]}"; do if uses_cloud "$s"; then cloudy+=("$s"); else hostonly+=("$s"); fi; done
vm_lane=("${hostonly[@]}" "${cloudy[@]}")
queue=${GOVCLOUD_MOLECULE_QUEUE:-}
ran=()
stealable=()
if [ -n "$queue" ] && [ "$lane" = vm ]; then
  for ((i = ${#other_lane[@]} - 1; i >= 0; i--)); do
    case "${other_lane[i]}" in integration|scale) ;; *) stealable+=("${other_lane[i]}") ;; esac
  done
fi
case "$lane" in vm) other_lane=() ;; other) vm_lane=() ;; esac
scenarios=("${other_lane[@]}" "${vm_lane[@]}" "${stealable[@]}")
((${#scenarios[@]})) || { echo "molecule: nothing to run in lane '$lane'"; exit 0; }

hosts_now() { "$testhosts" list --json 2>/dev/null | python3 -c 'import json,sys; print("\n".join(h["name"] for h in json.load(sys.stdin)))'; }
started_cloud=0
lane_pid=
cleanup() {
  local rc=$? h s
  # a lane still running (interrupted run): stop it before its hosts go
  [ -z "$lane_pid" ] || { pkill -P "$lane_pid" 2>/dev/null; kill "$lane_pid" 2>/dev/null; } || true
  # Molecule's destroy removes each scenario's hosts; this catches a scenario that died before destroy.
  # Hosts are named <checkout>-<scenario>-<platform> (molecule/shared/create.yml: first 4 hex of the sha1 of
  # the checkout path, scenario with [^a-z0-9]+ as '-'): only this checkout's hosts of our scenarios go, so a
  # lane, or another checkout's run, beside us keeps its own.
  local checkout; checkout=$(printf "%s" "$(cd "$repo" && pwd -P)" | sha1sum | cut -c1-4)
  # with a queue, the scenarios of the list another lane may be running are not ours: only those this lane ran
  local mine=("${scenarios[@]}")
  [ -z "$queue" ] || mine=("${ran[@]}")
  for h in $(hosts_now); do
    for s in "${mine[@]}"; do
      [[ $h == "$checkout-$(sed -E 's/[^a-z0-9]+/-/g' <<<"$s")-"* ]] && { "$testhosts" down "$h" >/dev/null 2>&1 || true; }
    done
  done
  if [ "$started_cloud" = 1 ] && [ -z "${GOVCLOUD_MOLECULE_KEEP_CLOUD:-}" ]; then "$devcloud" down || true; fi
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

claim() { [ -z "$queue" ] && return 0; mkdir -p "$queue"; mkdir "$queue/$1" 2>/dev/null; }
run_scenario() {
  local s=$1 ts=$SECONDS rc=0
  claim "$s" || return 0
  ran+=("$s")
  # the claimer's own result only (a log of an earlier run in this checkout is not it)
  rm -f ".work/logs/molecule-$s.log" ".work/logs/molecule-$s.took"
  if [ "$s" = integration ] || [ "$s" = scale ]; then
    # (-rP: the scale test's measured wall times are in its log also when it passes)
    .venv/bin/python -m pytest -q -rP -p no:cacheprovider "tests/$s" > ".work/logs/molecule-$s.log" 2>&1 || rc=$?
  else
    # Molecule names its working directory after the checkout's base name only (two clones called "main"
    # would share it): keep it inside this checkout.
    MOLECULE_EPHEMERAL_DIRECTORY="$repo/.work/molecule/$s" molecule test -s "$s" > ".work/logs/molecule-$s.log" 2>&1 || rc=$?
  fi
  if ((rc == 0)); then echo "$((SECONDS - ts))" > ".work/logs/molecule-$s.took"
  else echo "FAILED after $((SECONDS - ts))" > ".work/logs/molecule-$s.took"; fi
  echo "molecule: $s: $(cat ".work/logs/molecule-$s.took") s"
}
run_lane() { local s; for s in "$@"; do run_scenario "$s"; done; }
echo "molecule: lanes: [${vm_lane[*]}] [${other_lane[*]}]"
((${#stealable[@]} == 0)) || echo "molecule: then, unless the other lane has begun them: ${stealable[*]}"
if ((${#vm_lane[@]} && ${#other_lane[@]})); then
  run_lane "${vm_lane[@]}" & lane_pid=$!
  run_lane "${other_lane[@]}"
  wait "$lane_pid" || true
  lane_pid=
  ran=("${other_lane[@]}" "${vm_lane[@]}")  # the background lane's own list (one process, no queue)
else run_lane "${vm_lane[@]}" "${other_lane[@]}" "${stealable[@]}"; fi
failed=()
for s in "${ran[@]}"; do
  took=$(cat ".work/logs/molecule-$s.took" 2>/dev/null || echo "FAILED (no result)")
  if [[ $took == FAILED* ]]; then
    failed+=("$s")
    echo "=================== molecule: $s $took; its log (.work/logs/molecule-$s.log):"
    cat ".work/logs/molecule-$s.log" 2>/dev/null || true
  fi
done
echo "molecule: scenario wall times (s):"
for s in "${ran[@]}"; do echo "  $s: $(cat ".work/logs/molecule-$s.took" 2>/dev/null || echo "FAILED (no result)")"; done
echo "molecule: wall time $((SECONDS - t0)) s"
passed=$(( ${#ran[@]} - ${#failed[@]} ))
echo "molecule: ${passed} passed, ${#failed[@]} failed"
((${#failed[@]} == 0))
