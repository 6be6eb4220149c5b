#!/usr/bin/env bash
# End to end, on real clusters: the edge's podinfo fails over to the cloud's and comes back; or, with
# the split weighted, the cloud's podinfo goes away and the edge answers everything.
#
# Needs the edge stack (with the demo) after `pulumi up` on both stacks, kubectl and node. It calls
# podinfo from inside the edge mesh, through the split's HTTPRoute, and prints how long each switch took
# and how many requests failed during it. Exits non-zero on any failure, and puts everything back as it
# found it. Runs on Linux and macOS: bash 3.2 or later, a GNU or BSD userland (no EPOCHREALTIME, no
# GNU timeout; node keeps the clock and bounds each probe).
#
# FAILOVER_BY, with the edge stack's `splitMode: failover`: takes the edge's podinfo away, checks that
# every answer then comes from the cloud with no failed request once the route has settled, restores
# it, and checks that every answer comes from the edge again:
#   scale       podinfo scaled to zero (the default)
#   readiness   its pods stay, not Ready
#   errors      its pods stay Ready but answer 500. podinfo 6.7.0 has no switch that fails `/` and not
#               its probes (--random-error fails a third of everything, probes included), but it answers
#               GET /store/<name> with the file /data/<name>, and 500 when the file is missing: the
#               probe asks for a file holding each pod's own answer to `/`, written into every podinfo
#               pod of both clusters and removed from the edge's. The probe runs in a meshed pod of its
#               own: the frontend's client asks `/` every second, whose successes would keep the edge's
#               pods in the client proxy's balancer.
# FAILOVER_BY, with `splitMode: weighted`:
#   cloud-scale the cloud's podinfo scaled to zero: every answer from the edge, with no failed request
#               at all, then answers from both clusters again once it is back.
#
# Environment:
#   EDGE_CONTEXT, CLOUD_CONTEXT          kube contexts of the edge and the cloud cluster (required)
#   EDGE_KUBECONFIG, CLOUD_KUBECONFIG    their kubeconfig files (default: kubectl's, $KUBECONFIG or ~/.kube/config)
#   FAILOVER_BY      scale (default), readiness, errors or cloud-scale (above)
#   SWITCH_TIMEOUT   seconds each switch may take (default 180)
#   VERIFY_REQUESTS  requests that must all succeed once a switch has settled (default 40)
#   BATCH            requests per probe while waiting for a switch (default 5)
set -euo pipefail
export LC_ALL=C

NAMESPACE="test"
PODINFO=podinfo
PODINFO_PORT=9898
# Who asks, and what: the frontend's client container and `/`, or (errors) a pod of its own and a file of podinfo's store.
CLIENT=deploy/frontend
CLIENT_CONTAINER=traffic
PROBE_PATH=/
PROBE_POD=failover-probe
PROBE_FILE=failover-probe
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
edge_kubectl() { kubectl "${EDGE[@]}" "$@"; }
cloud_kubectl() { kubectl "${CLOUD[@]}" "$@"; }

# Milliseconds since the epoch (bash has EPOCHREALTIME only from 5.0; BSD date has no %N).
now_ms() { node -e 'console.log(Date.now())'; }

# Runs a command, killed after $1 seconds as GNU timeout would (macOS has no timeout): its exit code, or
# 124 once killed. kubectl exec streams with no deadline of its own (exec.go: context.Background()).
within() {
    node -e '
        const [seconds, command, ...args] = process.argv.slice(1);
        const run = require("child_process").spawnSync(command, args, { stdio: "inherit", timeout: Number(seconds) * 1000 });
        process.exit(run.status ?? 124);
    ' -- "$@"
}

# "12345" ms -> "12.3"
seconds() { printf '%d.%d' $(($1 / 1000)) $(($1 % 1000 / 100)); }

# Which cluster gave one probe line: edge, cloud, failed (not a 2xx) or unexpected (a 2xx from neither).
# podinfo answers `/` with 200 and a read of its store with 202.
classify_answer() {
    local line=$1 edge_message=$2 cloud_message=$3
    local status=${line##* status=}
    if [[ $line != *" status="* || $status != 2[0-9][0-9] ]]; then
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

# Whether a tally has answers from $2, and none that failed or came from neither cluster.
some_from() {
    local counts=$1 cluster=$2
    [[ $(count_of "$cluster" "$counts") -gt 0 && $(count_of failed "$counts") -eq 0 && $(count_of unexpected "$counts") -eq 0 ]]
}

# The split mode of the HTTPRoute's "<name>=<weight>" lines on stdin: failover (the local podinfo
# first, the other backend with at least 1 and at most 1/1000 of its weight), weighted, local-only
# (the other backend has weight 0), or invalid.
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
    elif [[ $remote_weight -eq 0 ]]; then
        echo local-only
    elif [[ $remote_weight -ge 1 && $local_weight -ge $((remote_weight * 1000)) ]]; then
        echo failover
    else
        echo weighted
    fi
}

# $1 requests from inside the edge mesh to URL $2: probe lines on stdout, within a bound.
probe() {
    within $(($1 * CURL_MAX_SECONDS + 60)) \
        kubectl "${EDGE[@]}" -n "$NAMESPACE" exec "$CLIENT" -c "$CLIENT_CONTAINER" -- sh -c "$PROBE" probe "$1" "$2"
}

service_url() { echo "http://$1.$NAMESPACE.svc.cluster.local:$PODINFO_PORT$PROBE_PATH"; }

# Probes podinfo in batches until a batch's tally passes `$1 <tally> $2` (all_from, some_from), for at
# most SWITCH_TIMEOUT seconds from $3 (ms). Prints "<elapsed ms> <requests> <failed>" of the switch.
wait_until() {
    local condition=$1 cluster=$2 since=$3 deadline=$(($3 + SWITCH_TIMEOUT * 1000)) requests=0 failed=0 answers counts now
    while true; do
        if answers=$(probe "$BATCH" "$(service_url "$PODINFO")"); then
            now=$(now_ms)
            counts=$(tally "$EDGE_MESSAGE" "$CLOUD_MESSAGE" <<<"$answers")
            requests=$((requests + BATCH))
            failed=$((failed + $(count_of failed "$counts")))
            log "  $(seconds $((now - since)))s: $counts"
            if "$condition" "$counts" "$cluster"; then
                echo "$((now - since)) $requests $failed"
                return 0
            fi
        else
            now=$(now_ms)
            log "  kubectl exec into $CLIENT failed; trying again"
        fi
        if [[ $now -ge $deadline ]]; then
            case $condition in
                all_from) fail "not every answer came from $cluster within ${SWITCH_TIMEOUT}s (last: ${counts:-no answers})" ;;
                *) fail "no batch with answers from $cluster and no failure within ${SWITCH_TIMEOUT}s (last: ${counts:-no answers})" ;;
            esac
        fi
        sleep 1
    done
}

# VERIFY_REQUESTS requests to service $2, every one a success from $1.
verify_all_from() {
    local cluster=$1 answers counts
    answers=$(probe "$VERIFY_REQUESTS" "$(service_url "$2")") || fail "kubectl exec into $CLIENT failed"
    counts=$(tally "$EDGE_MESSAGE" "$CLOUD_MESSAGE" <<<"$answers")
    all_from "$counts" "$cluster" || fail "$VERIFY_REQUESTS requests to $2 once settled: $counts; expected every one from $cluster"
    log "  $VERIFY_REQUESTS requests to $2: $counts"
}

# VERIFY_REQUESTS requests to podinfo, every one a success, from both clusters.
verify_both() {
    local answers counts
    answers=$(probe "$VERIFY_REQUESTS" "$(service_url "$PODINFO")") || fail "kubectl exec into $CLIENT failed"
    counts=$(tally "$EDGE_MESSAGE" "$CLOUD_MESSAGE" <<<"$answers")
    if ! some_from "$counts" edge || ! some_from "$counts" cloud; then
        fail "$VERIFY_REQUESTS requests to $PODINFO: $counts; expected every one a success, from both clusters"
    fi
    log "  $VERIFY_REQUESTS requests to $PODINFO: $counts"
}

podinfo_message() {
    "$1" -n "$NAMESPACE" get deploy "$PODINFO" \
        -o jsonpath='{.spec.template.spec.containers[0].env[?(@.name=="PODINFO_UI_MESSAGE")].value}'
}

# The podinfo pods of a cluster: $1 is edge_kubectl or cloud_kubectl.
podinfo_pods() { "$1" -n "$NAMESPACE" get pods -l "app=$PODINFO" -o name; }

set_readiness() {
    local pod
    for pod in $(podinfo_pods edge_kubectl); do
        edge_kubectl -n "$NAMESPACE" exec "$pod" -c podinfod -- curl -fsS -X POST "http://localhost:$PODINFO_PORT/readyz/$1" >/dev/null
    done
}

# In every podinfo pod of a cluster ($1: edge_kubectl or cloud_kubectl), writes (or removes, $2) the
# file the errors probe asks for: the pod's own answer to `/`, in podinfo's store.
store_probe_answer() {
    local pod
    for pod in $(podinfo_pods "$1"); do
        case $2 in
            write) "$1" -n "$NAMESPACE" exec "$pod" -c podinfod -- sh -c "curl -fsS http://localhost:$PODINFO_PORT/ >/data/$PROBE_FILE" ;;
            remove) "$1" -n "$NAMESPACE" exec "$pod" -c podinfod -- rm -f "/data/$PROBE_FILE" ;;
        esac
    done
}

# The errors probe's own meshed client (the edge's podinfo image has sh and curl), and its files.
start_errors_probe() {
    local image
    image=$(edge_kubectl -n "$NAMESPACE" get deploy "$PODINFO" -o jsonpath='{.spec.template.spec.containers[0].image}')
    TEARDOWN="$TEARDOWN stop_errors_probe"
    edge_kubectl -n "$NAMESPACE" run "$PROBE_POD" --image="$image" --restart=Never --labels="app=$PROBE_POD" --command -- sleep 3600 >/dev/null
    edge_kubectl -n "$NAMESPACE" wait --for=condition=Ready "pod/$PROBE_POD" --timeout=180s >/dev/null
    store_probe_answer edge_kubectl write
    store_probe_answer cloud_kubectl write
    CLIENT=pod/$PROBE_POD
    CLIENT_CONTAINER=$PROBE_POD
    PROBE_PATH=/store/$PROBE_FILE
}

stop_errors_probe() {
    edge_kubectl -n "$NAMESPACE" delete pod "$PROBE_POD" --wait=false --ignore-not-found >/dev/null
    store_probe_answer edge_kubectl remove
    store_probe_answer cloud_kubectl remove
}

RESTORE=""
# What else to undo at exit: function names (a string: bash before 4.4 fails on an empty array under set -u).
TEARDOWN=""
take_podinfo_away() {
    RESTORE=bring_podinfo_back
    case $FAILOVER_BY in
        scale)
            REPLICAS=$(edge_kubectl -n "$NAMESPACE" get deploy "$PODINFO" -o jsonpath='{.spec.replicas}')
            edge_kubectl -n "$NAMESPACE" scale deploy "$PODINFO" --replicas=0 >/dev/null
            ;;
        readiness) set_readiness disable ;;
        errors) store_probe_answer edge_kubectl remove ;;
        cloud-scale)
            REPLICAS=$(cloud_kubectl -n "$NAMESPACE" get deploy "$PODINFO" -o jsonpath='{.spec.replicas}')
            cloud_kubectl -n "$NAMESPACE" scale deploy "$PODINFO" --replicas=0 >/dev/null
            ;;
    esac
}

bring_podinfo_back() {
    case $FAILOVER_BY in
        scale) edge_kubectl -n "$NAMESPACE" scale deploy "$PODINFO" --replicas="$REPLICAS" >/dev/null ;;
        readiness) set_readiness enable ;;
        errors) store_probe_answer edge_kubectl write ;;
        cloud-scale) cloud_kubectl -n "$NAMESPACE" scale deploy "$PODINFO" --replicas="$REPLICAS" >/dev/null ;;
    esac
    RESTORE=""
}

restore_on_exit() {
    if [[ -n $RESTORE ]]; then
        log "Putting podinfo back"
        "$RESTORE" || log "could not put podinfo back: do it by hand"
    fi
    local step
    for step in $TEARDOWN; do
        "$step" || log "could not $step: do it by hand"
    done
}

# With the edge's podinfo taken away ($FAILOVER_BY), every answer from the cloud; then from the edge again.
edge_fails_over() {
    local mirror=$1 started switch failover_ms failover_requests failover_failed recovery_ms recovery_requests recovery_failed
    log "Before: the cloud answers through the mirror $mirror, the edge answers podinfo"
    verify_all_from cloud "$mirror"
    verify_all_from edge "$PODINFO"

    log "Failover: taking the edge's podinfo away ($FAILOVER_BY)"
    started=$(now_ms)
    take_podinfo_away
    switch=$(wait_until all_from cloud "$started")
    read -r failover_ms failover_requests failover_failed <<<"$switch"
    verify_all_from cloud "$PODINFO"

    log "The client's proxy on the way (linkerd2-proxy's balancer queue and failure accrual):"
    edge_kubectl -n "$NAMESPACE" logs "$CLIENT" -c linkerd-proxy --since=10m |
        grep -E 'entering failfast|exited failfast|failure-accrual breaker' >&2 ||
        log "  (no failfast or breaker lines in the proxy's log)"

    log "Recovery: bringing the edge's podinfo back"
    started=$(now_ms)
    bring_podinfo_back
    switch=$(wait_until all_from edge "$started")
    read -r recovery_ms recovery_requests recovery_failed <<<"$switch"
    verify_all_from edge "$PODINFO"

    echo "failover edge -> cloud: $(seconds "$failover_ms")s ($failover_failed of $failover_requests requests failed during the switch, none after)"
    echo "recovery cloud -> edge: $(seconds "$recovery_ms")s ($recovery_failed of $recovery_requests requests failed during the switch, none after)"
}

# With the split weighted and the cloud's podinfo gone, every answer from the edge and not one failed
# request; then answers from both again.
cloud_goes_away() {
    local started switch gone_ms gone_requests gone_failed back_ms back_requests back_failed
    log "Before: the split answers from both clusters"
    verify_both

    log "The cloud's podinfo goes away (scaled to zero)"
    started=$(now_ms)
    take_podinfo_away
    switch=$(wait_until all_from edge "$started")
    read -r gone_ms gone_requests gone_failed <<<"$switch"
    [[ $gone_failed -eq 0 ]] || fail "$gone_failed of $gone_requests requests failed at the edge while the cloud's podinfo went away; expected none"
    verify_all_from edge "$PODINFO"

    log "The cloud's podinfo comes back"
    started=$(now_ms)
    bring_podinfo_back
    switch=$(wait_until some_from cloud "$started")
    read -r back_ms back_requests back_failed <<<"$switch"
    [[ $back_failed -eq 0 ]] || fail "$back_failed of $back_requests requests failed at the edge while the cloud's podinfo came back; expected none"
    verify_both

    echo "cloud gone -> every answer from the edge: $(seconds "$gone_ms")s ($gone_failed of $gone_requests requests failed)"
    echo "cloud back -> answers from both: $(seconds "$back_ms")s ($back_failed of $back_requests requests failed)"
}

main() {
    : "${EDGE_CONTEXT:?set EDGE_CONTEXT to the kube context of the edge cluster}"
    : "${CLOUD_CONTEXT:?set CLOUD_CONTEXT to the kube context of the cloud cluster}"
    local tool
    for tool in kubectl node; do
        command -v "$tool" >/dev/null || fail "no $tool on the PATH: the script needs kubectl and node (Node.js, as npm does)"
    done
    FAILOVER_BY=${FAILOVER_BY:-scale}
    SWITCH_TIMEOUT=${SWITCH_TIMEOUT:-180}
    VERIFY_REQUESTS=${VERIFY_REQUESTS:-40}
    BATCH=${BATCH:-5}
    local split_mode=failover
    case $FAILOVER_BY in
        scale | readiness | errors) ;;
        cloud-scale) split_mode=weighted ;;
        *) fail "FAILOVER_BY is \"$FAILOVER_BY\"; accepted: scale, readiness, errors or cloud-scale" ;;
    esac
    EDGE=(--context "$EDGE_CONTEXT")
    [[ -z ${EDGE_KUBECONFIG:-} ]] || EDGE=(--kubeconfig "$EDGE_KUBECONFIG" "${EDGE[@]}")
    CLOUD=(--context "$CLOUD_CONTEXT")
    [[ -z ${CLOUD_KUBECONFIG:-} ]] || CLOUD=(--kubeconfig "$CLOUD_KUBECONFIG" "${CLOUD[@]}")
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
    [[ $(route_mode <<<"$backends") == "$split_mode" ]] ||
        fail "the HTTPRoute $PODINFO splits $(tr '\n' ' ' <<<"$backends")- FAILOVER_BY=$FAILOVER_BY needs the edge stack's splitMode $split_mode (pulumi config set splitMode $split_mode, then pulumi up)"
    mirror=$(edge_kubectl -n "$NAMESPACE" get svc -l mirror.linkerd.io/mirrored-service=true \
        -o jsonpath='{range .items[*]}{.metadata.name}{"\n"}{end}' | grep -x "$PODINFO-.*" || true)
    [[ $(wc -l <<<"$mirror") -eq 1 && -n $mirror ]] ||
        fail "expected one mirror of $PODINFO on the edge (a Service $PODINFO-<cloud> labelled mirror.linkerd.io/mirrored-service=true), found: ${mirror:-none}"

    if [[ $FAILOVER_BY == errors ]]; then
        log "A meshed client of its own, and podinfo's answer stored in every podinfo pod for it to ask"
        start_errors_probe
    fi
    if [[ $FAILOVER_BY == cloud-scale ]]; then cloud_goes_away; else edge_fails_over "$mirror"; fi
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
    main
fi
