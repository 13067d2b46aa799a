#!/usr/bin/env bash
# ansible-test sanity without Docker: copy what the collection ships into a tree shaped
# ansible_collections/govcloud/lifecycle (ansible-test needs that path) and run with --venv.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
# outside the checkout: inside it, ansible-test would list files with git and skip the ignored copy; one per
# checkout, so that two checkouts' runs at once (a developer's and CI's) never delete each other's copy
checkout=$(printf '%s' "$repo" | sha1sum | cut -c1-8)
work=${GOVCLOUD_CACHE:-$HOME/.cache/govcloud-lifecycle}/sanity/$checkout/ansible_collections/govcloud/lifecycle
py=${SANITY_PYTHON:-3.13}
bin=$repo/.venv/bin

# ansible-test bootstraps pip in each venv by downloading get-pip.py from a host that is unreachable here.
# Give it a stand-in under the name it looks for: ensurepip plus an ordinary pip install from PyPI.
pip_ver=$("$bin/python" - <<'PY'
import re, pathlib, ansible_test
src = (pathlib.Path(ansible_test.__file__).parent / "_internal" / "python_requirements.py").read_text()
m = re.search(r"default_packages = dict\(\s*pip='([0-9.]+)'", src)
print(m.group(1) if m else "")
PY
)
[ -n "$pip_ver" ] || { echo "sanity: cannot find ansible-test's pip version; update tools/ci/sanity.sh" >&2; exit 1; }
cache=$HOME/.ansible/test/cache
mkdir -p "$cache"
cat > "$cache/get_pip_${pip_ver//./_}.py" <<'PY'
import ensurepip, os, subprocess, sys
ensurepip.bootstrap(upgrade=True)
# ensurepip points PIP_CONFIG_FILE at /dev/null; the machine's pip.conf carries the CA bundle
os.environ.pop("PIP_CONFIG_FILE", None)
os.environ.pop("ENSUREPIP_OPTIONS", None)
args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
sys.exit(subprocess.call([sys.executable, "-m", "pip", "install"] + args))
PY

rm -rf "$work"; mkdir -p "$work"
for p in galaxy.yml README.md LICENSE meta plugins roles playbooks data docs changelogs tests; do
  [ -e "$repo/$p" ] && cp -a "$repo/$p" "$work/"
done
rm -rf "$work/tests/output"
find "$work" -name __pycache__ -prune -exec rm -rf {} +
cd "$work"
"$bin/ansible-test" sanity --venv --python "$py" --color no "$@"
