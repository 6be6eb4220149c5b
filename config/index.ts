// The project's configuration: every key is read and validated here, once, before any resource is
// declared. Defaults live in Pulumi.yaml (the engine applies them before the program runs), so this
// folder only states what a valid value is and derives the few defaults that depend on the stack.
//
// loadConfig, below, is the only code here that touches the Pulumi runtime; parseConfig (parse.ts)
// gets everything else it needs through its ConfigContext, and only defaults.ts, kubeconfigFile.ts
// and awsProfiles.ts read files (test/layering.test.ts holds these lines).
//
// To add a key: declare it with its one default and description in Pulumi.yaml; add it, with the
// stacks that read it, at the end of CONFIG_KEY_READERS (keys.ts); read and check it in the file of
// its concern (meshSide, cloud, identity, eks, network, awsIdentity, edge, kubeconfigAccess), with its rules
// beside it, and add its field to the config type in types.ts. docs/configuration.md documents it
// too, with an example (test/config.test.ts and test/configReference.test.ts check they all agree).
import * as pulumi from "@pulumi/pulumi";
import { AWS_IDENTITY_KEYS_NOT_MIRRORED } from "./awsIdentity";
import { readAwsProfiles } from "./awsProfiles";
import { projectDefaults } from "./defaults";
import { PROJECT } from "./keys";
import { readKubeconfigFile } from "./kubeconfigFile";
import { ConfigError, parseConfig } from "./parse";
import { MeshConfig } from "./types";

export { maxGatewaySourceCidrs, vpcCidrProblem } from "./network";
export { kubernetesVersionProblem, principalArnProblem } from "./eks";
export { editDistance, misplacedKeyProblems, nearestKey, readersLabel } from "./keyProblems";
export { CONFIG_KEYS, CONFIG_KEY_READERS, PROJECT, readsKey, type ConfigKey, type KeyReaders, type RawConfig, type Role } from "./keys";
export { STACK_NAME_FORMS } from "./rules";
export { configFileProfiles, credentialsFileProfiles } from "./awsProfiles";
export { ConfigError, parseConfig, projectDefaults, readAwsProfiles, readKubeconfigFile };
export type * from "./types";

/** Reads this stack's configuration and validates it; throws a RunError naming every bad key. */
export function loadConfig(): MeshConfig {
    // Every key the stack has, not only the ones read below, so that a mistyped or misplaced key is
    // an error: the engine hands the program all of the stack's config (with Pulumi.yaml's defaults
    // merged in), declared in Pulumi.yaml or not. Raw: the kubeconfig may be a secret, and becomes a
    // secret again where it is used.
    const prefix = `${PROJECT}:`;
    const raw = Object.fromEntries(
        Object.entries(pulumi.runtime.allConfig())
            .filter(([key]) => key.startsWith(prefix))
            .map(([key, value]) => [key.slice(prefix.length), value]),
    );
    try {
        return parseConfig(raw, pulumi.getStack(), {
            today: new Date(),
            defaults: projectDefaults(),
            readKubeconfigFile,
            awsProfile: pulumi.runtime.getConfig("aws:profile"),
            readAwsProfiles,
            awsAssumeRoles: pulumi.runtime.getConfig("aws:assumeRoles"),
            awsUnmirroredKeys: AWS_IDENTITY_KEYS_NOT_MIRRORED.filter((key) => pulumi.runtime.getConfig(key) !== undefined),
        });
    } catch (error) {
        // A RunError is printed as its message alone, without a stack trace.
        if (error instanceof ConfigError) throw new pulumi.RunError(error.message);
        throw error;
    }
}
