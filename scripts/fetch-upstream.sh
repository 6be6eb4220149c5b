#!/usr/bin/env bash
# Fetches the pinned upstream files the tests read (scripts/upstream-files.txt) from their
# repositories at the pinned commits into DIR, in the layout of ../shared/upstream, so that CI runs
# the upstream-data tests against them (EDGE_CLOUD_MESH_UPSTREAM=DIR) instead of skipping them.
#
#   scripts/fetch-upstream.sh DIR
#
# Needs git and node; runs on Linux and macOS (bash 3.2, BSD userland: no mapfile, no GNU-only flags).
# UPSTREAM_GIT_BASE replaces https://github.com and UPSTREAM_FILES the list (the tests use local
# repositories).
set -euo pipefail
dest=${1:?usage: scripts/fetch-upstream.sh DIR}
list=${UPSTREAM_FILES:-$(dirname "$0")/upstream-files.txt}
base=${UPSTREAM_GIT_BASE:-https://github.com}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Checks PATHS of REPO out at COMMIT (one shallow, blobless fetch per commit); prints the checkout.
checkout() {
    local repo=$1 commit=$2 dir="$work/${1//\//_}-$2"
    shift 2
    if [ ! -d "$dir" ]; then
        git init -q "$dir"
        git -C "$dir" fetch -q --depth 1 --filter=blob:none "$base/$repo.git" "$commit"
    fi
    git -C "$dir" checkout -q "$commit" -- "$@"
    echo "$dir"
}

# Every .Values path read in the comma-separated DIRS of CHECKOUT, as a JSON list.
values_read() {
    local checkout=$1 dirs
    IFS=, read -ra dirs <<<"$2"
    (cd "$checkout" && grep -rhoE '\$?\.Values(\.[A-Za-z0-9_]+)+' "${dirs[@]}") |
        sed -E 's/^\$?\.Values\.//' | LC_ALL=C sort -u |
        node -e 'process.stdout.write(JSON.stringify(require("fs").readFileSync(0, "utf8").split("\n").filter(Boolean)))'
}

# (the last line may lack its newline)
while read -r target repo commit source || [ -n "${target:-}" ]; do
    case "$target" in "" | "#"*) continue ;; esac
    mkdir -p "$(dirname "$dest/$target")"
    if [[ "$source" == values-read:* ]]; then
        charts=${source#values-read:}
        dirs=()
        while IFS= read -r dir; do dirs+=("$dir"); done < <(tr ';' '\n' <<<"$charts" | cut -d= -f2 | tr ',' '\n' | sort -u)
        checkout=$(checkout "$repo" "$commit" "${dirs[@]}")
        json="{\"_about\": \"Every .Values path each chart's templates read, derived from $repo at $commit by scripts/fetch-upstream.sh\""
        IFS=';' read -ra entries <<<"$charts"
        for entry in "${entries[@]}"; do
            json+=", \"${entry%%=*}\": $(values_read "$checkout" "${entry#*=}")"
        done
        printf '%s}\n' "$json" >"$dest/$target"
    else
        checkout=$(checkout "$repo" "$commit" "$source")
        cp "$checkout/$source" "$dest/$target"
    fi
    echo "$target <- $repo@$commit:${source%%:*}"
done <"$list"
