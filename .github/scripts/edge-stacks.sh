#!/usr/bin/env bash
# The edge stacks of the sites the cloud stack registers (its output edgeSiteNames), for the preview
# and destroy workflows. Each site's stack is named after the site, in the organisation and project of
# CLOUD_STACK, as the cloud stack's destroyOrder assumes: site edge-berlin of
# acme/edge-cloud-mesh/cloud is acme/edge-cloud-mesh/edge-berlin.
#
#   edge-stacks.sh preview   the sites whose edge stack exists, as a job matrix: $GITHUB_OUTPUT sites=[...],
#                            and whether the cloud stack exists: cloud=true|false
#   edge-stacks.sh destroy   the sites whose edge stack still holds resources, likewise
#   edge-stacks.sh linked    fails, naming them, while any edge stack still holds resources
#
# A matrix entry is {site, stack, runsOn, kubeconfigSecret}: runsOn is EDGE_RUNNERS[site] or else
# EDGE_RUNS_ON (JSON for runs-on); kubeconfigSecret is EDGE_KUBECONFIG_<SITE> (upper case, '-' as '_').
# Needs the pulumi CLI, logged in to the stacks' backend, and jq.
set -euo pipefail
mode=${1:?usage: edge-stacks.sh preview|destroy|linked}
: "${CLOUD_STACK:?}" "${EDGE_RUNS_ON:?}" "${EDGE_RUNNERS:={\}}"
errors=$(mktemp)

# Runs pulumi for one stack: status 3 when the stack does not exist; any other failure shows pulumi's
# error and returns its status (the callers stop on it: a backend error is not a missing stack).
pulumi_stack() {
    local status=0
    pulumi "$@" 2>"$errors" || status=$?
    if [ "$status" -ne 0 ] && grep -q "no stack named" "$errors"; then return 3; fi
    cat "$errors" >&2
    return "$status"
}

edge_stack() {
    case "$CLOUD_STACK" in
        */*) echo "${CLOUD_STACK%/*}/$1" ;;
        *) echo "$1" ;;
    esac
}

status=0
outputs=$(pulumi_stack stack output --json --stack "$CLOUD_STACK") || status=$?
if [ "$status" -eq 3 ]; then
    echo "::notice title=No cloud stack::There is no stack $CLOUD_STACK, so no edge site is registered."
    if [ "$mode" != linked ]; then printf 'cloud=false\nsites=[]\n' >>"$GITHUB_OUTPUT"; fi
    exit 0
fi
[ "$status" -eq 0 ] || exit "$status"

entries=()
for site in $(jq -r '.edgeSiteNames // [] | .[]' <<<"$outputs"); do
    stack=$(edge_stack "$site")
    status=0
    state=$(pulumi_stack stack export --stack "$stack") || status=$?
    if [ "$status" -eq 3 ]; then
        echo "::notice title=No edge stack for $site::$site is registered in $CLOUD_STACK, but there is no stack $stack: nothing to $mode there."
        continue
    fi
    [ "$status" -eq 0 ] || exit "$status"
    if [ "$mode" != preview ] && [ "$(jq '.deployment.resources // [] | length' <<<"$state")" -eq 0 ]; then
        echo "The edge stack $stack holds no resources."
        continue
    fi
    entries+=("$(jq -cn --arg site "$site" --arg stack "$stack" --arg secret "EDGE_KUBECONFIG_$(tr 'a-z-' 'A-Z_' <<<"$site")" \
        --argjson runners "$EDGE_RUNNERS" --argjson default "$EDGE_RUNS_ON" \
        '{site: $site, stack: $stack, runsOn: ($runners[$site] // $default), kubeconfigSecret: $secret}')")
done

if [ "$mode" = linked ]; then
    if [ ${#entries[@]} -gt 0 ]; then
        stacks=$(printf '%s\n' "${entries[@]}" | jq -rs 'map(.stack) | join(", ")')
        echo "::error title=Cloud stack not destroyed::$CLOUD_STACK keeps running, and billing, because these edge stacks still link to it: $stacks. Destroy them where their cluster is reachable (EDGE_RUNNERS), or name the sites gone for good in gone_sites, then run this workflow again."
        exit 1
    fi
    echo "No edge stack links to $CLOUD_STACK any more."
else
    printf 'cloud=true\nsites=%s\n' "$(printf '%s\n' "${entries[@]}" | jq -cs .)" >>"$GITHUB_OUTPUT"
fi
