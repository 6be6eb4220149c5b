// Runs the real program (index.ts) under Pulumi's mocks as a named stack, and records every
// resource it registers: type, name, inputs (secrets still marked), provider, parent, dependencies.
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as settings from "@pulumi/pulumi/runtime/settings";
import { parse } from "yaml";
import { PROJECT, RawConfig } from "../config";
import type { LoadBalancerIngress } from "../components/multiclusterGateway";
import {
    DEFAULT_AWS_WORLD,
    DEFAULT_GATEWAY_INGRESS,
    MockAwsWorld,
    awsWorld,
    gatewayIngress,
    gatewayServicePending,
    invokedTokens,
    mocks,
    stackReferenceOutputs,
} from "./mocks";
import { unwrapSecrets } from "./secrets";

export const ROOT = path.resolve(__dirname, "..");

/** The TypeScript files of one of the program's folders, as paths from the root: "config/keys.ts". */
export function sourceFiles(folder: string): string[] {
    return fs
        .readdirSync(path.join(ROOT, folder))
        .filter((file) => file.endsWith(".ts"))
        .map((file) => path.join(folder, file));
}

export interface RecordedResource {
    type: string;
    name: string;
    urn: string;
    custom: boolean;
    remote: boolean;
    /** Inputs with secrets unwrapped. */
    inputs: Record<string, any>;
    /** Inputs as the engine receives them: secrets are `{[specialSigKey]: specialSecretSig, value}`. */
    rawInputs: Record<string, any>;
    parent: string;
    /** `urn::id` of the provider, or "" for the default provider. */
    provider: string;
    /** Providers a component passes to its children, by package. */
    providers: Record<string, string>;
    dependencies: string[];
    propertyDependencies: Record<string, string[]>;
    protect: boolean;
    deletedWith: string;
    ignoreChanges: string[];
    /** Alias specs: the names and parents the resource was known by before. */
    aliases: { name: string; type: string; parenturn: string }[];
}

export interface StackOutput {
    value: any;
    secret: boolean;
}

export interface StackRun {
    resources: RecordedResource[];
    outputs: Record<string, StackOutput>;
}

let recorded: RecordedResource[] = [];

/** Installs the mocks for `stack`, recording each registration. Call before the program runs. */
export function installMocks(stack: string, preview = false): void {
    pulumi.runtime.setMocks(mocks, PROJECT, stack, preview);
    recorded = [];
    const monitor = settings.getMonitor() as any;
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (request: any, callback: (error: any, response: any) => void) => {
        const rawInputs = request.getObject()?.toJavaScript() ?? {};
        const propertyDependencies: Record<string, string[]> = {};
        request.getPropertydependenciesMap().forEach((deps: any, key: string) => {
            propertyDependencies[key] = deps.getUrnsList();
        });
        const entry: Omit<RecordedResource, "urn"> = {
            type: request.getType(),
            name: request.getName(),
            custom: request.getCustom(),
            remote: request.getRemote(),
            inputs: unwrapSecrets(rawInputs),
            rawInputs,
            parent: request.getParent(),
            provider: request.getProvider(),
            providers: Object.fromEntries(request.getProvidersMap().toArray()),
            dependencies: request.getDependenciesList(),
            propertyDependencies,
            protect: request.getProtect() ?? false,
            deletedWith: request.getDeletedwith(),
            ignoreChanges: request.getIgnorechangesList(),
            aliases: request
                .getAliasesList()
                .map((alias: any) => alias.toObject().spec)
                .filter(Boolean),
        };
        return register(request, (error: any, response: any) => {
            if (!error) recorded.push({ ...entry, urn: response.getUrn() });
            callback(error, response);
        });
    };
}

/**
 * The stack files the project ships (Pulumi.cloud.yaml, Pulumi.edge.yaml) as they were committed: the
 * tests' stack config. The working copy's stack files are the user's (narrowed CIDRs, a stack per
 * site) and are never read, so following the README leaves the tests as they were.
 */
export const STACK_FILES: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {
    cloud: { "aws:region": "eu-west-1", "edge-cloud-mesh:role": "cloud" },
    edge: { "edge-cloud-mesh:role": "edge", "edge-cloud-mesh:kubeconfig": "~/.kube/k3s-edge.yaml" },
};

/** Stack config as the engine builds it: Pulumi.yaml defaults, then the stack's file (STACK_FILES), then overrides. */
export function stackConfig(stack: string, overrides: Record<string, unknown> = {}): Record<string, string> {
    const project = parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8"));
    const values: Record<string, unknown> = {};
    for (const [key, declaration] of Object.entries<any>(project.config ?? {})) {
        const value = declaration?.value ?? declaration?.default;
        if (value !== undefined) values[qualify(key)] = value;
    }
    Object.assign(values, STACK_FILES[stack] ?? {});
    for (const [key, value] of Object.entries(overrides)) {
        if (value === undefined) delete values[qualify(key)];
        else values[qualify(key)] = value;
    }
    return Object.fromEntries(
        Object.entries(values).map(([key, value]) => [key, typeof value === "string" ? value : JSON.stringify(value)]),
    );
}

/** A stack's config as loadConfig hands it to parseConfig: the project's keys, without their namespace. */
export function rawStackConfig(stack: string, overrides: Record<string, unknown> = {}): RawConfig {
    const prefix = `${PROJECT}:`;
    return Object.fromEntries(
        Object.entries(stackConfig(stack, overrides))
            .filter(([key]) => key.startsWith(prefix))
            .map(([key, value]) => [key.slice(prefix.length), value]),
    );
}

/** A config key as the engine names it: a project key without its namespace gets the project's. */
export function qualify(key: string): string {
    return key.includes(":") ? key : `${PROJECT}:${key}`;
}

export interface RunOptions {
    /** Config overrides by key (project keys may be unqualified); `undefined` removes a key. */
    config?: Record<string, unknown>;
    /** Keys whose values the engine would hand over as secrets. */
    secretKeys?: string[];
    /** What each StackReference (by stack name) resolves to: the outputs of an earlier run. */
    stackReferences?: Record<string, Record<string, StackOutput>>;
    /** The gateway Service's `status.loadBalancer.ingress` when the program reads it back. */
    gatewayIngress?: LoadBalancerIngress[];
    /** Run as a preview in which the gateway Service is created or replaced (no id, no address yet). */
    previewGatewayServiceChange?: boolean;
    /** What AWS's provider functions answer, where it differs from DEFAULT_AWS_WORLD (eu-west-1, an IAM user calling). */
    aws?: Partial<MockAwsWorld>;
}

/** Runs index.ts as `stack` and returns what it registered and its resolved outputs. */
export async function runStack(stack: string, options: RunOptions = {}): Promise<StackRun> {
    installMocks(stack, options.previewGatewayServiceChange ?? false);
    pulumi.runtime.setAllConfig(stackConfig(stack, options.config), (options.secretKeys ?? []).map(qualify));
    gatewayIngress.current = options.gatewayIngress ?? DEFAULT_GATEWAY_INGRESS;
    gatewayServicePending.current = options.previewGatewayServiceChange ?? false;
    awsWorld.current = { ...DEFAULT_AWS_WORLD, ...options.aws };
    invokedTokens.length = 0;
    stackReferenceOutputs.clear();
    for (const [name, outputs] of Object.entries(options.stackReferences ?? {})) stackReferenceOutputs.set(name, outputs);
    const { default: main } = await import("../index");
    const exported = (await main()) as Record<string, unknown>;
    const outputs: Record<string, StackOutput> = {};
    for (const [key, value] of Object.entries(exported)) {
        const output = pulumi.output(value as any);
        outputs[key] = {
            // The SDK's own promise of the value: it rejects when an apply throws.
            value: await (output as any).promise(),
            secret: await pulumi.isSecret(output),
        };
    }
    // Internal to the SDK (the engine does this after a real run): wait for every registration.
    await (settings as any).waitForRPCs();
    return { resources: [...recorded], outputs };
}

/** Runs the program expecting it to fail before declaring anything; returns the error message. */
export async function configError(stack: string, options: RunOptions = {}): Promise<string> {
    let message: string | undefined;
    try {
        await runStack(stack, options);
    } catch (error) {
        message = (error as Error).message;
        if (!(error instanceof pulumi.RunError)) throw error;
    }
    if (message === undefined) throw new Error("expected the program to reject its configuration");
    if (recorded.length > 0) throw new Error(`resources were declared before the error: ${recorded.map((r) => r.type).join(", ")}`);
    return message;
}

// ---- queries over a run ----

export function ofType(run: StackRun, type: string): RecordedResource[] {
    return run.resources.filter((resource) => resource.type === type);
}

export function single(run: StackRun, type: string, name?: string): RecordedResource {
    const matches = ofType(run, type).filter((resource) => name === undefined || resource.name === name);
    if (matches.length !== 1) {
        throw new Error(
            `expected one ${type}${name ? ` named ${name}` : ""}, found ${matches.length}: ${matches.map((r) => r.name).join(", ")}`,
        );
    }
    return matches[0];
}

/** The `urn::id` reference a resource's provider option carries. */
export function providerRef(provider: RecordedResource): string {
    return `${provider.urn}::${provider.name}_id`;
}

/** Resource type tokens the tests look resources up by. */
export const CHART = "kubernetes:helm.sh/v4:Chart";
export const NAMESPACE = "kubernetes:core/v1:Namespace";
export const SECRET = "kubernetes:core/v1:Secret";

/** The one Helm chart of that chart name (linkerd-control-plane, linkerd-multicluster, ...). */
export function helmChart(run: StackRun, name: string): RecordedResource {
    const matches = ofType(run, CHART).filter((resource) => resource.inputs.chart === name);
    if (matches.length !== 1) throw new Error(`expected one chart ${name}, found ${matches.length}`);
    return matches[0];
}

/** The one Kubernetes object of `type` whose metadata.name is `name`. */
export function named(run: StackRun, type: string, name: string): RecordedResource {
    const matches = ofType(run, type).filter((resource) => resource.inputs.metadata?.name === name);
    if (matches.length !== 1) throw new Error(`expected one ${type} named ${name}, found ${matches.length}`);
    return matches[0];
}

/** The object a recorded Kubernetes resource declares, as the API server receives it. */
export function kubernetesObject(resource: RecordedResource, apiVersion: string, kind: string): Record<string, any> {
    return { apiVersion, kind, ...resource.inputs };
}

/** Everything a resource waits for, directly or through others: what `pulumi destroy` deletes after it. */
export function waitsFor(run: StackRun, resource: RecordedResource): Set<string> {
    const byUrn = new Map(run.resources.map((r) => [r.urn, r]));
    const children = (urn: string) => run.resources.filter((r) => r.parent === urn).map((r) => r.urn);
    const seen = new Set<string>();
    const visit = (urn: string) => {
        if (seen.has(urn)) return;
        seen.add(urn);
        const current = byUrn.get(urn);
        if (current === undefined) return;
        const providerRefs = [current.provider, ...Object.values(current.providers)]
            .filter(Boolean)
            .map((ref) => ref.split("::").slice(0, -1).join("::"));
        // Waiting for a component means waiting for everything in it.
        for (const next of [...current.dependencies, ...Object.values(current.propertyDependencies).flat(), ...providerRefs]) {
            visit(next);
            for (const child of children(next)) visit(child);
        }
    };
    visit(resource.urn);
    seen.delete(resource.urn);
    return seen;
}
