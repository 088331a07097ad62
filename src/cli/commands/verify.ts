import type { Command } from "commander";
import { verifyError } from "../../errors.js";
import { writeJson, writeLine, type CliContext } from "../context.js";

export function registerVerify(program: Command, ctx: CliContext): void {
  program
    .command("verify")
    .description("recompute every digest of a bundle and compare with manifest.json and SHA256SUMS (exit 6 on any difference)")
    .argument("<dir>", "bundle folder (from build, or downloaded with pull)")
    .option("-j, --jobs <n>", "hashing threads (default: one per core)")
    .option("--json", "print the result as JSON")
    .action(async (dir: string, opts: { json?: boolean; jobs?: string }) => {
      const { verifyBundle } = await import("../../bundle/verify-bundle.js");
      const jobs = opts.jobs === undefined ? undefined : Math.max(1, Number(opts.jobs) || 1);
      const r = await verifyBundle({ dir, ...(jobs ? { concurrency: jobs } : {}), ...(ctx.signal ? { signal: ctx.signal } : {}) });
      if (r.ok) {
        // On failure the error (with the same lists in `details`) is the one JSON document printed.
        if (opts.json) writeJson(ctx, { ok: true, dir: r.dir, version: r.manifest.version, checked: r.checked, missing: [], extra: [], changed: [], contentDigestOk: true });
        else writeLine(ctx.stdout, `ok: ${r.checked} files of ${r.manifest.name} ${r.manifest.version} match manifest.json (content digest ${r.manifest.contentDigest})`);
        return;
      }
      const lines = [
        ...r.missing.map((p) => `missing: ${p}`),
        ...r.changed.map((c) => (c.reason === "content" ? `changed: ${c.path} (sha256 ${c.actualSha256.slice(0, 12)}…, expected ${c.expectedSha256.slice(0, 12)}…)` : `changed: SHA256SUMS line for ${c.path} disagrees with manifest.json`)),
        ...r.extra.map((p) => `extra: ${p} (not in manifest.json)`),
        ...(r.contentDigestOk ? [] : ["changed: manifest.json contentDigest does not match its file list"]),
      ];
      if (!opts.json) for (const l of lines) writeLine(ctx.stderr, l);
      throw verifyError("BUNDLE_MISMATCH", `${r.dir}: ${lines.length} difference${lines.length === 1 ? "" : "s"} from manifest.json: ${lines.slice(0, 5).join("; ")}${lines.length > 5 ? "; …" : ""}`, {
        hint: "re-download the release (model-release pull) or rebuild the bundle; a changed weight file means the copy is not the released one",
        location: { file: r.dir },
        details: { ok: false, checked: r.checked, missing: r.missing, extra: r.extra, changed: r.changed, contentDigestOk: r.contentDigestOk },
      });
    });
}
