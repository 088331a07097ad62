import { execFileSync } from "node:child_process";
import path from "node:path";

/**
 * Builds dist/ once before any test file runs: end-to-end tests spawn the built CLI, and test
 * files building it themselves in parallel would race on the same output files.
 */
export default function setup(): void {
  const root = path.resolve(import.meta.dirname, "..");
  execFileSync(
    process.execPath,
    [path.join(root, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.build.json"],
    { cwd: root, stdio: "inherit" },
  );
}
