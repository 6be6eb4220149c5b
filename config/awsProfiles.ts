// Reads the AWS shared config and credentials files, as the AWS provider does, for the profiles they
// define: with defaults.ts and kubeconfigFile.ts, the only files config/ reads.
//
// Which files: AWS_CONFIG_FILE, else ~/.aws/config; AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials
// (pulumi/pulumi-aws provider/resources.go validateCredentials; `~` expanded as homedir.Expand does).
// Which sections are profiles: aws/aws-sdk-go-v2 config/shared_config.go (processConfigSections,
// processCredentialsSections): in the config file `[profile X]`, and `[default]` in any case, kept under
// its own spelling (profile "default" is only `[default]` or `[profile default]`); in the credentials file
// `[X]`, but not `[profile X]`. A section header starts its line (internal/ini tokenize.go: a line that
// starts with a blank continues the previous value). A file that cannot be read counts as empty, as the
// SDK skips it.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { AwsProfiles } from "./types";

/** Section names of an INI file, trimmed. */
function sections(text: string): string[] {
    return [...text.matchAll(/^\[([^\]\n]*)\]/gm)].map((match) => match[1].trim());
}

/** The profiles a shared config file defines. */
export function configFileProfiles(text: string): string[] {
    return sections(text).flatMap((name) => {
        if (name.toLowerCase() === "default") return [name];
        const profile = /^profile\s+(.+)$/.exec(name);
        return profile === null ? [] : [profile[1].trim()];
    });
}

/** The profiles a shared credentials file defines. */
export function credentialsFileProfiles(text: string): string[] {
    return sections(text).filter((name) => name !== "" && !/^profile\s/.test(name));
}

function readOrEmpty(file: string): string {
    try {
        return fs.readFileSync(file, "utf8");
    } catch {
        return "";
    }
}

/** The profiles this machine has, as the AWS provider would find them with this environment. */
export function readAwsProfiles(env: NodeJS.ProcessEnv = process.env): AwsProfiles {
    const home = (file: string) => path.resolve(file.replace(/^~(?=$|\/)/, os.homedir()));
    const configFile = home(env.AWS_CONFIG_FILE || "~/.aws/config");
    const credentialsFile = home(env.AWS_SHARED_CREDENTIALS_FILE || "~/.aws/credentials");
    const profiles = [...configFileProfiles(readOrEmpty(configFile)), ...credentialsFileProfiles(readOrEmpty(credentialsFile))];
    return { profiles: [...new Set(profiles)], files: [configFile, credentialsFile] };
}
