# shellcheck shell=bash
# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# devcloud install: Debian packages (via tools/bootstrap/apt.sh) and the cached service venv.

cmd_install() {
  mkdir -p "$LOGS" "$GOVCLOUD_CACHE/venvs"
  if [ -x "$REPO_ROOT/tools/bootstrap/apt.sh" ]; then
    timed apt "$REPO_ROOT/tools/bootstrap/apt.sh" >&2 || die "tools/bootstrap/apt.sh failed"
  fi
  local venv; venv=$(venv_path)
  # Two callers (e.g. two Molecule scenarios) must not build the same venv at once.
  exec 8>"$GOVCLOUD_CACHE/venvs/.devcloud.lock"
  flock 8
  if [ -f "$venv/.complete" ] && [ -x "$venv/bin/keystone-manage" ]; then
    log "venv ready: $venv"
    flock -u 8; exec 8>&-
    return 0
  fi
  local py; py=$(pick_python) || die "no Python 3.11 found (tried PYENV_VERSION=3.11.7 python3.11 and /usr/bin/python3); the 2026.2 services need 3.11"
  log "building venv $venv with $py (~3 min; log: $LOGS/pip-install.log)"
  rm -rf "$venv"
  local build; build=$(mktemp -d)
  # pip builds the driver from a copy: an in-tree build/ or egg-info would otherwise land in the checkout.
  cp -r "$DEVCLOUD_SRC/devcloud_ml2" "$DEVCLOUD_SRC/devcloud_cinder" "$build/"
  if ! timed venv-install bash -c '
      set -euo pipefail
      "$1" -m venv "$2"
      "$2/bin/pip" install -q --upgrade pip
      "$2/bin/pip" install --no-cache-dir -c "$3/upper-constraints.txt" -r "$3/requirements.txt" "$4/devcloud_ml2" ${5:+-r "$3/$5" "$4/devcloud_cinder"}
    ' _ "$py" "$venv" "$DEVCLOUD_SRC" "$build" "${DEVCLOUD_BOOT:+requirements-boot.txt}" > "$LOGS/pip-install.log" 2>&1; then
    rm -rf "$build"
    tail -20 "$LOGS/pip-install.log" >&2
    die "pip install failed (full log: $LOGS/pip-install.log); the venv was left incomplete and will be rebuilt"
  fi
  rm -rf "$build"
  "$venv/bin/pip" freeze > "$venv/.freeze.txt"
  date -u +%FT%TZ > "$venv/.complete"
  flock -u 8; exec 8>&-
  log "venv ready: $venv"
}
