// What a source file imports, for the tests that hold modules to their layer.
import ts from "typescript";

/** The module specifiers a TypeScript file imports, exports from or requires. */
export function importSpecifiers(text: string): string[] {
    return ts.preProcessFile(text, true, true).importedFiles.map((file) => file.fileName);
}
