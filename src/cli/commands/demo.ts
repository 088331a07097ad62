import type { Command } from "commander";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
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
      const { verifyRelease } = await import("../../trust/verify-release.js");
      const { applySigningKeyFile } = await import("../../trust/apply-signing-key-file.js");
      const local = path.resolve(ctx.cwd, "release-configs", "demo.yaml");
      const configFile = existsSync(local) ? local : packagedDemoConfig();
      const outDir = path.resolve(ctx.cwd, opts.out);
      const signal = ctx.signal ? { signal: ctx.signal } : {};
      // The demo's signing key lives beside the bundle (never inside it: it would be published) and is
      // reused on every run, as a project's key would be.
      const keyFile = `${outDir}-signing-key.pem`;
      const key = await applySigningKeyFile({ file: keyFile });
      const built = await buildRelease({ configFile, version: opts.version, outDir, cacheDir: defaultCacheDir(ctx.env), signing: { kind: "key", privateKeyPem: key.privateKeyPem }, ...signal });
      const publicKeyPem = await readFile(path.join(outDir, "model.pub"));
      const release = await verifyRelease({ dir: outDir, trust: { kind: "key", publicKeyPem }, ...signal });
      const verified = { ok: release.ok, checked: release.bundle?.checked ?? 0 };
      const out = (s = "") => writeLine(ctx.stdout, s);
      const total = built.manifest.files.reduce((a, f) => a + f.size, 0);
      out(`1. inspected ${built.plan.checkpointDir}: ${built.plan.inventory.layout}, ${built.plan.inventory.parameters} parameters in ${built.plan.inventory.shards.length} shards`);
      out(`2. published ${built.manifest.files.length} files (${formatBytes(total)}), dropped ${built.plan.sanitize.dropped.length}:`);
      for (const d of built.plan.sanitize.dropped) out(`     - ${d.path}: ${d.reason}`);
      out(`3. staged ${built.manifest.tag} in ${outDir} (weights hard-linked, not copied)`);
      out(`4. signed model.sig with ${key.created ? "a new" : "the"} demo key ${path.relative(ctx.cwd, keyFile)} (public key: ${path.join(opts.out, "model.pub")})`);
      out(`5. verify: ${verified.ok ? "ok" : "FAILED"}, ${verified.checked} files re-hashed, signature ${release.signature.status === "verified" && release.signature.result.ok ? "ok" : "FAILED"}`);
      out();
      out(`Review the release in ${path.join(opts.out, "report.html")}. Look at ${path.join(opts.out, "manifest.json")} and ${path.join(opts.out, "SHA256SUMS")}; check by hand with:`);
      out(`  (cd ${opts.out} && sha256sum -c SHA256SUMS)`);
      out(`  model-release verify ${opts.out} --key ${path.join(opts.out, "model.pub")}`);
      if (!verified.ok) {
        const { verifyError } = await import("../../errors.js");
        throw verifyError("BUNDLE_MISMATCH", `the demo bundle in ${outDir} did not verify`, { location: { file: outDir } });
      }
    });
}
