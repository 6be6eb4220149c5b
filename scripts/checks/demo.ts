// The demo as the checks find it on the clusters (components/demoWorkloads.ts deploys it; scripts/ does
// not import components, so the names are restated here and test/verify.test.ts holds them equal).
export const DEMO = {
    namespace: "test",
    podinfo: "podinfo",
    frontend: "frontend",
    frontendPort: 8080,
    /** The frontend pod's client container: podinfo's image, with sh and curl, meshed with the frontend. */
    client: "traffic",
};

/** What podinfo on a cluster answers in its `message` (PODINFO_UI_MESSAGE). */
export function greeting(cluster: string): string {
    return `greetings from ${cluster}`;
}
