#!/usr/bin/env bash
# Plain pytest for module_utils and plugins, run against the collection as Ansible imports it:
# unit tests, real ansible-playbook runs of the plugins, and the report in headless chromium.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
if (($#)); then args=("$@"); else args=(tests/unit tests/playbooks tests/browser tests/frontend); fi
exec .venv/bin/python -m pytest -q -p no:cacheprovider "${args[@]}"
