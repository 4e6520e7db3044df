#!/usr/bin/env bash
# Re-extracts OpenTofu's own 'tofu show -json' plan documents into this directory, from one commit of an OpenTofu
# checkout or bare git directory, so that the corpus's origin can be checked (see README.md beside this script).
#
#   extract.sh <opentofu checkout or git dir> [commit, default HEAD]
#
# Takes internal/command/testdata/show-json*/**/output.json when it is a plan document (it has planned_values; the
# others are state documents) and testing/equivalence-tests/outputs/*/plan.json with tofu's human 'plan' output
# beside it. Replaces what was extracted before.
set -euo pipefail

if [[ $# -lt 1 || $# -gt 2 ]]; then
    echo "usage: $0 <opentofu checkout or git dir> [commit, default HEAD]" >&2
    exit 2
fi
src=$1
commit=$(git -C "$src" rev-parse --verify "${2:-HEAD}^{commit}")
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

rm -rf "$here"/show-json* "$here/equivalence-tests"

plans=0
skipped=0
while IFS= read -r path; do
    case $path in
        internal/command/testdata/show-json*/output.json)
            target=$here/${path#internal/command/testdata/}
            ;;
        testing/equivalence-tests/outputs/*/plan.json)
            target=$here/equivalence-tests/${path#testing/equivalence-tests/outputs/}
            ;;
        *)
            continue
            ;;
    esac
    mkdir -p "$(dirname "$target")"
    git -C "$src" show "$commit:$path" >"$target"
    if ! grep -q '"planned_values"' "$target"; then
        rm "$target"
        rmdir -p --ignore-fail-on-non-empty "$(dirname "$target")"
        skipped=$((skipped + 1))
        continue
    fi
    if [[ $path == testing/* ]]; then
        git -C "$src" show "$commit:${path%.json}" >"${target%.json}"
    fi
    plans=$((plans + 1))
done < <(git -C "$src" ls-tree -r --name-only "$commit" -- internal/command/testdata testing/equivalence-tests/outputs)

echo "extracted $plans plan documents (skipped $skipped state documents) from opentofu commit $commit"
