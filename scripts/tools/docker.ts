// The Docker commands the local environment runs on its network, and what it reads from them.
import { OperatorError } from "../errors";

export function networkSubnetsArgs(network: string): string[] {
    return ["docker", "network", "inspect", network, "--format", "{{json .IPAM.Config}}"];
}

export function networkRemoveArgs(network: string): string[] {
    return ["docker", "network", "rm", network];
}

/** The network's IPv4 subnet in `docker network inspect --format '{{json .IPAM.Config}}'`. */
export function ipv4Subnet(json: string, network: string): string {
    const configs = (JSON.parse(json) ?? []) as { Subnet?: string }[];
    const subnet = configs.map((config) => config.Subnet ?? "").find((candidate) => /^\d+\.\d+\.\d+\.\d+\/\d+$/.test(candidate));
    if (subnet === undefined)
        throw new OperatorError(`the Docker network ${network} has no IPv4 subnet (docker network inspect ${network})`);
    return subnet;
}
