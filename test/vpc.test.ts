import { describe, expect, it } from "vitest";
import { planSubnets } from "../components/clusterVpc";

describe("planSubnets", () => {
    it("gives each zone a public and a private block that do not overlap", () => {
        expect(planSubnets("10.0.0.0/16", 3)).toEqual([
            { publicCidr: "10.0.0.0/20", privateCidr: "10.0.128.0/20" },
            { publicCidr: "10.0.16.0/20", privateCidr: "10.0.144.0/20" },
            { publicCidr: "10.0.32.0/20", privateCidr: "10.0.160.0/20" },
        ]);
    });

    it("works from the network address of a CIDR written with host bits", () => {
        expect(planSubnets("172.20.5.0/24", 2)).toEqual([
            { publicCidr: "172.20.5.0/28", privateCidr: "172.20.5.128/28" },
            { publicCidr: "172.20.5.16/28", privateCidr: "172.20.5.144/28" },
        ]);
    });
});
