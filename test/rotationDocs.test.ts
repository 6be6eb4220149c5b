// docs/rotation.md, held to the code as every page is (readme.test.ts and docs.test.ts read it too,
// through docs.ts): the phases as the program takes them, the commands npm run rotate prints, the
// checks it runs, the margin of the program's warning, the lifetime of a certificate upstream.
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ANCHOR_EXPIRY_WARNING_DAYS, anchorExpiryWarning } from "../components/meshIdentity";
import { TRUST_PHASES } from "../components/trustPhases";
import { COMMANDS } from "../scripts/cli/registry";
import { CERTIFICATE_MATCH, strictnessBefore } from "../scripts/checks/rotation";
import { phaseText, stepText } from "../scripts/checks/trustPhase";
import { phaseConfigCommand } from "../scripts/flows/rotate";
import { meshedPodsArgs, rolloutRestartCommand } from "../scripts/tools/kubectl";
import { linkerdProxyCheckArgs } from "../scripts/tools/linkerd";
import { docSection, readDocs } from "./docs";
import { UPSTREAM, itUpstream, readUpstream } from "./upstream";

const page = readDocs().find((doc) => doc.path === "docs/rotation.md")!.text;

describe("docs/rotation.md", () => {
    it("lists the phases as the program takes them, in their order on the path, each step as npm run rotate names it", () => {
        const rows = [
            ...docSection("The phases").matchAll(
                /^\| `(\[[ab,]+\]\/[ab])` \| `(\[[^`]+\])` \| `([ab])` \| [^|]+ \| [^|]+ \| ([^|]+) \| ([^|]+) \|$/gm,
            ),
        ];
        expect(rows.map(([, name, anchors, issuer]) => [name, JSON.parse(anchors), issuer])).toEqual(
            TRUST_PHASES.map((phase) => [phaseText(phase), phase.trustAnchors, phase.issuerTrustAnchor]),
        );
        TRUST_PHASES.forEach((phase, index) => {
            if (index > 0) expect(rows[index][4].trim()).toBe(stepText(TRUST_PHASES[index - 1], phase));
            if (index < TRUST_PHASES.length - 1) expect(rows[index][5].trim()).toBe(stepText(TRUST_PHASES[index + 1], phase));
        });
    });

    it("shows the commands npm run rotate prints and runs as it prints and runs them", () => {
        expect(page).toContain(phaseConfigCommand("cloud", TRUST_PHASES[0]));
        expect(page).toContain(rolloutRestartCommand({ context: "cloud" }, "shop", ["deployment/cart", "statefulset/db"]));
        expect(page).toContain(
            rolloutRestartCommand({ kubeconfig: "~/.kube/k3s-edge.yaml" }, "linkerd-smi", ["deployment/smi-adaptor"]).replace(
                process.env.HOME ?? "~",
                "~",
            ),
        );
        expect(page).toContain(`"${CERTIFICATE_MATCH.split(": ")[1]}"`);
        expect(page).toContain(`\`${linkerdProxyCheckArgs({}).join(" ")}\``);
        expect(meshedPodsArgs({})).toContain("linkerd.io/control-plane-ns");
        expect(page).toContain("(label `linkerd.io/control-plane-ns`");
        const rotate = COMMANDS.find((command) => command.name === "rotate")!;
        for (const flag of ["cloud-stack", "edge-stack-prefix", "parallel", "status"]) {
            expect(Object.keys(rotate.options)).toContain(flag);
            expect(page).toContain(`--${flag}`);
        }
    });

    it("says what stops each step, as the gates hold it", () => {
        const rows = [
            ...docSection("What is checked between phases").matchAll(
                /^\| (add an anchor|switch the issuers|drop an anchor) \| ([^|]+) \|/gm,
            ),
        ];
        const steps = {
            "add an anchor": [TRUST_PHASES[0], TRUST_PHASES[1]],
            "switch the issuers": [TRUST_PHASES[1], TRUST_PHASES[2]],
            "drop an anchor": [TRUST_PHASES[2], TRUST_PHASES[3]],
        };
        expect(rows.map(([, step]) => step)).toEqual(Object.keys(steps));
        for (const [, step, stops] of rows) {
            const [from, to] = steps[step as keyof typeof steps];
            const strict = strictnessBefore(from, to);
            expect(stops.includes("another bundle"), step).toBe(strict.bundles);
            expect(stops.includes("started before the phase"), step).toBe(strict.started);
        }
    });

    it("gives the warning's margin, which the warning names the page and the command with", () => {
        expect(page).toContain(`warns ${ANCHOR_EXPIRY_WARNING_DAYS} days ahead`);
        expect(page).toContain(`expires\nwithin ${ANCHOR_EXPIRY_WARNING_DAYS} days`);
        const warning = anchorExpiryWarning("a", "2030-01-01T00:00:00Z", new Date("2029-12-01T00:00:00Z"))!;
        expect(warning).toContain("`npm run rotate`");
        expect(warning).toContain("docs/rotation.md");
        expect(COMMANDS.map((command) => command.name)).toContain("rotate");
    });

    itUpstream("says how long a certificate lives as the control plane's chart issues it", () => {
        const values = parse(readUpstream(path.join(UPSTREAM, "linkerd-edge-26.8.3", "values", "linkerd-control-plane.yaml")));
        expect(values.identity.issuer.issuanceLifetime).toBe("24h0m0s");
        expect(page).toContain("(certificates live 24 hours)");
    });
});
