import type { Command } from "commander";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { writeLine, type CliContext } from "../context.js";
import { defaultCacheDir } from "../default-cache-dir.js";
import { formatBytes } from "../format-bytes.js";

/** The shipped demo config: from the package root (dist/cli/commands → ../../..). */
function packagedDemoConfig(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "release-configs", "demo.yaml");
}

export function registerDemo(program: Command, ctx: CliContext): void {
  program
    .command("demo")
    .description("build and verify a release of the shipped demo checkpoint, offline")
    .option("--out <dir>", "where to stage the bundle", "demo-out")
    .option("--version <semver>", "version of the demo release", "1.0.0")
    .action(async (opts: { out: string; version: string }) => {
      const { buildRelease } = await import("../../bundle/build-release.js");
      const { verifyBundle } = await import("../../bundle/verify-bundle.js");
      const local = path.resolve(ctx.cwd, "release-configs", "demo.yaml");
      const configFile = existsSync(local) ? local : packagedDemoConfig();
      const outDir = path.resolve(ctx.cwd, opts.out);
      const signal = ctx.signal ? { signal: ctx.signal } : {};
      const built = await buildRelease({ configFile, version: opts.version, outDir, cacheDir: defaultCacheDir(ctx.env), ...signal });
      const verified = await verifyBundle({ dir: outDir, ...signal });
      const out = (s = "") => writeLine(ctx.stdout, s);
      const total = built.manifest.files.reduce((a, f) => a + f.size, 0);
      out(`1. inspected ${built.plan.checkpointDir}: ${built.plan.inventory.layout}, ${built.plan.inventory.parameters} parameters in ${built.plan.inventory.shards.length} shards`);
      out(`2. published ${built.manifest.files.length} files (${formatBytes(total)}), dropped ${built.plan.sanitize.dropped.length}:`);
      for (const d of built.plan.sanitize.dropped) out(`     - ${d.path}: ${d.reason}`);
      out(`3. staged ${built.manifest.tag} in ${outDir} (weights hard-linked, not copied)`);
      out(`4. verify: ${verified.ok ? "ok" : "FAILED"}, ${verified.checked} files re-hashed`);
      out();
      out(`Look at ${path.join(opts.out, "manifest.json")} and ${path.join(opts.out, "SHA256SUMS")}; check by hand with:`);
      out(`  (cd ${opts.out} && sha256sum -c SHA256SUMS)`);
      if (!verified.ok) {
        const { verifyError } = await import("../../errors.js");
        throw verifyError("BUNDLE_MISMATCH", `the demo bundle in ${outDir} did not verify`, { location: { file: outDir } });
      }
    });
}
