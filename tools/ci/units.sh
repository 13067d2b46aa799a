#!/usr/bin/env bash
# Plain pytest for module_utils and plugins, run against the collection as Ansible imports it.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
exec .venv/bin/python -m pytest -q -p no:cacheprovider tests/unit "$@"
