// The shell scripts users run on their laptops work on Linux and on macOS, whose bash is 3.2 and whose
// userland is BSD's: none of bash 4+'s features, none of GNU's tools or flags. No bash 3.2 or BSD
// userland runs here (Debian has bash 5.2 only), so each script is read for what they lack (bash's NEWS
// for 4.0–5.0; the BSD manuals of sed, date, readlink, grep, stat, xargs, head); e2e/failover.sh also
// runs in bash 5.2 made as much like 3.2 as it goes, without GNU timeout (test/failoverScript.test.ts).
// Every script of the repository is placed: run on laptops (held to this), or run only by CI on
// GitHub's Ubuntu runners.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { COMMANDS } from "../scripts/cli/registry";
import { REQUIREMENTS, accepts } from "../scripts/tools/requirements";
import { ROOT } from "./harness";
import { SHELLCHECK } from "./shellcheck";

// e2e/rotation-traffic.sh runs in CI, and on a laptop beside npm run rotate on the local stacks.
const LAPTOP = ["e2e/failover.sh", "e2e/rotation-traffic.sh", "scripts/fetch-upstream.sh", "test/standins/pod-curl.sh"];
/** Run only by GitHub's workflows, in jobs on ubuntu-latest (bash 5, GNU coreutils, jq): never on a laptop (a test below holds that). */
const CI_ONLY = [".github/scripts/edge-stacks.sh"];

/** What bash 3.2 or a BSD userland lacks, as it shows in a line of a script, and why. */
const NOT_PORTABLE: [RegExp, string][] = [
    [/\b(mapfile|readarray)\b/, "mapfile/readarray (bash 4.0)"],
    [/\bdeclare -[aA]*A/, "associative arrays (bash 4.0)"],
    [/\$\{\w+(,,|\^\^|,|\^)\}/, "case conversion ${x,,} (bash 4.0)"],
    [/\bEPOCH(REALTIME|SECONDS)\b/, "EPOCHREALTIME/EPOCHSECONDS (bash 5.0)"],
    [/\bBASHPID\b/, "BASHPID (bash 4.0)"],
    [/\blocal -n\b|\bdeclare -n\b/, "namerefs (bash 4.3)"],
    [/\bdeclare -\w*g/, "declare -g (bash 4.2)"],
    [/\bwait -n\b/, "wait -n (bash 4.3)"],
    [/\[\[ -v /, "[[ -v ]] (bash 4.2)"],
    [/\bcoproc\b/, "coproc (bash 4.0)"],
    [/&>>|\|&/, "&>> and |& (bash 4.0)"],
    [/;;&|;&/, "case fall-through ;& and ;;& (bash 4.0)"],
    [/\$\{\w+\[-\d+\]\}/, "negative array subscripts (bash 4.3)"],
    [/\$\{\w+@[QEPAa]\}/, "${x@Q} (bash 4.4)"],
    [/%\([^)]*\)T/, "printf %(...)T (bash 4.2)"],
    [
        /\bshopt -s\b.*\b(globstar|lastpipe|inherit_errexit|autocd|checkjobs|dirspell|direxpand|localvar_inherit)\b/,
        "shopt options of bash 4+",
    ],
    [/\bsed -i(?! ['"]{2}| -e|\S)/, "sed -i without a suffix (GNU; BSD sed needs -i '')"],
    [/\bsed\b[^|;]*\s-r\b/, "sed -r (GNU; -E works on both)"],
    [/\bdate\b[^|;]*\s-d\b/, "date -d (GNU)"],
    [/\bdate\b[^|;]*%N/, "date +%N (GNU; BSD date has whole seconds)"],
    [/\breadlink -f\b/, "readlink -f (GNU before macOS 12.3)"],
    [/\bgrep\b[^|;]*\s-\w*P/, "grep -P (GNU)"],
    [/\bstat -c\b/, "stat -c (GNU; BSD stat takes -f)"],
    [/(^|[\s;|&(])timeout\s/, "timeout (GNU coreutils; macOS has none)"],
    [/\bxargs\b[^|;]*\s-r\b/, "xargs -r (GNU)"],
    [/\bhead\b[^|;]*\s-n\s*-\d/, "head -n -N (GNU)"],
];

/**
 * The arrays a script starts empty, to fill later if at all (`name=()` at the top level): under `set -u`,
 * bash before 4.4 fails on "${name[@]}" while one is empty.
 */
function emptyArrays(code: string): string[] {
    return [...code.matchAll(/^(\w+)=\(\)/gm)].map((match) => match[1]);
}

/** The problems of a script: `line: what` for each line that uses something bash 3.2 or BSD lacks (comments aside). */
function portabilityProblems(text: string): string[] {
    const lines = text.split("\n").map((line) => line.replace(/(^|\s)#.*$/, ""));
    const nounset = lines.some((line) => /\bset -\w*u|\bset -o nounset\b/.test(line));
    const empty = nounset ? emptyArrays(lines.join("\n")) : [];
    return lines.flatMap((code, index) => [
        ...NOT_PORTABLE.filter(([pattern]) => pattern.test(code)).map(([, what]) => `${index + 1}: ${what}`),
        ...empty
            .filter((name) => new RegExp(`"\\$\\{${name}\\[[@*]\\]\\}"`).test(code))
            .map((name) => `${index + 1}: "\${${name}[@]}" of an array that starts empty, under set -u (bash 4.4)`),
    ]);
}

function shellScripts(dir = ROOT): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        if (["node_modules", ".git", "bin", ".local"].includes(entry.name)) return [];
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) return shellScripts(full);
        return entry.name.endsWith(".sh") ? [path.relative(ROOT, full)] : [];
    });
}

describe("the scripts users run on their laptops", () => {
    it("are every shell script of the repository but CI's", () => {
        expect(shellScripts().sort()).toEqual([...LAPTOP, ...CI_ONLY].sort());
    });

    it("use nothing bash 3.2 or a BSD userland lacks", () => {
        for (const script of LAPTOP) expect(portabilityProblems(fs.readFileSync(path.join(ROOT, script), "utf8")), script).toEqual([]);
    });

    it.skipIf(SHELLCHECK === undefined)("pass shellcheck", () => {
        for (const script of LAPTOP) {
            const result = spawnSync(SHELLCHECK!, [path.join(ROOT, script)], { encoding: "utf8" });
            expect(result.stdout, script).toBe("");
            expect(result.status, script).toBe(0);
        }
    });

    it("the check can fail: it finds what macOS lacks, and lets pass what both have", () => {
        expect(
            portabilityProblems(
                [
                    "set -euo pipefail",
                    "mapfile -t dirs < <(ls)",
                    'echo "${name,,}"',
                    "sed -i 's/a/b/' file",
                    "date -d yesterday",
                    "grep -oP 'x'",
                    "sed -E 's/a/b/' file # sed -i in a comment",
                    "sed -i '' 's/a/b/' file",
                    'while IFS= read -r dir; do dirs+=("$dir"); done',
                    // What e2e/failover.sh used before it ran on macOS.
                    "local micros=${EPOCHREALTIME/./}",
                    '    timeout $(($1 * 20 + 60)) kubectl "${EDGE[@]}" exec deploy/frontend',
                    "TEARDOWN=()",
                    'for step in "${TEARDOWN[@]}"; do "$step"; done',
                    "    a) echo a ;&",
                    'echo "${EDGE[-1]}" "$(date +%s%N)"',
                ].join("\n"),
            ),
        ).toEqual([
            "2: mapfile/readarray (bash 4.0)",
            "3: case conversion ${x,,} (bash 4.0)",
            "4: sed -i without a suffix (GNU; BSD sed needs -i '')",
            "5: date -d (GNU)",
            "6: grep -P (GNU)",
            "10: EPOCHREALTIME/EPOCHSECONDS (bash 5.0)",
            "11: timeout (GNU coreutils; macOS has none)",
            '13: "${TEARDOWN[@]}" of an array that starts empty, under set -u (bash 4.4)',
            "14: case fall-through ;& and ;;& (bash 4.0)",
            "15: negative array subscripts (bash 4.3)",
            "15: date +%N (GNU; BSD date has whole seconds)",
        ]);
    });

    it("CI's script runs only in jobs on GitHub's Ubuntu runners", () => {
        const workflows = path.join(ROOT, ".github", "workflows");
        const runners = fs.readdirSync(workflows).flatMap((file) =>
            Object.values(parse(fs.readFileSync(path.join(workflows, file), "utf8")).jobs as Record<string, any>)
                .filter((job) => (job.steps ?? []).some((step: any) => CI_ONLY.some((script) => (step.run ?? "").includes(script))))
                .map((job) => job["runs-on"]),
        );
        expect(runners.length).toBeGreaterThan(0);
        expect(new Set(runners)).toEqual(new Set(["ubuntu-latest"]));
    });

    it("npm run failover asks for no GNU timeout, and takes macOS's bash", () => {
        expect(COMMANDS.find((command) => command.name === "failover")!.tools).toEqual(["pulumi", "kubectl", "bash"]);
        expect(accepts(REQUIREMENTS.bash.wants, "3.2.57")).toBe(true);
    });
});
