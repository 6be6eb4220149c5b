// The edge role: the cloud stack it joins, and the traffic split between its podinfo and the cloud's.
import { isDeepStrictEqual } from "node:util";
import { FAILOVER_WEIGHTS, HTTP_ROUTE_MAX_WEIGHT, type SplitMode, type TrafficSplitApi } from "../components/trafficSplit";
import { parseKubeconfigAccess } from "./kubeconfigAccess";
import { DEFAULT_GATEWAY_API_CRDS } from "./meshSide";
import { ConfigReader } from "./reader";
import { stackNameProblem } from "./rules";
import { ConfigContext, EdgeConfig, MeshSideConfig } from "./types";

const TRAFFIC_SPLIT_APIS: readonly TrafficSplitApi[] = ["smi", "httproute"];
const SPLIT_MODES: readonly SplitMode[] = ["weighted", "failover"];

export function parseEdge(reader: ConfigReader, side: MeshSideConfig, context: ConfigContext): EdgeConfig {
    return {
        role: "edge",
        ...side,
        gatewayApiCrds: side.gatewayApiCrds ?? DEFAULT_GATEWAY_API_CRDS.edge,
        ...parseKubeconfigAccess(reader, context.readKubeconfigFile, "an edge stack reaches its k3s cluster"),
        cloudStack: reader.check("cloudStack", reader.string("cloudStack"), stackNameProblem),
        ...parseSplit(reader, context.defaults.trafficSplit),
    };
}

/** `defaultSplit`: trafficSplit's default in Pulumi.yaml, what the engine passes when the key is not set. */
function parseSplit(reader: ConfigReader, defaultSplit: unknown): Pick<EdgeConfig, "trafficSplitApi" | "trafficSplit" | "splitMode"> {
    const trafficSplitApi = reader.oneOf("trafficSplitApi", TRAFFIC_SPLIT_APIS);
    const trafficSplit = parseTrafficSplit(reader);
    const splitMode = reader.oneOf("splitMode", SPLIT_MODES);
    if (splitMode === "failover") {
        // Failover is the HTTPRoute with its annotations; the ServiceProfile that linkerd-smi writes for a
        // TrafficSplit takes the route's place in the proxy and leaves the annotations unread.
        if (reader.isOneOf("trafficSplitApi", ["smi"])) {
            reader.problem(
                "splitMode",
                `"failover" does not work with ${reader.qualified("trafficSplitApi")} "smi": failover is an HTTPRoute whose backends Linkerd's proxy ` +
                    `skips while they fail fast, with failure accrual, retries and a timeout set by annotations, and with "smi" the ServiceProfile ` +
                    `that linkerd-smi writes for the TrafficSplit replaces that route and turns those annotations off; accepted: splitMode ` +
                    `"failover" with trafficSplitApi "httproute" (the default), or splitMode "weighted" with "smi"`,
            );
        }
        // Its weights are fixed: a trafficSplit of the user's would silently mean nothing.
        if (!isDeepStrictEqual(trafficSplit, defaultSplit) && !reader.hasProblem("trafficSplit")) {
            reader.problem(
                "trafficSplit",
                `${JSON.stringify(trafficSplit)} has no effect with ${reader.qualified("splitMode")} "failover", which weighs the local podinfo ` +
                    `${FAILOVER_WEIGHTS.local} and the cloud's ${FAILOVER_WEIGHTS.remote}; accepted: the default ${JSON.stringify(defaultSplit)} ` +
                    `with "failover" (pulumi config rm trafficSplit), or splitMode "weighted"`,
            );
        }
    }
    return { trafficSplitApi, trafficSplit, splitMode };
}

function parseTrafficSplit(reader: ConfigReader): { local: number; cloud: number } {
    const weights = reader.object("trafficSplit");
    const accepted =
        `accepted: {"local": l, "cloud": c} with whole numbers from 0 to ${HTTP_ROUTE_MAX_WEIGHT} (the most an HTTPRoute backend takes) and l + c > 0, ` +
        `e.g. {"local": 50, "cloud": 50} or {"local": 100, "cloud": 0}`;
    const unknown = Object.keys(weights).filter((key) => key !== "local" && key !== "cloud");
    if (unknown.length > 0)
        reader.problem("trafficSplit", `${unknown.map((key) => JSON.stringify(key)).join(", ")} is not a backend; ${accepted}`);
    const weight = (backend: "local" | "cloud"): number => {
        const value = weights[backend];
        if (typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= HTTP_ROUTE_MAX_WEIGHT) return value;
        reader.problem(
            "trafficSplit",
            `${backend} is ${JSON.stringify(value)}, not a whole number from 0 to ${HTTP_ROUTE_MAX_WEIGHT}; ${accepted}`,
        );
        return 0;
    };
    const split = { local: weight("local"), cloud: weight("cloud") };
    if (split.local + split.cloud === 0 && typeof weights.local === "number" && typeof weights.cloud === "number") {
        reader.problem("trafficSplit", `local and cloud are both 0, so no backend would get traffic; ${accepted}`);
    }
    return split;
}
