#!/usr/bin/env bash
# What the README promises once both stacks are up ("Verify, as the tutorial does" and "See the mesh
# work"), checked against the real clusters: after `npm run local:up`, or any deployed mesh, with the
# edge's split in either mode: `weighted` answers `/` from both clusters, `failover` (or a weight of 0
# for the cloud) from the edge only; `/<cloud>/` always from the cloud.
#
#   EDGE_KUBECONFIG, EDGE_CONTEXT    the edge cluster, as kubectl and linkerd reach it
#   CLOUD_KUBECONFIG, CLOUD_CONTEXT  the cloud cluster
#   CLOUD_NAME     the cloud's clusterName (default cloud): the mirror is podinfo-<CLOUD_NAME>
#   REQUESTS       requests per frontend check (default 40)
#   PORT           the local port the frontend is forwarded to (default 18080)
#   RETRY_SECONDS  the pause between tries while the link settles (default 5)
set -euo pipefail

: "${EDGE_KUBECONFIG:?set EDGE_KUBECONFIG to the edge cluster kubeconfig}" "${EDGE_CONTEXT:?set EDGE_CONTEXT to its context}"
: "${CLOUD_KUBECONFIG:?set CLOUD_KUBECONFIG to the cloud cluster kubeconfig}" "${CLOUD_CONTEXT:?set CLOUD_CONTEXT to its context}"
CLOUD_NAME="${CLOUD_NAME:-cloud}"
REQUESTS="${REQUESTS:-40}"
PORT="${PORT:-18080}"
RETRY_SECONDS="${RETRY_SECONDS:-5}"
MIRROR="podinfo-${CLOUD_NAME}"

# route_mode, the split's mode from its backends' weights, is failover.sh's.
# shellcheck source=e2e/failover.sh
source "$(dirname "${BASH_SOURCE[0]}")/failover.sh"

edge_kubectl() { kubectl --kubeconfig "$EDGE_KUBECONFIG" --context "$EDGE_CONTEXT" "$@"; }
edge_linkerd() { linkerd --kubeconfig "$EDGE_KUBECONFIG" --context "$EDGE_CONTEXT" "$@"; }
cloud_kubectl() { kubectl --kubeconfig "$CLOUD_KUBECONFIG" --context "$CLOUD_CONTEXT" "$@"; }

check() { echo; echo "==> $*"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
# Tries a command up to $1 times: the link, the mirror and the gateway probe settle after `up`.
retry() {
    local tries=$1
    shift
    for ((try = 1; try <= tries; try++)); do
        "$@" && return 0
        sleep "$RETRY_SECONDS"
    done
    return 1
}

check "the cloud's podinfo is exported"
cloud_kubectl -n test get svc podinfo -o jsonpath='{.metadata.labels.mirror\.linkerd\.io/exported}' | grep -qx true ||
    fail "the cloud's test/podinfo is not labelled mirror.linkerd.io/exported=true"

check "linkerd multicluster gateways, on the edge: ${CLOUD_NAME} alive"
gateway_alive() {
    edge_linkerd multicluster gateways -o json | node -e '
        const statuses = JSON.parse(require("fs").readFileSync(0, "utf8")) ?? []; // null before any gateway has a status
        const gateway = statuses.find((status) => status.clusterName === process.argv[1]);
        console.log(JSON.stringify(gateway ?? statuses));
        process.exit(gateway?.alive ? 0 : 1);
    ' "$CLOUD_NAME"
}
retry 24 gateway_alive || fail "the gateway of ${CLOUD_NAME} is not alive from the edge"

check "the mirror ${MIRROR} exists on the edge"
retry 24 edge_kubectl -n test get svc "$MIRROR" || fail "no Service test/${MIRROR} on the edge"

# After the gateway is alive: the check's probe step does not wait for it. It also reaches the cloud's
# API server from this machine, at the address in the Link's credentials.
check "linkerd multicluster check, on the edge"
retry 3 edge_linkerd multicluster check --wait 5m || fail "linkerd multicluster check failed on the edge"

check "the split of podinfo, on the edge: its backends exist, and its mode"
# "<name>=<weight>" per backend, from the HTTPRoute or (trafficSplitApi smi) the TrafficSplit.
backends=$(edge_kubectl -n test get httproutes.gateway.networking.k8s.io podinfo \
    -o jsonpath='{range .spec.rules[0].backendRefs[*]}{.name}={.weight}{"\n"}{end}' 2>/dev/null ||
    edge_kubectl -n test get trafficsplits.split.smi-spec.io podinfo \
        -o jsonpath='{range .spec.backends[*]}{.service}={.weight}{"\n"}{end}') || fail "no HTTPRoute or TrafficSplit podinfo on the edge"
echo "$backends"
# A backend Service that is missing fails every request it is given, unretried: the split names none.
while IFS= read -r backend; do
    edge_kubectl -n test get svc "$backend" >/dev/null || fail "the split's backend Service test/${backend} does not exist on the edge"
done < <(cut -d= -f1 <<<"$backends")
mode=$(route_mode <<<"$backends")
case $mode in
    weighted) echo "weighted: / answers from both clusters" ;;
    failover | local-only) echo "${mode}: / answers from the edge only" ;;
    *) fail "the split of podinfo is neither weighted nor failover: $(tr '\n' ' ' <<<"$backends")" ;;
esac

check "the frontend, on the edge, through kubectl port-forward"
edge_kubectl -n test port-forward svc/frontend "${PORT}:8080" >/dev/null 2>&1 &
FORWARD=$!
trap 'kill "$FORWARD" 2>/dev/null || true' EXIT
retry 12 curl -fsS -m 20 -o /dev/null "http://127.0.0.1:${PORT}/" || fail "the frontend does not answer on port ${PORT}"

# One line per request: podinfo's message ("greetings from <cluster>"), or FAILED.
answers() {
    local body message='"message": *"([^"]*)"'
    for ((request = 1; request <= REQUESTS; request++)); do
        body=$(curl -fsS -m 20 "http://127.0.0.1:${PORT}$1") || body=FAILED
        if [[ $body =~ $message ]]; then echo "${BASH_REMATCH[1]}"; else echo FAILED; fi
    done
}

split=$(answers /)
echo "/ answered:"
sort <<<"$split" | uniq -c
grep -qx FAILED <<<"$split" && fail "requests to / failed"
grep -qx "greetings from edge" <<<"$split" || fail "no answer from the edge on /"
if [[ $mode == weighted ]]; then
    grep -qx "greetings from ${CLOUD_NAME}" <<<"$split" || fail "no answer from ${CLOUD_NAME} on / (the weighted split sends it none)"
else
    [ "$(grep -cx "greetings from edge" <<<"$split")" -eq "$REQUESTS" ] || fail "/ did not always answer from the edge (the split is ${mode})"
fi

cloud=$(answers "/${CLOUD_NAME}/")
echo "/${CLOUD_NAME}/ answered:"
sort <<<"$cloud" | uniq -c
[ "$(grep -cx "greetings from ${CLOUD_NAME}" <<<"$cloud")" -eq "$REQUESTS" ] || fail "/${CLOUD_NAME}/ did not always answer from ${CLOUD_NAME}"

check "the frontend's requests to ${MIRROR} are mTLS (its proxy's metrics: tls=\"true\")"
pod=$(edge_kubectl -n test get pod -l app=frontend -o jsonpath='{.items[0].metadata.name}')
metrics=$(edge_kubectl get --raw "/api/v1/namespaces/test/pods/${pod}:4191/proxy/metrics")
to_mirror=$(grep '^response_total' <<<"$metrics" | grep "dst_service=\"${MIRROR}\"" || true)
[ -n "$to_mirror" ] || fail "the frontend's proxy counts no response from ${MIRROR}"
echo "$to_mirror"
if grep -v 'tls="true"' <<<"$to_mirror"; then fail "responses from ${MIRROR} without tls=\"true\" (above)"; fi

echo
echo "All checks passed."
