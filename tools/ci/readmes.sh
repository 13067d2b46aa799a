#!/usr/bin/env bash
# The role READMEs are generated from each role's meta/argument_specs.yml and meta/main.yml by aar-doc (pinned in
# tools/toolchain/requirements.in), as devsec.hardening does: between the <!-- BEGIN_ANSIBLE_DOCS --> and
# <!-- END_ANSIBLE_DOCS --> markers of roles/<role>/README.md; the text around the markers is kept.
#   tools/ci/readmes.sh           regenerate them (`make readmes`)
#   tools/ci/readmes.sh --check   fail, naming the role and showing the difference, if one is not current (`make lint`)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
aar_doc=${AAR_DOC:-$repo/.venv/bin/aar-doc}
[ -x "$aar_doc" ] || { echo "readmes: $aar_doc is missing: run make deps" >&2; exit 1; }
check=0; [ "${1:-}" = --check ] && check=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
stale=()
for meta in roles/*/meta/argument_specs.yml; do
  role=${meta%/meta/argument_specs.yml}
  readme=$role/README.md
  if [ ! -f "$readme" ]; then
    [ $check = 1 ] && { echo "readmes: $readme is missing (make readmes creates it)" >&2; stale+=("$role"); continue; }
    printf '<!-- BEGIN_ANSIBLE_DOCS -->\n<!-- END_ANSIBLE_DOCS -->\n' > "$readme"
  fi
  out=$tmp/${role#roles/}.md
  cp "$readme" "$out"
  "$aar_doc" --output-file "$out" "$role" markdown >/dev/null
  if ! cmp -s "$readme" "$out"; then
    if [ $check = 1 ]; then
      echo "readmes: $readme is not what $meta gives (run make readmes):" >&2
      diff -u "$readme" "$out" | head -40 >&2 || true
      stale+=("$role")
    else
      cp "$out" "$readme"; echo "readmes: wrote $readme"
    fi
  fi
done
[ ${#stale[@]} = 0 ] || { echo "readmes: ${#stale[@]} role README(s) not current: ${stale[*]}" >&2; exit 1; }
