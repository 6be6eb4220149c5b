// The kubectl commands the operator commands run on a stack's cluster, and what they read from them.
// Every command names the cluster as the stack's `kubeAccess` output does (contract.ts).
import * as os from "node:os";
import { shellLine } from "./runner";

/** Which kubeconfig and context reach a cluster: a stack's `kubeAccess` output. */
export interface KubeFlags {
    /** Absent: kubectl's default ($KUBECONFIG, or ~/.kube/config). */
    kubeconfig?: string;
    /** Absent: the kubeconfig's current context. */
    context?: string;
}

/** A path as the stacks print it: a leading `~` is the home directory (a shell would expand it). */
export function expandHome(file: string, home = os.homedir()): string {
    return file.replace(/^~(?=$|\/)/, home);
}

/** `--kubeconfig <file> --context <context>`, as far as given. */
export function kubeFlags(access: KubeFlags): string[] {
    return [
        ...(access.kubeconfig ? ["--kubeconfig", expandHome(access.kubeconfig)] : []),
        ...(access.context ? ["--context", access.context] : []),
    ];
}

/**
 * A command line as a problem quotes it: without the kubeconfig and context (the check names the
 * cluster) and without what follows `--` (an exec's script).
 */
export function shownCommand(argv: string[]): string {
    const shown: string[] = [];
    for (let index = 0; index < argv.length; index++) {
        if (argv[index] === "--kubeconfig" || argv[index] === "--context") index++;
        else if (argv[index] === "--") return [...shown, "-- …"].join(" ");
        else shown.push(argv[index]);
    }
    return shown.join(" ");
}

export function kubectl(access: KubeFlags, ...args: string[]): string[] {
    return ["kubectl", ...kubeFlags(access), ...args];
}

/** The API server this machine's kubectl talks to for the access's context (the kubeconfig's, not the cluster's own idea of it). */
export function serverArgs(access: KubeFlags): string[] {
    return kubectl(access, "config", "view", "--minify", "-o", "jsonpath={.clusters[0].cluster.server}");
}

/** `<namespace>/<name>` as kubectl takes it. */
function namespacedName(service: string): { namespace: string; name: string } {
    const [namespace, name] = service.split("/");
    return { namespace, name };
}

/** The service's label, or "" when it has none (jsonpath prints nothing); a missing service fails (NotFound). */
export function serviceLabelArgs(access: KubeFlags, service: string, label: string): string[] {
    const { namespace, name } = namespacedName(service);
    return kubectl(access, "-n", namespace, "get", "svc", name, "-o", `jsonpath={.metadata.labels.${label.replace(/\./g, "\\.")}}`);
}

/** Prints `service/<name>`; fails with the API server's NotFound when there is none. */
export function serviceArgs(access: KubeFlags, service: string): string[] {
    const { namespace, name } = namespacedName(service);
    return kubectl(access, "-n", namespace, "get", "svc", name, "-o", "name");
}

/**
 * The backends of the split of `service`, one `<name>=<weight>` line each (an unset weight prints
 * empty): from its HTTPRoute, or with `smi` from its TrafficSplit.
 */
export function splitBackendsArgs(access: KubeFlags, namespace: string, service: string, api: "httproute" | "smi"): string[] {
    const [resource, jsonpath] =
        api === "httproute"
            ? ["httproutes.gateway.networking.k8s.io", 'jsonpath={range .spec.rules[0].backendRefs[*]}{.name}={.weight}{"\\n"}{end}']
            : ["trafficsplits.split.smi-spec.io", 'jsonpath={range .spec.backends[*]}{.service}={.weight}{"\\n"}{end}'];
    return kubectl(access, "-n", namespace, "get", resource, service, "-o", jsonpath);
}

/** The name of the first pod with the label `app=<app>`. */
export function podNameArgs(access: KubeFlags, namespace: string, app: string): string[] {
    return kubectl(access, "-n", namespace, "get", "pod", "-l", `app=${app}`, "-o", "jsonpath={.items[0].metadata.name}");
}

/** A port of a pod through the API server's proxy, e.g. its Linkerd proxy's metrics on 4191. */
export function podProxyArgs(access: KubeFlags, namespace: string, pod: string, portAndPath: string): string[] {
    return kubectl(access, "get", "--raw", `/api/v1/namespaces/${namespace}/pods/${pod}:${portAndPath}`);
}

/**
 * `requests` GETs of `url` from inside a container (podinfo's image: busybox sh and curl), one line
 * each: the body without its newlines, then ` status=<code>` (000 when nothing answered). curl's own
 * limit is above the proxy's request timeout, so the mesh decides.
 */
export function probeArgs(
    access: KubeFlags,
    target: { namespace: string; workload: string; container: string },
    requests: number,
    url: string,
) {
    const script =
        'i=0; while [ "$i" -lt "$1" ]; do i=$((i + 1)); ' +
        'printf "%s\\n" "$(curl -s -m 20 -w " status=%{http_code}" "$2" | tr -d "\\n")"; done';
    return kubectl(
        access,
        "-n",
        target.namespace,
        "exec",
        target.workload,
        "-c",
        target.container,
        "--",
        "sh",
        "-c",
        script,
        "probe",
        String(requests),
        url,
    );
}

/** One probe line: podinfo's `message` with status 200, or why not. */
export function probeAnswer(line: string): { message: string } | { failed: string } {
    const status = / status=(\d{3})$/.exec(line)?.[1];
    if (status !== "200") return { failed: status === undefined ? "no answer" : `status ${status}` };
    const message = /"message": *"([^"]*)"/.exec(line)?.[1];
    return message === undefined ? { failed: "an answer without podinfo's message" } : { message };
}

/** Every meshed pod of the cluster, as JSON: those with the label the proxy injector sets (pkg/k8s/labels.go ControllerNSLabel), as `linkerd check --proxy` selects them. */
export function meshedPodsArgs(access: KubeFlags): string[] {
    return kubectl(access, "get", "pods", "--all-namespaces", "-l", "linkerd.io/control-plane-ns", "-o", "json");
}

/** Every ReplicaSet of the cluster, as JSON: which Deployment owns a pod's ReplicaSet, and when each template was first rolled out. */
export function replicaSetsArgs(access: KubeFlags): string[] {
    return kubectl(access, "get", "replicasets", "--all-namespaces", "-o", "json");
}

/** `kubectl ... -n <namespace> rollout restart deployment/a statefulset/b`: one command for many workloads (kubectl's rollout restart takes TYPE/NAME...). */
export function rolloutRestartCommand(access: KubeFlags, namespace: string, workloads: string[]): string {
    return shellLine(kubectl(access, "-n", namespace, "rollout", "restart", ...workloads));
}
