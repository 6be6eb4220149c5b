// GitHub's CI has no ../shared/upstream: scripts/fetch-upstream.sh fetches the pinned upstream files
// the tests read from their repositories at the pinned commits (scripts/upstream-files.txt), and
// test.yml runs the tests against them with EDGE_CLOUD_MESH_REQUIRE_UPSTREAM. Nothing here reaches
// the internet: the script runs against local git repositories of the tests' own.
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ROOT } from "./harness";
import { FETCHED_UPSTREAM_FILES, UPSTREAM, UPSTREAM_FILES_LIST, itUpstream, readUpstream } from "./upstream";

const SCRIPT = path.join(ROOT, "scripts", "fetch-upstream.sh");

/** The list's entries: [file under the upstream directory, repository, commit, source]. */
const entries = fs
    .readFileSync(UPSTREAM_FILES_LIST, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "" && !line.startsWith("#"))
    .map((line) => line.trim().split(/\s+/));

function git(dir: string, ...args: string[]): string {
    return execFileSync("git", ["-C", dir, ...args], {
        encoding: "utf8",
        env: {
            ...process.env,
            GIT_AUTHOR_NAME: "t",
            GIT_AUTHOR_EMAIL: "t@example.invalid",
            GIT_COMMITTER_NAME: "t",
            GIT_COMMITTER_EMAIL: "t@example.invalid",
        },
    }).trim();
}

/** A local repository `owner/name.git` under `base` with one commit of `files`; returns the commit. */
function commit(base: string, repo: string, files: Record<string, string>): string {
    const dir = path.join(base, `${repo}.git`);
    if (!fs.existsSync(dir)) {
        fs.mkdirSync(dir, { recursive: true });
        git(dir, "init", "-q");
    }
    for (const [file, text] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
        fs.writeFileSync(path.join(dir, file), text);
    }
    git(dir, "add", "-A");
    git(dir, "commit", "-q", "-m", "files");
    return git(dir, "rev-parse", "HEAD");
}

describe("the list of upstream files CI fetches", () => {
    it("has one well-formed entry per file: a 40-digit commit of an owner/name repository", () => {
        expect(entries.length).toBeGreaterThan(5);
        for (const entry of entries) {
            expect(entry, entry.join(" ")).toHaveLength(4);
            expect(entry[1]).toMatch(/^[\w.-]+\/[\w.-]+$/);
            expect(entry[2]).toMatch(/^[0-9a-f]{40}$/);
        }
        expect(new Set(FETCHED_UPSTREAM_FILES).size).toBe(FETCHED_UPSTREAM_FILES.length);
    });

    it("is enforced where the tests read: a pinned file not in the list cannot be read (the check can fail)", () => {
        expect(() => readUpstream(path.join(UPSTREAM, "linkerd-edge-26.8.3", "crds", "serviceprofile.yaml"))).toThrow(
            "linkerd-edge-26.8.3/crds/serviceprofile.yaml is not in scripts/upstream-files.txt",
        );
    });

    itUpstream("names files where ../shared/upstream has them", () => {
        for (const file of FETCHED_UPSTREAM_FILES) expect(fs.existsSync(path.join(UPSTREAM, file)), file).toBe(true);
    });

    // The README comes with ../shared/upstream, not with what scripts/fetch-upstream.sh fetches (GitHub's CI).
    it.skipIf(!fs.existsSync(path.join(UPSTREAM, "README.md")))(
        "pins the repositories and commits ../shared/upstream's README documents",
        () => {
            const readme = fs.readFileSync(path.join(UPSTREAM, "README.md"), "utf8");
            for (const [file, repo, sha] of entries) {
                const row = readme.split("\n").find((line) => line.startsWith(`| \`${file.split("/")[0]}/`));
                expect(row, file).toBeDefined();
                expect(row, file).toContain(repo);
                expect(row, file).toContain(sha);
            }
        },
    );
});

describe("scripts/fetch-upstream.sh against local repositories", () => {
    it("is valid bash, and executable (test.yml runs it directly)", () => {
        expect(spawnSync("bash", ["-n", SCRIPT], { encoding: "utf8" }).stderr).toBe("");
        expect(fs.statSync(SCRIPT).mode & 0o111).toBe(0o111);
    });

    it("copies each file at its pinned commit, not at the branch's head, and derives the .Values paths each chart's templates read", () => {
        const base = fs.mkdtempSync(path.join(os.tmpdir(), "upstream-git-"));
        const pinned = commit(base, "acme/charts", {
            "charts/a/values.yaml": "replicas: 1\n",
            "charts/a/templates/deploy.yaml":
                "replicas: {{ .Values.replicas }}\nimage: {{ $.Values.image.name }}:{{ .Values.image.tag }}\n",
            "charts/partials/templates/_proxy.tpl": '{{- define "proxy" }}{{ .Values.proxy.logLevel }}{{ end }}\n',
            "charts/b/templates/crd.yaml": "kind: CustomResourceDefinition\n{{ if .Values.installCRDs }}x{{ end }}\n",
        });
        commit(base, "acme/charts", { "charts/a/values.yaml": "replicas: 2\n" });
        const list = path.join(base, "upstream-files.txt");
        fs.writeFileSync(
            list,
            [
                "# a comment",
                `acme-1/values/a.yaml acme/charts ${pinned} charts/a/values.yaml`,
                `acme-1/crds/crd.yaml acme/charts ${pinned} charts/b/templates/crd.yaml`,
                "",
                `acme-1/values-read-by-templates.json acme/charts ${pinned} values-read:a=charts/a/templates,charts/partials/templates;b=charts/b/templates`,
            ].join("\n"),
        );
        const dest = path.join(base, "out");
        const result = spawnSync("bash", [SCRIPT, dest], {
            encoding: "utf8",
            env: { ...process.env, UPSTREAM_FILES: list, UPSTREAM_GIT_BASE: `file://${base}` },
        });
        expect(result.status, result.stderr).toBe(0);
        expect(fs.readFileSync(path.join(dest, "acme-1/values/a.yaml"), "utf8")).toBe("replicas: 1\n");
        expect(fs.readFileSync(path.join(dest, "acme-1/crds/crd.yaml"), "utf8")).toContain("kind: CustomResourceDefinition");
        const derived = JSON.parse(fs.readFileSync(path.join(dest, "acme-1/values-read-by-templates.json"), "utf8"));
        expect(derived).toMatchObject({ a: ["image.name", "image.tag", "proxy.logLevel", "replicas"], b: ["installCRDs"] });
        expect(derived._about).toContain(`acme/charts at ${pinned}`);
        expect(result.stdout).toContain(`acme-1/values/a.yaml <- acme/charts@${pinned}:charts/a/values.yaml`);
    });

    it("fails when a pinned commit cannot be fetched", () => {
        const base = fs.mkdtempSync(path.join(os.tmpdir(), "upstream-git-"));
        commit(base, "acme/charts", { "a.yaml": "a: 1\n" });
        const list = path.join(base, "upstream-files.txt");
        fs.writeFileSync(list, `x/a.yaml acme/charts ${"0".repeat(40)} a.yaml\n`);
        const result = spawnSync("bash", [SCRIPT, path.join(base, "out")], {
            encoding: "utf8",
            env: { ...process.env, UPSTREAM_FILES: list, UPSTREAM_GIT_BASE: `file://${base}` },
        });
        expect(result.status).not.toBe(0);
    });
});

describe("test.yml", () => {
    it("fetches the pinned upstream files, then runs the README's test command requiring them", () => {
        const steps = parse(fs.readFileSync(path.join(ROOT, ".github", "workflows", "test.yml"), "utf8")).jobs.test.steps;
        const fetch = steps.findIndex((step: any) => step.run === 'scripts/fetch-upstream.sh "$RUNNER_TEMP/upstream"');
        const test = steps.findIndex((step: any) => step.run === "npm ci && npm test");
        expect(fetch).toBeGreaterThan(steps.findIndex((step: any) => step.uses?.startsWith("actions/setup-node@")));
        expect(test).toBeGreaterThan(fetch);
        expect(steps[test].env).toEqual({ EDGE_CLOUD_MESH_UPSTREAM: "${{ runner.temp }}/upstream", EDGE_CLOUD_MESH_REQUIRE_UPSTREAM: "1" });
    });
});
