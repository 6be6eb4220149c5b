// docs/rotation.md, held to the code as the README is (readme.test.ts reads it too, through docs.ts:
// its npm commands and flags, its kubectl and linkerd commands naming their cluster): the phases as
// the program takes them, the commands npm run rotate prints, the checks it runs, the margin of the
// program's warning, the lifetime of a certificate upstream; and, in every page, each relative link
// and anchor, each file of the repository named, and each config key a command writes or removes.
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { CONFIG_KEYS } from "../config";
import { ANCHOR_EXPIRY_WARNING_DAYS, anchorExpiryWarning } from "../components/meshIdentity";
import { TRUST_PHASES } from "../components/trustPhases";
import { COMMANDS } from "../scripts/cli/registry";
import { CERTIFICATE_MATCH, strictnessBefore } from "../scripts/checks/rotation";
import { phaseText, stepText } from "../scripts/checks/trustPhase";
import { phaseConfigCommand } from "../scripts/flows/rotate";
import { meshedPodsArgs, rolloutRestartCommand } from "../scripts/tools/kubectl";
import { linkerdProxyCheckArgs } from "../scripts/tools/linkerd";
import { docSection, readDocs } from "./docs";
import { ROOT } from "./harness";
import { UPSTREAM, itUpstream, readUpstream } from "./upstream";

const page = readDocs().find((doc) => doc.path === "docs/rotation.md")!.text;

/** A heading's anchor as GitHub makes it: lower case, punctuation but hyphens dropped, spaces to hyphens. */
export function anchorOf(heading: string): string {
    return heading
        .toLowerCase()
        .replace(/[^\w\- ]/g, "")
        .replace(/ /g, "-");
}

const anchors = (text: string) => [...text.matchAll(/^#{1,6} (.+)$/gm)].map((match) => anchorOf(match[1]));

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

describe("every page of the docs", () => {
    const pages = readDocs();

    it("links only to files that exist, and to headings those pages have", () => {
        let links = 0;
        for (const { path: file, text } of pages) {
            for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
                if (/^[a-z]+:/.test(target)) continue;
                links++;
                const [where, anchor] = target.split("#");
                const linked = where === "" ? file : path.normalize(path.join(path.dirname(file), where));
                expect(fs.existsSync(path.join(ROOT, linked)), `${file}: ${target}`).toBe(true);
                if (anchor !== undefined)
                    expect(anchors(fs.readFileSync(path.join(ROOT, linked), "utf8")), `${file}: ${target}`).toContain(anchor);
            }
        }
        expect(links).toBeGreaterThan(20);
        expect(pages.find((doc) => doc.path === "README.md")!.text).toContain("[docs/rotation.md](docs/rotation.md)");
    });

    it("the link check can fail: an anchor is made as GitHub makes it", () => {
        expect(anchorOf("5. Certificates: what `pulumi up` rotates by itself")).toBe("5-certificates-what-pulumi-up-rotates-by-itself");
        expect(anchorOf("Why the phases cannot be one `up`")).toBe("why-the-phases-cannot-be-one-up");
    });

    it("name only files of the repository that exist", () => {
        const named = pages.flatMap(({ text }) =>
            [...text.matchAll(/`((?:[\w.-]+\/)+[\w.-]+\.(?:ts|sh|md|yml|yaml|json|cjs))`/g)].map((match) => match[1]),
        );
        expect(named).toEqual(expect.arrayContaining(["e2e/rotation-traffic.sh"]));
        for (const file of named.filter((name) => !name.startsWith(".") && !name.startsWith("~")))
            expect(fs.existsSync(path.join(ROOT, file)) || fs.existsSync(path.join(ROOT, ".github", "workflows", file)), file).toBe(true);
    });

    it("write and remove only config keys that exist (pulumi config set-all and rm)", () => {
        const keys: readonly string[] = CONFIG_KEYS;
        const text = pages.map((doc) => doc.text).join("\n");
        const written = [...text.matchAll(/pulumi config set-all [^\n`]*/g)].flatMap((match) =>
            [...match[0].matchAll(/--(?:plaintext|secret) '?(?:edge-cloud-mesh:)?(\w+)/g)].map((key) => key[1]),
        );
        const removed = [...text.matchAll(/pulumi config rm (?:--\S+ )*(?:edge-cloud-mesh:)?(\w+)/g)].map((match) => match[1]);
        expect(written).toEqual(expect.arrayContaining(["trustAnchors", "issuerTrustAnchor"]));
        expect(removed).toContain("trustAnchors");
        for (const key of [...written, ...removed]) expect(keys, key).toContain(key);
    });
});
