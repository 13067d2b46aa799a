#!/usr/bin/env bash
# molecule/guest on the booting dev cloud (make guest-test): the scenario runs inside the booting cloud's
# namespace (devcloud --boot exec), so its playbooks talk to that cloud and reach its guests. Starts the booting
# cloud when it is not running and stops it again on exit; the shared dev cloud is not touched.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
devcloud=tools/devcloud/devcloud
mkdir -p .work/logs
if ! "$devcloud" --boot check; then
  echo "guest: this machine lacks what the booting dev cloud needs (above); the scenario cannot run here" >&2
  exit 4
fi
started=0
if ! "$devcloud" --boot status >/dev/null 2>&1; then
  started=1
  trap '"$devcloud" --boot down > .work/logs/devcloud-boot-down.log 2>&1 || true' EXIT INT TERM
  t0=$SECONDS
  "$devcloud" --boot up > .work/logs/devcloud-boot-up.log 2>&1 || { tail -n 40 .work/logs/devcloud-boot-up.log >&2; exit 1; }
  echo "guest: booting cloud up in $((SECONDS - t0)) s"
fi
t0=$SECONDS
rc=0
MOLECULE_EPHEMERAL_DIRECTORY="$repo/.work/molecule/guest" PATH="$repo/.venv/bin:$PATH" \
  "$devcloud" --boot exec molecule test -s guest > .work/logs/molecule-guest.log 2>&1 || rc=$?
echo "guest: molecule test -s guest: $([ $rc = 0 ] && echo passed || echo "FAILED (rc $rc)") in $((SECONDS - t0)) s (log .work/logs/molecule-guest.log; started the booting cloud: $started)"
[ $rc = 0 ] || tail -n 60 .work/logs/molecule-guest.log >&2
exit $rc
