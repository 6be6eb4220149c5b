#!/usr/bin/env bash
# End to end, on real clusters: the edge's podinfo fails over to the cloud's and comes back.
#
# Needs the edge stack with `splitMode: failover` (and the demo) after `pulumi up` on both stacks, and
# kubectl. It calls podinfo from inside the edge mesh (the frontend pod's `traffic` container, whose
# proxy follows the HTTPRoute), takes the edge's podinfo away (scaled to zero, or its readiness
# disabled), checks that every answer then comes from the cloud with no failed request once the route
# has settled, restores it, checks that every answer comes from the edge again, and prints how long
# each switch took. Exits non-zero on any failure, and puts podinfo back as it found it.
#
# Environment:
#   EDGE_CONTEXT, CLOUD_CONTEXT          kube contexts of the edge and the cloud cluster (required)
#   EDGE_KUBECONFIG, CLOUD_KUBECONFIG    their kubeconfig files (default: kubectl's, $KUBECONFIG or ~/.kube/config)
#   FAILOVER_BY      scale (default: podinfo scaled to zero) or readiness (its pods stay, not Ready)
#   SWITCH_TIMEOUT   seconds each switch may take (default 180)
#   VERIFY_REQUESTS  requests that must all succeed from one cluster once a switch has settled (default 40)
#   BATCH            requests per probe while waiting for a switch (default 5)
set -euo pipefail
export LC_ALL=C

NAMESPACE="test"
PODINFO=podinfo
PODINFO_PORT=9898
CLIENT=deploy/frontend
CLIENT_CONTAINER=traffic
# The proxy's request timeout on the route is 15s: curl waits longer, so the mesh decides.
CURL_MAX_SECONDS=20

# Runs inside the client container (podinfo's image: busybox sh and curl). $1 requests to $2, one line
# each: the body (podinfo's JSON, newlines removed) and " status=<code>" (000 when nothing answered).
# podinfo answers GET / with its JSON, not its page, to any User-Agent but a browser's.
# shellcheck disable=SC2016 # expanded by the container's shell
PROBE='i=0; while [ "$i" -lt "$1" ]; do i=$((i + 1)); printf "%s\n" "$(curl -s -m '"$CURL_MAX_SECONDS"' -w " status=%{http_code}" "$2" | tr -d "\n")"; done'

log() { printf '%s\n' "$*" >&2; }
fail() {
    log "FAIL: $*"
    exit 1
}

# kubectl for one cluster: "${EDGE[@]}" and "${CLOUD[@]}" (set in main) name its kubeconfig and context.
EDGE=()
CLOUD=()
edge_kubectl() { kubectl "${EDGE[@]}" "$@"; }
cloud_kubectl() { kubectl "${CLOUD[@]}" "$@"; }

# Milliseconds since the epoch, from bash's own clock.
now_ms() {
    local micros=${EPOCHREALTIME/./}
    echo $((micros / 1000))
}

# "12345" ms -> "12.3"
seconds() { printf '%d.%d' $(($1 / 1000)) $(($1 % 1000 / 100)); }

# Which cluster gave one probe line: edge, cloud, failed (not a 200) or unexpected (a 200 from neither).
classify_answer() {
    local line=$1 edge_message=$2 cloud_message=$3
    local status=${line##* status=}
    if [[ $line != *" status="* || $status != 200 ]]; then
        echo failed
        return
    fi
    local pattern='"message": *"([^"]*)"'
    if [[ $line =~ $pattern ]]; then
        case ${BASH_REMATCH[1]} in
            "$edge_message") echo edge; return ;;
            "$cloud_message") echo cloud; return ;;
        esac
    fi
    echo unexpected
}

# Counts the answers of probe lines on stdin: "edge=N cloud=N failed=N unexpected=N".
tally() {
    local edge=0 cloud=0 failed=0 unexpected=0 line
    while IFS= read -r line; do
        [[ -n $line ]] || continue
        case $(classify_answer "$line" "$1" "$2") in
            edge) edge=$((edge + 1)) ;;
            cloud) cloud=$((cloud + 1)) ;;
            failed) failed=$((failed + 1)) ;;
            *) unexpected=$((unexpected + 1)) ;;
        esac
    done
    echo "edge=$edge cloud=$cloud failed=$failed unexpected=$unexpected"
}

# One count of a tally: count_of failed "edge=0 cloud=5 failed=0 unexpected=0" -> 0
count_of() {
    local field
    for field in $2; do
        [[ ${field%%=*} == "$1" ]] && echo "${field#*=}" && return
    done
    echo 0
}

# Whether a tally says that all of its (at least one) answers came from $2.
all_from() {
    local counts=$1 cluster=$2 total=0 field
    for field in $counts; do total=$((total + ${field#*=})); done
    [[ $total -gt 0 && " $counts " == *" $cluster=$total "* ]]
}

# The split mode of the HTTPRoute's "<name>=<weight>" lines on stdin: failover (the local podinfo
# first, the other backend with at least 1 and at most 1/1000 of its weight), weighted, or invalid.
route_mode() {
    local line name weight local_weight="" remote_weight="" remotes=0
    while IFS= read -r line; do
        [[ -n $line ]] || continue
        name=${line%%=*}
        weight=${line#*=}
        [[ $weight =~ ^[0-9]+$ ]] || weight=1 # an unset weight counts as 1
        if [[ $name == "$PODINFO" ]]; then local_weight=$weight; else remote_weight=$weight remotes=$((remotes + 1)); fi
    done
    if [[ -z $local_weight || $remotes -ne 1 ]]; then
        echo invalid
    elif [[ $remote_weight -ge 1 && $local_weight -ge $((remote_weight * 1000)) ]]; then
        echo failover
    else
        echo weighted
    fi
}

# $1 requests from inside the edge mesh to URL $2: probe lines on stdout. Bounded by `timeout`.
probe() {
    timeout $(($1 * CURL_MAX_SECONDS + 60)) \
        kubectl "${EDGE[@]}" -n "$NAMESPACE" exec "$CLIENT" -c "$CLIENT_CONTAINER" -- sh -c "$PROBE" probe "$1" "$2"
}

service_url() { echo "http://$1.$NAMESPACE.svc.cluster.local:$PODINFO_PORT/"; }

# Probes podinfo in batches until a whole batch comes from $1, for at most SWITCH_TIMEOUT seconds
# from $2 (ms). Prints "<elapsed ms> <requests> <failed>" of the switch.
wait_for_all_from() {
    local cluster=$1 since=$2 deadline=$(($2 + SWITCH_TIMEOUT * 1000)) requests=0 failed=0 answers counts
    while true; do
        if answers=$(probe "$BATCH" "$(service_url "$PODINFO")"); then
            counts=$(tally "$EDGE_MESSAGE" "$CLOUD_MESSAGE" <<<"$answers")
            requests=$((requests + BATCH))
            failed=$((failed + $(count_of failed "$counts")))
            log "  $(seconds $(($(now_ms) - since)))s: $counts"
            if all_from "$counts" "$cluster"; then
                echo "$(($(now_ms) - since)) $requests $failed"
                return 0
            fi
        else
            log "  kubectl exec into $CLIENT failed; trying again"
        fi
        if [[ $(now_ms) -ge $deadline ]]; then
            fail "not every answer came from $cluster within ${SWITCH_TIMEOUT}s (last: ${counts:-no answers})"
        fi
        sleep 1
    done
}

# VERIFY_REQUESTS requests, every one a 200 from $1.
verify_all_from() {
    local cluster=$1 answers counts
    answers=$(probe "$VERIFY_REQUESTS" "$(service_url "$2")") || fail "kubectl exec into $CLIENT failed"
    counts=$(tally "$EDGE_MESSAGE" "$CLOUD_MESSAGE" <<<"$answers")
    all_from "$counts" "$cluster" || fail "$VERIFY_REQUESTS requests to $2 once settled: $counts; expected every one from $cluster"
    log "  $VERIFY_REQUESTS requests to $2: $counts"
}

podinfo_message() {
    "$1" -n "$NAMESPACE" get deploy "$PODINFO" \
        -o jsonpath='{.spec.template.spec.containers[0].env[?(@.name=="PODINFO_UI_MESSAGE")].value}'
}

podinfo_pods() { edge_kubectl -n "$NAMESPACE" get pods -l "app=$PODINFO" -o name; }

set_readiness() {
    local pod
    for pod in $(podinfo_pods); do
        edge_kubectl -n "$NAMESPACE" exec "$pod" -c podinfod -- curl -fsS -X POST "http://localhost:$PODINFO_PORT/readyz/$1" >/dev/null
    done
}

RESTORE=""
take_podinfo_away() {
    case $FAILOVER_BY in
        scale)
            REPLICAS=$(edge_kubectl -n "$NAMESPACE" get deploy "$PODINFO" -o jsonpath='{.spec.replicas}')
            RESTORE=bring_podinfo_back
            edge_kubectl -n "$NAMESPACE" scale deploy "$PODINFO" --replicas=0 >/dev/null
            ;;
        readiness)
            RESTORE=bring_podinfo_back
            set_readiness disable
            ;;
    esac
}

bring_podinfo_back() {
    case $FAILOVER_BY in
        scale) edge_kubectl -n "$NAMESPACE" scale deploy "$PODINFO" --replicas="$REPLICAS" >/dev/null ;;
        readiness) set_readiness enable ;;
    esac
    RESTORE=""
}

restore_on_exit() {
    if [[ -n $RESTORE ]]; then
        log "Putting the edge's podinfo back"
        "$RESTORE" || log "could not put the edge's podinfo back: do it by hand"
    fi
}

main() {
    : "${EDGE_CONTEXT:?set EDGE_CONTEXT to the kube context of the edge cluster}"
    : "${CLOUD_CONTEXT:?set CLOUD_CONTEXT to the kube context of the cloud cluster}"
    FAILOVER_BY=${FAILOVER_BY:-scale}
    SWITCH_TIMEOUT=${SWITCH_TIMEOUT:-180}
    VERIFY_REQUESTS=${VERIFY_REQUESTS:-40}
    BATCH=${BATCH:-5}
    [[ $FAILOVER_BY == scale || $FAILOVER_BY == readiness ]] || fail "FAILOVER_BY is \"$FAILOVER_BY\"; accepted: scale or readiness"
    EDGE=(${EDGE_KUBECONFIG:+--kubeconfig "$EDGE_KUBECONFIG"} --context "$EDGE_CONTEXT")
    CLOUD=(${CLOUD_KUBECONFIG:+--kubeconfig "$CLOUD_KUBECONFIG"} --context "$CLOUD_CONTEXT")
    trap restore_on_exit EXIT

    log "Checking the demo on both clusters"
    cloud_kubectl -n "$NAMESPACE" rollout status deploy "$PODINFO" --timeout=120s >&2
    edge_kubectl -n "$NAMESPACE" rollout status deploy "$PODINFO" --timeout=120s >&2
    edge_kubectl -n "$NAMESPACE" rollout status "$CLIENT" --timeout=120s >&2
    EDGE_MESSAGE=$(podinfo_message edge_kubectl)
    CLOUD_MESSAGE=$(podinfo_message cloud_kubectl)
    [[ -n $EDGE_MESSAGE && -n $CLOUD_MESSAGE && $EDGE_MESSAGE != "$CLOUD_MESSAGE" ]] ||
        fail "podinfo must greet differently on each cluster (edge: \"$EDGE_MESSAGE\", cloud: \"$CLOUD_MESSAGE\")"

    local backends mirror
    backends=$(edge_kubectl -n "$NAMESPACE" get httproutes.gateway.networking.k8s.io "$PODINFO" \
        -o jsonpath='{range .spec.rules[0].backendRefs[*]}{.name}={.weight}{"\n"}{end}')
    [[ $(route_mode <<<"$backends") == failover ]] ||
        fail "the HTTPRoute $PODINFO splits $(tr '\n' ' ' <<<"$backends")- this check needs the edge stack's splitMode failover (pulumi config set splitMode failover, then pulumi up)"
    mirror=$(grep -v "^$PODINFO=" <<<"$backends" | cut -d= -f1)

    log "Before: the cloud answers through the mirror $mirror, the edge answers podinfo"
    verify_all_from cloud "$mirror"
    verify_all_from edge "$PODINFO"

    log "Failover: taking the edge's podinfo away ($FAILOVER_BY)"
    local started switch failover_ms failover_requests failover_failed recovery_ms recovery_requests recovery_failed
    started=$(now_ms)
    take_podinfo_away
    switch=$(wait_for_all_from cloud "$started")
    read -r failover_ms failover_requests failover_failed <<<"$switch"
    verify_all_from cloud "$PODINFO"

    log "The client's proxy on the way (linkerd2-proxy's balancer queue):"
    edge_kubectl -n "$NAMESPACE" logs "$CLIENT" -c linkerd-proxy --since=10m | grep -E 'entering failfast|exited failfast' >&2 ||
        log "  (no failfast lines in the proxy's log)"

    log "Recovery: bringing the edge's podinfo back"
    started=$(now_ms)
    bring_podinfo_back
    switch=$(wait_for_all_from edge "$started")
    read -r recovery_ms recovery_requests recovery_failed <<<"$switch"
    verify_all_from edge "$PODINFO"

    echo "failover edge -> cloud: $(seconds "$failover_ms")s ($failover_failed of $failover_requests requests failed during the switch, none after)"
    echo "recovery cloud -> edge: $(seconds "$recovery_ms")s ($recovery_failed of $recovery_requests requests failed during the switch, none after)"
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
    main "$@"
fi
