// Which reporter a run gets: the live view on a terminal, plain lines in CI and pipes.
import type { Reporter } from "../events";
import { liveReporter } from "./live";
import { plainReporter } from "./plain";

export function reporterFor(out: NodeJS.WriteStream, err: NodeJS.WriteStream, env: NodeJS.ProcessEnv): Reporter {
    return out.isTTY && !env.CI ? liveReporter(out) : plainReporter(out, err);
}
