import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { CONFIG_KEYS } from "../config";
import { anchorOf, docSection, docsText, readDocs, shellCommands } from "./docs";
import { ROOT } from "./harness";

/** A project root with these files. */
function project(files: Record<string, string>): string {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "docs-"));
    for (const [file, text] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
        fs.writeFileSync(path.join(root, file), text);
    }
    return root;
}

describe("the docs the tests read", () => {
    it("begin with the whole README", () => {
        const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
        expect(readDocs()[0]).toEqual({ path: "README.md", text: readme });
        expect(docsText().startsWith(readme)).toBe(true);
    });

    it("are the README, CONTRIBUTING.md and every Markdown page under docs/, in path order, once there are some", () => {
        const root = project({
            "README.md": "# p\n\n## Set up\nrun it\n",
            "CONTRIBUTING.md": "# Contributing\n",
            "docs/operations/rotate.md": "# Rotate\n\n## Tear down\ndestroy\n",
            "docs/configuration.md": "# Configuration\n\n## Keys\n| `role` |\n",
            "docs/diagram.svg": "<svg/>",
        });
        expect(readDocs(root).map((page) => page.path)).toEqual([
            "README.md",
            "CONTRIBUTING.md",
            "docs/configuration.md",
            "docs/operations/rotate.md",
        ]);
        expect(docsText(root)).toContain("run it\n\n# Contributing\n\n# Configuration");
        expect(docSection("Keys", root)).toBe("| `role` |\n");
        expect(docSection("Tear down", root)).toBe("destroy\n");
    });

    it("find a section in exactly one page", () => {
        const root = project({ "README.md": "# p\n\n## Set up\na\n", "docs/more.md": "# More\n\n## Set up\nb\n" });
        expect(() => docSection("Set up", root)).toThrow('2 pages have a section "## Set up": README.md, docs/more.md');
        expect(() => docSection("Absent", root)).toThrow('0 pages have a section "## Absent"');
    });
});

/** The pages under docs/ a reader is promised: one per journey or subject. */
const PAGES = [
    "docs/local.md",
    "docs/aws.md",
    "docs/edge-sites.md",
    "docs/any-cluster.md",
    "docs/configuration.md",
    "docs/operations.md",
    "docs/failover.md",
    "docs/rotation.md",
    "docs/architecture.md",
    "docs/scale.md",
    "docs/troubleshooting.md",
];

describe("the README, a landing page", () => {
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");

    it("is at most 300 lines, and links every page of docs/, the licence and CONTRIBUTING.md", () => {
        expect(readme.split("\n").length).toBeLessThanOrEqual(300);
        expect(readDocs().map((page) => page.path)).toEqual(["README.md", "CONTRIBUTING.md", ...[...PAGES].sort()]);
        for (const page of [...PAGES, "LICENSE", "CONTRIBUTING.md"]) expect(readme, page).toContain(`](${page})`);
    });

    it("runs the local path end to end and summarises AWS in the safe order, each step linking its section", () => {
        const local = docSection("Try it on your machine");
        for (const command of ["npm run local:up", "npm run verify", "npm run failover", "npm run local:down"])
            expect(local).toContain(command);
        const aws = docSection("On AWS, in a safe order");
        const steps = [
            "**Cost.**",
            "**Narrow access before anything exists.**",
            "**The cloud stack**",
            "**The edge stack**",
            "**Verify**",
            "**Tear down**",
        ];
        const positions = steps.map((step) => aws.indexOf(step));
        expect(
            positions.every((position) => position >= 0),
            JSON.stringify(positions),
        ).toBe(true);
        expect([...positions].sort((a, b) => a - b)).toEqual(positions);
        expect(aws).toContain("`apiAccessCidrs`");
        expect(aws).toContain("`gatewaySourceCidrs`");
    });

    it("shows the CI badge of the test workflow, and is licensed Apache-2.0 as package.json says", () => {
        expect(readme).toContain("[![test](../../actions/workflows/test.yml/badge.svg)](../../actions/workflows/test.yml)");
        expect(fs.existsSync(path.join(ROOT, ".github", "workflows", "test.yml"))).toBe(true);
        expect(JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).license).toBe("Apache-2.0");
        const license = fs.readFileSync(path.join(ROOT, "LICENSE"), "utf8");
        expect(license).toContain("Apache License\n                           Version 2.0, January 2004");
        expect(license).toContain("END OF TERMS AND CONDITIONS");
    });
});

/**
 * Where a page runs the first `pulumi up` of a cloud stack it creates (`pulumi stack select --create
 * cloud`, `pulumi stack init cloud`) before narrowing who may reach it: a message per such up. On EKS
 * both lists must be set first; on an existing cluster (`cluster kubeconfig`) the gateway's.
 */
export function unsafeCloudUps(text: string): string[] {
    const problems: string[] = [];
    let creating = false;
    let set = new Set<string>();
    for (const command of shellCommands(text)) {
        if (/^pulumi stack (select --create|init) (\S+\/)*cloud$/.test(command)) {
            creating = true;
            set = new Set();
            continue;
        }
        if (!creating) continue;
        for (const [, key, value] of command.matchAll(/^pulumi config set (?:--\S+ )*'?(?:edge-cloud-mesh:)?(\w+)'? ?(\S*)/g))
            set.add(key === "cluster" && value === "kubeconfig" ? "cluster:kubeconfig" : key);
        if (command.startsWith("pulumi config set-all "))
            for (const [, key] of command.matchAll(/--(?:plaintext|secret) '?(?:edge-cloud-mesh:)?(\w+)/g)) set.add(key);
        if (/^pulumi up\b/.test(command) && (!/--stack /.test(command) || /--stack (\S+\/)*cloud\b/.test(command))) {
            const needed = set.has("cluster:kubeconfig") ? ["gatewaySourceCidrs"] : ["apiAccessCidrs", "gatewaySourceCidrs"];
            const missing = needed.filter((key) => !set.has(key));
            if (missing.length > 0) problems.push(`${command}: before narrowing ${missing.join(" and ")}`);
            creating = false;
        }
    }
    return problems;
}

describe("every page of the docs", () => {
    const pages = readDocs();
    const anchors = (text: string) => [...text.matchAll(/^#{1,6} (.+)$/gm)].map((match) => anchorOf(match[1]));

    it("deploys a cloud stack only after narrowing who may reach it", () => {
        const deploying = pages.filter(({ text }) => /pulumi stack (select --create|init) cloud/.test(text)).map((page) => page.path);
        expect(deploying).toEqual(expect.arrayContaining(["docs/any-cluster.md", "docs/aws.md"]));
        for (const { path: file, text } of pages) expect(unsafeCloudUps(text), file).toEqual([]);
    });

    it("the safe-order check can fail: an up before narrowing, or narrowing only one list on EKS", () => {
        const sh = (...lines: string[]) => "```sh\n" + lines.join("\n") + "\n```\n";
        expect(unsafeCloudUps(sh("npm ci && pulumi stack select --create cloud && pulumi up"))).toEqual([
            "pulumi up: before narrowing apiAccessCidrs and gatewaySourceCidrs",
        ]);
        const gatewayOnly =
            "pulumi config rm gatewaySourceCidrs && pulumi config set-all --path --plaintext 'gatewaySourceCidrs[0]=198.51.100.0/24'";
        expect(unsafeCloudUps(sh("pulumi stack select --create cloud", gatewayOnly, "pulumi up"))).toEqual([
            "pulumi up: before narrowing apiAccessCidrs",
        ]);
        expect(
            unsafeCloudUps(sh("pulumi stack select --create cloud", "pulumi config set cluster kubeconfig", gatewayOnly, "pulumi up")),
        ).toEqual([]);
        // An up of the cloud stack a page did not create (it exists and was narrowed) is not judged.
        expect(unsafeCloudUps(sh("pulumi up --stack cloud"))).toEqual([]);
    });

    it("on AWS, state the cost and narrow access before the first up, then go cloud, edge, verify, tear down", () => {
        const aws = readDocs().find((page) => page.path === "docs/aws.md")!.text;
        const headings = [
            "## What it costs",
            "## Prerequisites",
            "## 1. The cloud stack",
            "## 2. The edge stack",
            "## 3. Verify",
            "## Tear down",
        ];
        const positions = headings.map((heading) => aws.indexOf(`\n${heading}\n`));
        expect(
            positions.every((position) => position >= 0),
            JSON.stringify(positions),
        ).toBe(true);
        expect([...positions].sort((a, b) => a - b)).toEqual(positions);
        const firstUp = aws.indexOf("\npulumi up\n");
        expect(firstUp).toBeGreaterThan(positions[2]);
        expect(aws.slice(positions[2], firstUp)).toMatch(/apiAccessCidrs\[0\][\s\S]*gatewaySourceCidrs\[0\]/);
    });

    it("links only to files that exist, and to headings those pages have", () => {
        let links = 0;
        for (const { path: file, text } of pages) {
            for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
                if (/^[a-z]+:/.test(target)) continue;
                links++;
                // GitHub's own pages, reached from the repository's root: the workflows' runs and badges.
                const workflow = /^\.\.\/\.\.\/actions\/workflows\/([\w.-]+\.yml)(\/badge\.svg)?$/.exec(target);
                if (workflow !== null) {
                    expect(file).toBe("README.md");
                    expect(fs.existsSync(path.join(ROOT, ".github", "workflows", workflow[1])), target).toBe(true);
                    continue;
                }
                const [where, anchor] = target.split("#");
                const linked = where === "" ? file : path.normalize(path.join(path.dirname(file), where));
                expect(fs.existsSync(path.join(ROOT, linked)), `${file}: ${target}`).toBe(true);
                if (anchor !== undefined)
                    expect(anchors(fs.readFileSync(path.join(ROOT, linked), "utf8")), `${file}: ${target}`).toContain(anchor);
            }
        }
        expect(links).toBeGreaterThan(50);
    });

    it("the link check can fail: an anchor is made as GitHub makes it", () => {
        expect(anchorOf("1. The cloud stack")).toBe("1-the-cloud-stack");
        expect(anchorOf("Why the phases cannot be one `up`")).toBe("why-the-phases-cannot-be-one-up");
    });

    it("name only files of the repository that exist", () => {
        const named = pages.flatMap(({ text }) =>
            [...text.matchAll(/`((?:[\w.-]+\/)+[\w.-]+\.(?:ts|sh|md|yml|yaml|json|cjs|txt))`/g)].map((match) => match[1]),
        );
        expect(named).toEqual(
            expect.arrayContaining(["e2e/rotation-traffic.sh", "components/eksVersions.ts", "scripts/upstream-files.txt"]),
        );
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
        expect(written).toEqual(expect.arrayContaining(["trustAnchors", "issuerTrustAnchor", "apiAccessCidrs", "gatewaySourceCidrs"]));
        expect(removed).toContain("trustAnchors");
        for (const key of [...written, ...removed]) expect(keys, key).toContain(key);
    });
});
