import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { docSection, docsText, readDocs } from "./docs";
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

    it("are the README and every Markdown page under docs/, in path order, once there are some", () => {
        const root = project({
            "README.md": "# p\n\n## Set up\nrun it\n",
            "docs/operations/rotate.md": "# Rotate\n\n## Tear down\ndestroy\n",
            "docs/configuration.md": "# Configuration\n\n## Keys\n| `role` |\n",
            "docs/diagram.svg": "<svg/>",
        });
        expect(readDocs(root).map((page) => page.path)).toEqual(["README.md", "docs/configuration.md", "docs/operations/rotate.md"]);
        expect(docsText(root)).toContain("run it\n\n# Configuration");
        expect(docSection("Keys", root)).toBe("| `role` |\n");
        expect(docSection("Tear down", root)).toBe("destroy\n");
    });

    it("find a section in exactly one page", () => {
        const root = project({ "README.md": "# p\n\n## Set up\na\n", "docs/more.md": "# More\n\n## Set up\nb\n" });
        expect(() => docSection("Set up", root)).toThrow('2 pages have a section "## Set up": README.md, docs/more.md');
        expect(() => docSection("Absent", root)).toThrow('0 pages have a section "## Absent"');
    });
});
