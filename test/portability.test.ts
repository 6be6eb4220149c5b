// The shell scripts users run on their laptops work on Linux and on macOS, whose bash is 3.2 and whose
// userland is BSD's: none of bash 4+'s features, none of GNU's tools or flags. No bash 3.2 or BSD
// userland runs here, so each script is read for what they lack (bash's NEWS for 4.0–5.0; the BSD
// manuals of sed, date, readlink, grep, stat). Every script of the repository is placed: run on
// laptops (held to this), run only by CI on Linux runners, or the end-to-end scripts, which
// `npm run failover` checks its tools for (bash 5, GNU timeout; tools/requirements.ts) until they are
// made portable themselves.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { COMMANDS } from "../scripts/cli/registry";
import { ROOT } from "./harness";

/** fetch-upstream.sh for the upstream-data tests; the stand-ins' shell scripts run under `npm test`. */
const SHELLCHECK = (process.env.PATH ?? "")
    .split(path.delimiter)
    .map((dir) => path.join(dir, "shellcheck"))
    .find((file) => fs.existsSync(file));

// e2e/rotation-traffic.sh runs in CI, and on a laptop beside npm run rotate on the local stacks.
const LAPTOP = ["scripts/fetch-upstream.sh", "test/standins/pod-curl.sh", "e2e/rotation-traffic.sh"];
const CI_ONLY = [".github/scripts/edge-stacks.sh"];
const END_TO_END = ["e2e/failover.sh", "e2e/verify.sh"];

/** What bash 3.2 or a BSD userland lacks, as it shows in a script, and why. */
const NOT_PORTABLE: [RegExp, string][] = [
    [/\b(mapfile|readarray)\b/, "mapfile/readarray (bash 4.0)"],
    [/\bdeclare -[aA]*A/, "associative arrays (bash 4.0)"],
    [/\$\{\w+(,,|\^\^|,|\^)\}/, "case conversion ${x,,} (bash 4.0)"],
    [/\bEPOCH(REALTIME|SECONDS)\b/, "EPOCHREALTIME/EPOCHSECONDS (bash 5.0)"],
    [/\blocal -n\b|\bdeclare -n\b/, "namerefs (bash 4.3)"],
    [/\bwait -n\b/, "wait -n (bash 4.3)"],
    [/\[\[ -v /, "[[ -v ]] (bash 4.2)"],
    [/\bcoproc\b/, "coproc (bash 4.0)"],
    [/&>>|\|&/, "&>> and |& (bash 4.0)"],
    [/\$\{\w+@[QEPAa]\}/, "${x@Q} (bash 4.4)"],
    [/\bsed -i(?! ['"]{2}| -e|\S)/, "sed -i without a suffix (GNU; BSD sed needs -i '')"],
    [/\bsed\b[^|;]*\s-r\b/, "sed -r (GNU; -E works on both)"],
    [/\bdate\b[^|;]*\s-d\b/, "date -d (GNU)"],
    [/\breadlink -f\b/, "readlink -f (GNU before macOS 12.3)"],
    [/\bgrep\b[^|;]*\s-\w*P/, "grep -P (GNU)"],
    [/\bstat -c\b/, "stat -c (GNU; BSD stat takes -f)"],
    [/(^|[\s;|&(])timeout\s/, "timeout (GNU coreutils; macOS has none)"],
    [/\bxargs\b[^|;]*\s-r\b/, "xargs -r (GNU)"],
];

/** The problems of a script: `line: what` for each line that uses something bash 3.2 or BSD lacks (comments aside). */
function portabilityProblems(text: string): string[] {
    return text.split("\n").flatMap((line, index) => {
        const code = line.replace(/(^|\s)#.*$/, "");
        return NOT_PORTABLE.filter(([pattern]) => pattern.test(code)).map(([, what]) => `${index + 1}: ${what}`);
    });
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
    it("are every shell script of the repository but CI's and the end-to-end ones", () => {
        expect(shellScripts().sort()).toEqual([...LAPTOP, ...CI_ONLY, ...END_TO_END].sort());
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
        const failover = fs.readFileSync(path.join(ROOT, "e2e", "failover.sh"), "utf8");
        expect(portabilityProblems(failover)).toEqual(
            expect.arrayContaining([expect.stringMatching(/EPOCHREALTIME/), expect.stringMatching(/timeout \(GNU/)]),
        );
        expect(
            portabilityProblems(
                [
                    "mapfile -t dirs < <(ls)",
                    'echo "${name,,}"',
                    "sed -i 's/a/b/' file",
                    "date -d yesterday",
                    "grep -oP 'x'",
                    "sed -E 's/a/b/' file # sed -i in a comment",
                    "sed -i '' 's/a/b/' file",
                    'while IFS= read -r dir; do dirs+=("$dir"); done',
                ].join("\n"),
            ),
        ).toEqual([
            "1: mapfile/readarray (bash 4.0)",
            "2: case conversion ${x,,} (bash 4.0)",
            "3: sed -i without a suffix (GNU; BSD sed needs -i '')",
            "4: date -d (GNU)",
            "5: grep -P (GNU)",
        ]);
    });

    it("and the one npm script that runs an end-to-end script checks for the bash and timeout it needs", () => {
        expect(COMMANDS.find((command) => command.name === "failover")!.tools).toEqual(expect.arrayContaining(["bash", "timeout"]));
    });
});
