#!/usr/bin/env bash
# End to end, on real clusters: traffic through the link for the whole of a trust-anchor rotation, and
# how many requests failed in each part of it.
#
# A meshed probe of its own on the edge (a Deployment the program does not own, so every
# `npm run rotate` asks for its restart) calls the cloud's podinfo through its mirror, always across
# the link, about five times a second per pod, each answer one line of its log: `<epoch seconds> <pod>
# <HTTP status>` (000 when nothing answered within 5 s). The runner follows the log of every probe pod
# as it appears (`kubectl logs -f` ends with its pod), marks where each part of the rotation begins,
# and at the end counts the requests and the failed ones between marks.
#
# Usage, one subcommand per step of the workflow:
#   start             deploys the probe and follows its pods in the background; marks "baseline"
#   mark <label>      a part of the rotation begins now (e.g. "rotate 1")
#   restart <file>    runs the `kubectl ... rollout restart ...` commands npm run rotate printed (its
#                     output in <file>), exactly as printed, and waits for each workload's rollout
#   stop              stops following and removes the probe
#   report            a Markdown table of every part's requests and failures; exits 1 when more than
#                     MAX_FAILED requests failed in all
#
# Environment:
#   EDGE_CONTEXT      kube context of the edge cluster (required)
#   EDGE_KUBECONFIG   its kubeconfig file (default: kubectl's, $KUBECONFIG or ~/.kube/config)
#   TRAFFIC_DIR       where the logs and marks are kept between the steps (required)
#   TARGET            what the probe calls (default: the cloud's podinfo through its mirror on the edge,
#                     http://podinfo-cloud.test.svc.cluster.local:9898/)
#   MAX_FAILED        failed requests the report lets pass (default 0)
#   POLL_SECONDS      how often new probe pods are looked for (default 2)
#
# Runs on bash 3.2 and a BSD userland as on Linux: second-resolution times from `date +%s`, no
# `timeout`, no arrays of bash 4.
set -euo pipefail
export LC_ALL=C

NAMESPACE="test"
PROBE=rotation-probe

log() { printf '%s\n' "$*" >&2; }
fail() {
    log "FAIL: $*"
    exit 1
}

edge_kubectl() {
    if [ -n "${EDGE_KUBECONFIG:-}" ]; then
        kubectl --kubeconfig "$EDGE_KUBECONFIG" --context "$EDGE_CONTEXT" "$@"
    else
        kubectl --context "$EDGE_CONTEXT" "$@"
    fi
}

now() { date +%s; }

# The probe: two meshed pods (the namespace injects them), a new one ready before an old one goes, each
# calling TARGET in a loop; on TERM the request in flight finishes first (sh runs the trap after it).
# $1 is the image (podinfo's: busybox sh, date and curl).
manifest() {
    cat <<EOF
apiVersion: apps/v1
kind: Deployment
metadata:
  name: $PROBE
  namespace: $NAMESPACE
  labels:
    app: $PROBE
spec:
  replicas: 2
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxUnavailable: 0
      maxSurge: 1
  selector:
    matchLabels:
      app: $PROBE
  template:
    metadata:
      labels:
        app: $PROBE
      annotations:
        config.alpha.linkerd.io/proxy-wait-before-exit-seconds: "10"
    spec:
      containers:
        - name: probe
          image: $1
          env:
            - name: TARGET
              value: "$TARGET"
          command:
            - sh
            - -c
            - |
              trap 'exit 0' TERM
              while true; do
                echo "\$(date +%s) \$HOSTNAME \$(curl -s -o /dev/null -m 5 -w '%{http_code}' "\$TARGET")"
                sleep 0.2
              done
EOF
}

# The probe's running pods, one name a line.
running_probes() {
    edge_kubectl -n "$NAMESPACE" get pods -l "app=$PROBE" \
        -o jsonpath='{range .items[*]}{.metadata.name} {.status.phase}{"\n"}{end}' | awk '$2 == "Running" { print $1 }'
}

# In the background until TRAFFIC_DIR/stop exists: follows the log of each running probe pod not yet
# followed, into TRAFFIC_DIR/pods/<pod>.log, each follower's pid in TRAFFIC_DIR/followers.
collect() {
    local pod
    mkdir -p "$TRAFFIC_DIR/pods"
    while [ ! -f "$TRAFFIC_DIR/stop" ]; do
        for pod in $(running_probes 2>>"$TRAFFIC_DIR/collector.err" || true); do
            [ -f "$TRAFFIC_DIR/pods/$pod.log" ] && continue
            : >"$TRAFFIC_DIR/pods/$pod.log"
            edge_kubectl -n "$NAMESPACE" logs -f "pod/$pod" -c probe >>"$TRAFFIC_DIR/pods/$pod.log" 2>>"$TRAFFIC_DIR/collector.err" &
            echo $! >>"$TRAFFIC_DIR/followers"
        done
        sleep "$POLL_SECONDS"
    done
}

mark() { echo "$(now) $*" >>"$TRAFFIC_DIR/marks"; }

start() {
    local image
    mkdir -p "$TRAFFIC_DIR"
    rm -f "$TRAFFIC_DIR/stop"
    image=$(edge_kubectl -n "$NAMESPACE" get deploy podinfo -o jsonpath='{.spec.template.spec.containers[0].image}')
    [ -n "$image" ] || fail "no podinfo Deployment in $NAMESPACE on the edge: the probe takes its image"
    manifest "$image" | edge_kubectl apply -f - >&2
    edge_kubectl -n "$NAMESPACE" rollout status "deploy/$PROBE" --timeout=180s >&2
    "$0" collect </dev/null >/dev/null 2>>"$TRAFFIC_DIR/collector.err" &
    echo $! >"$TRAFFIC_DIR/collector.pid"
    mark baseline
    log "The probe calls $TARGET from the edge; its pods' logs go to $TRAFFIC_DIR/pods"
}

# Runs each `kubectl ... rollout restart <workload>...` line npm run rotate printed in $1, as printed,
# then waits for each of those workloads' rollouts.
restart() {
    local line prefix workload
    [ -f "$1" ] || fail "no file $1 (npm run rotate's output)"
    grep -E '^  kubectl .* rollout restart ' "$1" | sed 's/^  //' >"$TRAFFIC_DIR/restarts" || true
    [ -s "$TRAFFIC_DIR/restarts" ] || log "npm run rotate printed no restart"
    while IFS= read -r line; do
        log "+ $line"
        sh -c "$line" >&2
        prefix=${line%% rollout restart *}
        for workload in ${line#* rollout restart }; do
            sh -c "$prefix rollout status $workload --timeout=300s" >&2
        done
    done <"$TRAFFIC_DIR/restarts"
}

stop() {
    local pid
    touch "$TRAFFIC_DIR/stop"
    if [ -f "$TRAFFIC_DIR/collector.pid" ]; then
        pid=$(cat "$TRAFFIC_DIR/collector.pid")
        while kill -0 "$pid" 2>/dev/null; do sleep 1; done
    fi
    if [ -f "$TRAFFIC_DIR/followers" ]; then
        while IFS= read -r pid; do
            kill "$pid" 2>/dev/null || true
        done <"$TRAFFIC_DIR/followers"
    fi
    mark end
    edge_kubectl -n "$NAMESPACE" delete deploy "$PROBE" --ignore-not-found >&2
}

# Per part of the rotation (from one mark to the next): requests, failed ones (any status but 200)
# and the seconds of the first and last failure. The lines of every pod, by time.
report() {
    [ -f "$TRAFFIC_DIR/marks" ] || fail "no marks in $TRAFFIC_DIR: run start first"
    cat "$TRAFFIC_DIR"/pods/*.log 2>/dev/null | sort -n |
        awk -v max="$MAX_FAILED" -v marks="$TRAFFIC_DIR/marks" '
            BEGIN {
                while ((getline line < marks) > 0) {
                    count++
                    at[count] = substr(line, 1, index(line, " ") - 1) + 0
                    label[count] = substr(line, index(line, " ") + 1)
                }
                part = 1
            }
            NF >= 3 {
                while (part < count && $1 >= at[part + 1]) part++
                if ($1 < at[1]) next
                requests[part]++
                if ($3 != "200") {
                    failed[part]++
                    if (!(part in first)) first[part] = $1 - at[1]
                    last[part] = $1 - at[1]
                }
            }
            END {
                print "| part of the rotation | from (s) | requests | failed | failures at (s) |"
                print "|---|---|---|---|---|"
                for (i = 1; i < count; i++) {
                    when = (i in first) ? first[i] "-" last[i] : ""
                    printf "| %s | %d | %d | %d | %s |\n", label[i], at[i] - at[1], requests[i] + 0, failed[i] + 0, when
                    total += requests[i]
                    bad += failed[i]
                }
                printf "\n%d requests, %d failed (%d allowed)\n", total, bad, max
                if (total == 0) { print "no request was counted: did the probe run?"; exit 1 }
                if (bad > max) exit 1
            }'
}

main() {
    : "${EDGE_CONTEXT:?set EDGE_CONTEXT to the kube context of the edge cluster}"
    : "${TRAFFIC_DIR:?set TRAFFIC_DIR to a directory for the probe logs and marks}"
    TARGET=${TARGET:-http://podinfo-cloud.$NAMESPACE.svc.cluster.local:9898/}
    MAX_FAILED=${MAX_FAILED:-0}
    POLL_SECONDS=${POLL_SECONDS:-2}
    case ${1:-} in
        start) start ;;
        collect) collect ;;
        mark)
            [ -n "${2:-}" ] || fail "mark takes a label"
            shift
            mark "$*"
            ;;
        restart) restart "${2:?restart takes the file that holds the output of npm run rotate}" ;;
        stop) stop ;;
        report) report ;;
        *) fail "usage: $0 start | mark <label> | restart <file> | stop | report" ;;
    esac
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    main "$@"
fi
