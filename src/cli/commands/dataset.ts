import type { Command } from "commander";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { writeJson, writeLine, type CliContext } from "../context.js";
import { addPublishOptions, runPublish, withActionsReporting, type PublishFlags } from "../publish-options.js";

export interface DatasetBuildOptions {
  config: string;
  out?: string;
  version?: string;
  dryRun?: boolean;
  json?: boolean;
}

/** The environment variable that holds the pseudonym key; read here and nowhere else. */
export const REDACTION_KEY_ENV = "MODEL_RELEASE_REDACTION_KEY";

export function registerDataset(program: Command, ctx: CliContext): void {
  const dataset = program
    .command("dataset")
    .description("partial releases of training data, with sensitive information removed");

  dataset
    .command("build")
    .description(
      "redact and stage a dataset release: data/<split>.jsonl, README.md (dataset card), redaction-report.json, manifest.json, SHA256SUMS",
    )
    .requiredOption("--config <yaml>", "dataset config, e.g. datasets/robot-jobfiles-sample/dataset.yaml")
    .option("--out <dir>", "bundle folder to create (a previous bundle there is replaced); required unless --dry-run")
    .option("--version <semver>", "version of this release (default: the config's `version`)")
    .option("--dry-run", "plan and print the redaction report without writing anything")
    .option("--json", "print the result as JSON")
    .addHelpText(
      "after",
      `\nPlaceholders are a keyed hash of each value. Set ${REDACTION_KEY_ENV} (e.g. \`openssl rand -hex 32\`) to keep\nthem stable across builds; without it every run draws a fresh random key. The key is never written anywhere.`,
    )
    .action(async (opts: DatasetBuildOptions) => {
      const { usageError } = await import("../../errors.js");
      if (!opts.dryRun && !opts.out)
        throw usageError("MISSING_OUT", "dataset build needs --out <dir> (or --dry-run)", {
          hint: "e.g. --out dist/robot-jobfiles-sample",
        });
      const { parseRedactionKey } = await import("../../datasets/parse-redaction-key.js");
      const { buildDataset } = await import("../../datasets/build-dataset.js");
      const envKey = ctx.env[REDACTION_KEY_ENV];
      const keySource = envKey !== undefined && envKey !== "" ? "env" : "random";
      const key = keySource === "env" ? parseRedactionKey(envKey!) : new Uint8Array(randomBytes(32));
      const r = await buildDataset({
        configFile: path.resolve(ctx.cwd, opts.config),
        outDir: opts.dryRun ? undefined : path.resolve(ctx.cwd, opts.out!),
        version: opts.version || undefined,
        key,
        keySource,
        signal: ctx.signal,
      });
      const { report } = r.plan;
      if (opts.json) {
        writeJson(ctx, {
          name: r.plan.name,
          version: r.plan.version,
          tag: r.plan.tag,
          hub: r.plan.hub,
          outDir: r.outDir ?? null,
          report,
          manifest: r.manifest ?? null,
        });
        return;
      }
      const out = ctx.stdout;
      writeLine(
        out,
        `${r.outDir ? "staged" : "would stage"} ${r.plan.name} ${r.plan.tag} for ${r.plan.hub.repo} (dataset)${r.outDir ? ` in ${path.relative(ctx.cwd, r.outDir) || "."}` : ""}`,
      );
      writeLine(
        out,
        `  records: ${report.records.published} published of ${report.records.source} (${Object.entries(report.splits)
          .map(([s, n]) => `${s} ${n}`)
          .join(", ")}), ${report.records.rejected + report.records.sourceRejected} rejected`,
      );
      const cats = Object.entries(report.byCategory).sort((a, b) => b[1] - a[1]);
      writeLine(
        out,
        `  redacted: ${cats.reduce((a, [, n]) => a + n, 0)} values (${cats.map(([c, n]) => `${c} ${n}`).join(", ") || "none"})`,
      );
      writeLine(
        out,
        `  pseudonym key: ${keySource === "env" ? `from ${REDACTION_KEY_ENV}` : `random for this run (set ${REDACTION_KEY_ENV} for placeholders that stay the same across builds)`}`,
      );
      if (r.manifest) writeLine(out, `  content digest: ${r.manifest.contentDigest}`);
      if (report.commentsDropped > 0) writeLine(out, `  comments dropped by the allowlist: ${report.commentsDropped}`);
      writeLine(
        out,
        `  measured recall on planted values: ${Object.entries(report.recall.places)
          .map(([place, r]) => `${place} ${r.redacted}/${r.planted}`)
          .join(", ")}`,
      );
      // Counts and fixed reasons only: stderr is public in CI logs, and a rejected record's names,
      // lines and statements are exactly what must not be published.
      for (const rej of report.rejected) {
        writeLine(
          ctx.stderr,
          `warning[${rej.code}]: ${rej.count} record${rej.count === 1 ? "" : "s"} excluded: ${rej.reason}`,
        );
      }
    });

  const publish = addPublishOptions(
    dataset
      .command("publish")
      .description(
        "publish a dataset bundle to the Hub (repo type dataset): one commit, then the version tag; a re-run resumes",
      )
      .argument("<dir>", "bundle folder made by `model-release dataset build`")
      .option(
        "--config <yaml>",
        "the dataset config the bundle was built from; required when the Hub repo does not exist yet (its hub.private decides the new repo's visibility)",
      ),
    // Datasets go to the Hub only (their manifest names no GitHub repository): no --to, no GitHub flags.
    { hubOnly: true },
  );
  publish.action(async (dir: string, hubFlags: Omit<PublishFlags, "to"> & { config?: string }) => {
    const { usageError } = await import("../../errors.js");
    const opts: PublishFlags & { config?: string } = { ...hubFlags, to: "hf" };
    const { readManifest } = await import("../../bundle/verify-bundle.js");
    const manifest = await readManifest(path.resolve(ctx.cwd, dir));
    if (manifest.hub.repoType !== "dataset") {
      throw usageError("NOT_A_DATASET_BUNDLE", `${dir} is a ${manifest.hub.repoType} bundle, not a dataset bundle`, {
        hint: "publish it with `model-release publish`, or build a dataset with `model-release dataset build`",
        location: { file: "manifest.json", field: "hub.repoType" },
      });
    }
    let hubPrivate: boolean | undefined;
    if (opts.config) {
      const { readDatasetConfig } = await import("../../datasets/read-dataset-config.js");
      const loaded = await readDatasetConfig(path.resolve(ctx.cwd, opts.config));
      if (loaded.config.hub.repo !== manifest.hub.repo) {
        throw usageError(
          "CONFIG_BUNDLE_MISMATCH",
          `--config ${opts.config} names ${loaded.config.hub.repo}, but the bundle in ${dir} is for ${manifest.hub.repo}`,
          {
            hint: "pass the dataset config the bundle was built from",
            location: { file: opts.config, field: "hub.repo" },
          },
        );
      }
      hubPrivate = loaded.config.hub.private;
    }
    const { renderStepSummary } = await import("../render-github-actions.js");
    await withActionsReporting(
      ctx,
      // As for `publish`: without the config a new repo's visibility is unknown, and the preflight
      // refuses (CONFIG_REQUIRED) rather than guess public; an existing repo keeps its own.
      () => runPublish(ctx, { bundleDir: dir, flags: opts, hubPrivate, configRequiredForNewRepo: true }),
      renderStepSummary,
    );
  });

  dataset
    .command("schema")
    .description("print the JSON Schema of dataset configs (for editor completion)")
    .option("--json", "the same JSON Schema (it is machine-readable already)")
    .action(async () => {
      const { renderDatasetConfigJsonSchema } = await import("../../datasets/read-dataset-config.js");
      ctx.stdout.write(renderDatasetConfigJsonSchema());
    });
}
