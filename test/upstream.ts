// The pinned upstream chart data in ../shared/upstream (in CI, fetched by scripts/fetch-upstream.sh): which
// values paths a chart accepts, and CRD schemas.
import * as fs from "node:fs";
import * as path from "node:path";
import Ajv, { ValidateFunction } from "ajv";
import { it } from "vitest";
import { parse } from "yaml";
import { ROOT } from "./harness";

/** The pinned upstream data: ../shared/upstream beside the checkout, or where EDGE_CLOUD_MESH_UPSTREAM says. */
export const UPSTREAM = process.env.EDGE_CLOUD_MESH_UPSTREAM ?? path.resolve(ROOT, "..", "shared", "upstream");
export const UPSTREAM_AVAILABLE = fs.existsSync(UPSTREAM);
if (!UPSTREAM_AVAILABLE && process.env.EDGE_CLOUD_MESH_REQUIRE_UPSTREAM) {
    throw new Error(`the pinned upstream data is required but missing at ${UPSTREAM}`);
}

/** A test against the pinned upstream data; reported as skipped where a checkout has none (CI requires it). */
export const itUpstream = it.skipIf(!UPSTREAM_AVAILABLE);

/** The list of pinned upstream files scripts/fetch-upstream.sh brings into CI: each file's path under UPSTREAM. */
export const UPSTREAM_FILES_LIST = path.join(ROOT, "scripts", "upstream-files.txt");
export const FETCHED_UPSTREAM_FILES: readonly string[] = fs
    .readFileSync(UPSTREAM_FILES_LIST, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "" && !line.startsWith("#"))
    .map((line) => line.split(/\s+/)[0]);

/**
 * Reads a pinned upstream file. Only files in scripts/upstream-files.txt, which GitHub's CI fetches
 * from upstream, may be read: a test reading another would pass here and fail there.
 */
export function readUpstream(file: string): string {
    const relative = path.relative(UPSTREAM, file).split(path.sep).join("/");
    if (!FETCHED_UPSTREAM_FILES.includes(relative)) {
        throw new Error(
            `${relative} is not in ${path.relative(ROOT, UPSTREAM_FILES_LIST)}: add it there (repository, commit, path) so that CI fetches it`,
        );
    }
    return fs.readFileSync(file, "utf8");
}

const LINKERD = path.join(UPSTREAM, "linkerd-edge-26.8.3");

const CHARTS: Record<string, { values: string[]; readByTemplates: string }> = {
    "linkerd-crds": { values: ["values/linkerd-crds.yaml"], readByTemplates: "values-read-by-templates.json" },
    "linkerd-control-plane": {
        values: ["values/linkerd-control-plane.yaml", "values/partials.yaml"],
        readByTemplates: "values-read-by-templates.json",
    },
    "linkerd-viz": { values: ["values/linkerd-viz.yaml"], readByTemplates: "values-read-by-templates.json" },
    "linkerd-multicluster": { values: ["values/linkerd-multicluster.yaml"], readByTemplates: "values-read-by-templates.json" },
};
const SMI = path.join(UPSTREAM, "linkerd-smi-v0.2.7");

function upstreamFor(chart: string): { values: unknown[]; readByTemplates: string[] } {
    if (chart === "linkerd-smi") {
        return {
            values: [parse(readUpstream(path.join(SMI, "values.yaml")))],
            readByTemplates: JSON.parse(readUpstream(path.join(SMI, "values-read-by-templates.json")))["linkerd-smi"],
        };
    }
    const files = CHARTS[chart];
    if (files === undefined) throw new Error(`no pinned upstream data for chart ${chart}`);
    return {
        // An empty values file (partials.yaml) declares nothing.
        values: files.values.map((file) => parse(readUpstream(path.join(LINKERD, file)))).filter((values) => values != null),
        readByTemplates: JSON.parse(readUpstream(path.join(LINKERD, files.readByTemplates)))[chart],
    };
}

/** Every leaf path of a values object; lists are leaves. */
export function leafPaths(values: unknown, prefix: string[] = []): string[][] {
    if (values === null || typeof values !== "object" || Array.isArray(values) || Object.keys(values).length === 0) return [prefix];
    return Object.entries(values).flatMap(([key, value]) => leafPaths(value, [...prefix, key]));
}

/**
 * Whether the chart reads `valuePath`: its values.yaml has it (or an empty map above it), or a template
 * reads exactly it, or reads a path above it that no template reads into (a map it takes whole, as
 * `toYaml .Values.podAnnotations` does; viz reads podAnnotations without declaring it).
 */
function chartAccepts(upstream: { values: unknown[]; readByTemplates: string[] }, valuePath: string[]): boolean {
    const dotted = valuePath.join(".");
    if (upstream.readByTemplates.includes(dotted)) return true;
    const readWhole = (read: string) => !upstream.readByTemplates.some((other) => other.startsWith(`${read}.`));
    if (upstream.readByTemplates.some((read) => dotted.startsWith(`${read}.`) && readWhole(read))) return true;
    return upstream.values.some((values) => {
        let node: any = values;
        for (const key of valuePath) {
            if (node !== null && typeof node === "object" && !Array.isArray(node) && Object.keys(node).length === 0) return true;
            if (node === null || typeof node !== "object" || !(key in node)) return false;
            node = node[key];
        }
        return true;
    });
}

/** The values paths a chart does not know; empty when every path exists upstream. */
export function unknownValuePaths(chart: string, values: unknown): string[] {
    const upstream = upstreamFor(chart);
    return leafPaths(values)
        .filter((valuePath) => valuePath.length > 0 && !chartAccepts(upstream, valuePath))
        .map((valuePath) => valuePath.join("."));
}

/** A CRD's OpenAPI schema for one version, from a pinned Helm template (template lines dropped). */
export function crdSchema(file: string, version: string): Record<string, any> {
    const text = readUpstream(file)
        .split("\n")
        .filter((line) => !line.includes("{{"))
        .join("\n");
    const crd = parse(text);
    const served = crd.spec.versions.find((entry: any) => entry.name === version);
    if (served === undefined) throw new Error(`${path.basename(file)} does not serve ${version}`);
    return served.schema.openAPIV3Schema;
}

export const LINKERD_CRDS = path.join(LINKERD, "crds");
export const SMI_CRD = path.join(SMI, "trafficsplits.split.smi-spec.io.yaml");

const ajv = new Ajv({ strict: false, allErrors: true });
const validators = new Map<string, ValidateFunction>();

/** A validator for one version of a pinned CRD (compiled once). */
export function crdValidator(file: string, version: string): ValidateFunction {
    const key = `${file}#${version}`;
    if (!validators.has(key)) validators.set(key, ajv.compile(crdSchema(file, version)));
    return validators.get(key)!;
}
