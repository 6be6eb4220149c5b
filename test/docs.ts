// The project's documentation as the tests read it: README.md, CONTRIBUTING.md, then every Markdown
// page under docs/.
// Tests ask for the text or for a section, not for a file, so that a section can move to another
// page without touching them.
import * as fs from "node:fs";
import * as path from "node:path";
import { ROOT } from "./harness";

export interface DocPage {
    /** From the repository's root: "README.md", "CONTRIBUTING.md", "docs/configuration.md". */
    path: string;
    text: string;
}

/** README.md, CONTRIBUTING.md (where there is one), then the pages under docs/ (with subfolders) in path order. */
export function readDocs(root = ROOT): DocPage[] {
    const docs = path.join(root, "docs");
    const pages = fs.existsSync(docs)
        ? fs
              .readdirSync(docs, { recursive: true, encoding: "utf8" })
              .filter((file) => file.endsWith(".md"))
              .map((file) => path.join("docs", file))
              .sort()
        : [];
    const contributing = fs.existsSync(path.join(root, "CONTRIBUTING.md")) ? ["CONTRIBUTING.md"] : [];
    return ["README.md", ...contributing, ...pages].map((file) => ({ path: file, text: fs.readFileSync(path.join(root, file), "utf8") }));
}

/** Every page's text, one after another: for what the docs say wherever they say it. */
export function docsText(root = ROOT): string {
    return readDocs(root)
        .map((page) => page.text)
        .join("\n");
}

/** The body of the section `## <heading>`, up to the next `## `, from the one page that has it. */
export function docSection(heading: string, root = ROOT): string {
    const marker = `\n## ${heading}\n`;
    const pages = readDocs(root).filter((page) => page.text.includes(marker));
    if (pages.length !== 1) {
        const where = pages.length > 0 ? `: ${pages.map((page) => page.path).join(", ")}` : "";
        throw new Error(`${pages.length} pages have a section "## ${heading}"${where}`);
    }
    return pages[0].text.split(marker)[1].split("\n## ")[0];
}

/** A heading's anchor as GitHub makes it: lower case, punctuation but hyphens dropped, spaces to hyphens. */
export function anchorOf(heading: string): string {
    return heading
        .toLowerCase()
        .replace(/[^\w\- ]/g, "")
        .replace(/ /g, "-");
}

/** The commands of some text's ```sh blocks, in order: continuation lines joined, comments dropped, `a && b` as two. */
export function shellCommands(text: string): string[] {
    return [...text.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((block) =>
        block[1]
            .replace(/\\\n\s*/g, " ")
            .split("\n")
            .map((line) => line.replace(/(^|\s)#.*$/, "").trim())
            .filter((line) => line !== "")
            .flatMap((line) => line.split(/\s*&&\s*/)),
    );
}
