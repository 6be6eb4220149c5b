// What both sides configure: the cluster's name in the mesh and its Linkerd install.
import type { GatewayApiCrds } from "../components/linkerdInstall";
import { linkerdChartVersionProblem } from "../policy/rules";
import { ConfigReader } from "./reader";
import { clusterNameProblem } from "./rules";
import { MeshSideConfig } from "./types";

const GATEWAY_API_CRDS: readonly GatewayApiCrds[] = ["install", "existing"];
/** What an empty gatewayApiCrds means where the cluster is known: EKS ships none; k3s >= 1.34 ships them, and a k3s without them is told so. (A cloud cluster reached through a kubeconfig is asked what it has: gatewayApiCrds.ts.) */
export const DEFAULT_GATEWAY_API_CRDS = { eks: "install", edge: "existing" } as const satisfies Record<string, GatewayApiCrds>;

export function parseMeshSide(reader: ConfigReader, stack: string): MeshSideConfig {
    const gatewayApiCrds = reader.string("gatewayApiCrds", { optional: true });
    return {
        // Empty means the stack's name: `pulumi stack init edge-berlin` names the site edge-berlin.
        clusterName: reader.check("clusterName", reader.string("clusterName", { optional: true }) || stack, clusterNameProblem),
        linkerdVersion: reader.check("linkerdVersion", reader.string("linkerdVersion"), linkerdChartVersionProblem),
        gatewayApiCrds: gatewayApiCrds === "" ? undefined : reader.oneOf("gatewayApiCrds", GATEWAY_API_CRDS),
        viz: reader.boolean("viz"),
        demo: reader.boolean("demo"),
    };
}
