// shellcheck (Debian's package), for the tests of the e2e scripts: on PATH, or missing (those tests
// are then skipped, unless EDGE_CLOUD_MESH_REQUIRE_SHELLCHECK says it must be there, as in CI).
import * as fs from "node:fs";
import * as path from "node:path";

export const SHELLCHECK = (process.env.PATH ?? "")
    .split(path.delimiter)
    .map((dir) => path.join(dir, "shellcheck"))
    .find((file) => fs.existsSync(file));
if (SHELLCHECK === undefined && process.env.EDGE_CLOUD_MESH_REQUIRE_SHELLCHECK) {
    throw new Error("shellcheck is required (EDGE_CLOUD_MESH_REQUIRE_SHELLCHECK) but missing: apt-get install shellcheck");
}
