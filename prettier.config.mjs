// Formatting is mechanical: `npm run format` writes it, CI checks it (`npm run format:check`).
// 140 columns and 4-space indents are what the code was written at, so the first format reflowed
// only the lines beyond that, not every statement. JSON and YAML keep the 2-space indents npm,
// Pulumi and GitHub write them with.
/** @type {import("prettier").Config} */
export default {
    printWidth: 140,
    tabWidth: 4,
    overrides: [{ files: ["*.json", "*.yaml", "*.yml"], options: { tabWidth: 2 } }],
};
