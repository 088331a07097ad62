import { z } from "zod";

/**
 * The release config: one YAML file per model release in `release-configs/`. This schema is the
 * single source of truth: types come from `z.infer`, `schema/release-config.schema.json` is
 * generated from it (`model-release schema`) and a test keeps the committed copy in sync.
 *
 * Paths in the file are relative to the file's own folder.
 */

const semverRange = /^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

/** `owner/name`, as the Hub and GitHub both spell repository ids. */
export const repoIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,95}\/[A-Za-z0-9][A-Za-z0-9._-]{0,95}$/, {
  message: "must be 'owner/name' (letters, digits, '.', '_', '-')",
});

/** A version tag template; the same rules for model and dataset releases. */
export const tagFormatSchema = z
  .string()
  .regex(/\{version\}/, { message: "must contain {version}" })
  .default("v{version}")
  .describe("Tag name template: 'v{version}' or '{name}-v{version}'.");

/** A reason must be written out: an override without one is how secrets get published. */
const reasonSchema = z.string().trim().min(10, { message: "write the reason out (at least 10 characters)" });

export const sanitizeOverrideSchema = z
  .strictObject({
    path: z.string().min(1).describe("Checkpoint-relative path or glob of the file to publish anyway."),
    reason: reasonSchema.describe("Why this file is safe to publish; recorded in the manifest."),
  })
  .describe("Publish a file that the allowlist policy would otherwise block.");

export const patternSchema = z
  .strictObject({
    name: z.string().min(1).describe("Rule name shown in findings, e.g. 'customer-name'."),
    values: z
      .array(z.string().min(2))
      .optional()
      .describe(
        "Literal values to find: case-insensitive, after Unicode folding, with '_', '-', '.' and spaces between words interchangeable. List Latin and Hangul spellings alike.",
      ),
    regex: z.string().optional().describe("A JavaScript regular expression to find."),
    severity: z.enum(["block", "warn"]).default("block"),
  })
  .refine((p) => p.values !== undefined || p.regex !== undefined, { message: "give 'values' or 'regex'" })
  .describe("A project-specific sensitive pattern: customer, plant and line names, part numbers.");

export const sanitizeSchema = z
  .strictObject({
    allow: z
      .array(sanitizeOverrideSchema)
      .default([])
      .describe("Files to publish although the policy would block them."),
    drop: z
      .array(sanitizeOverrideSchema)
      .default([])
      .describe("Files to drop although the policy would publish or block them."),
    patterns: z.array(patternSchema).default([]).describe("Project-specific sensitive patterns, scanned everywhere."),
    internal_domains: z
      .array(
        z
          .string()
          .trim()
          .regex(/^(?:\*?\.)?[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/, {
            message: "must be a DNS suffix, e.g. 'corp.example.com'",
          }),
      )
      .optional()
      .describe(
        "DNS suffixes that are internal (e.g. 'hmg-ai.co.kr'): every host name under them is a finding, even under a public suffix.",
      ),
    scan_budget: z
      .strictObject({
        inflated_mib_per_file: z
          .number()
          .positive()
          .optional()
          .describe("MiB inflated from zip members and gzip streams in one file (default 64)."),
        inflated_mib_per_checkpoint: z
          .number()
          .positive()
          .optional()
          .describe("MiB inflated across the checkpoint (default 256)."),
        minutes_per_file: z.number().positive().optional().describe("Scan time for one file (default 10)."),
        minutes_per_checkpoint: z
          .number()
          .positive()
          .optional()
          .describe("Scan time for the whole checkpoint (default 60)."),
      })
      .optional()
      .describe(
        "Resource budgets of the scan. A file that exceeds one is blocked (scan-budget-exceeded): what was not scanned may hold anything. Raise a budget for a legitimately large archive.",
      ),
    allow_findings: z
      .array(z.strictObject({ rule: z.string(), path: z.string().optional(), reason: reasonSchema }))
      .default([])
      .describe("Findings that are accepted, each with a written reason (for example a public e-mail in a licence)."),
  })
  .describe("Overrides of the fail-closed sanitize policy. Every override needs a written reason.");

export const evalsSchema = z
  .strictObject({
    results: z
      .array(z.string())
      .default([])
      .describe(
        "Evaluation result files of this release (lm-eval results_*.json, lighteval, OpenCompass, or plain YAML).",
      ),
    base: z.array(z.string()).default([]).describe("The same benchmarks run on the base model."),
    previous: z.array(z.string()).default([]).describe("The same benchmarks of the previous release."),
    previous_version: z.string().optional().describe("Version label of the previous release, for the card."),
    regression_threshold: z
      .number()
      .min(0)
      .max(1)
      .default(0.01)
      .describe(
        "Largest allowed drop against the previous release, as a fraction of the metric's range (0.01 = one point).",
      ),
    hub_benchmarks: z
      .record(
        z.string(),
        z.strictObject({
          dataset: z.string(),
          task_id: z.string(),
          metric: z.string().optional().describe("Which metric to publish; default the first."),
        }),
      )
      .default({})
      .describe(
        "Benchmarks registered on the Hub (allow-listed benchmark datasets), by benchmark name: written to .eval_results/<name>.yaml.",
      ),
  })
  .describe("Evaluation inputs.");

export const cardSchema = z
  .looseObject({
    family: z
      .enum(["code-conversion-llm", "vision-language-inspection", "vision-backbone", "generic"])
      .default("generic")
      .describe("Card template in model-cards/."),
    languages: z
      .array(z.enum(["en", "ko"]))
      .default(["en"])
      .describe("Card languages; en renders README.md, ko README.ko.md."),
    summary: z.string().optional().describe("One-paragraph summary at the top of the card."),
    developers: z.array(z.string()).default([]),
    funded_by: z.string().optional(),
    language: z.array(z.string()).default(["en"]).describe("Languages the model handles (ISO 639-1)."),
    datasets: z.array(z.string()).default([]).describe("Hub dataset ids the model was trained on."),
    tags: z.array(z.string()).default([]),
    model_type: z
      .string()
      .optional()
      .describe("One line on the architecture, e.g. 'Mixture-of-experts decoder (117B total, 5.1B active)'."),
    users: z.string().optional().describe("Primary intended users, e.g. 'robot programmers and integrators'."),
    intended_uses: z.array(z.string()).default([]).describe("Direct uses (card 'Uses / Direct Use')."),
    downstream_uses: z
      .array(z.string())
      .default([])
      .describe("Downstream uses, when fine-tuned further or plugged into a system."),
    out_of_scope: z.array(z.string()).default([]).describe("Out-of-scope and forbidden uses."),
    limitations: z.array(z.string()).default([]).describe("Known biases, risks and limitations."),
    recommendations: z.array(z.string()).default([]).describe("What users should do about the limitations."),
    source_formats: z
      .array(z.string())
      .default([])
      .describe("code-conversion-llm: input dialects with versions, e.g. 'Hyundai Hi5 JOB (format 1.6)'."),
    target_formats: z
      .array(z.string())
      .default([])
      .describe("code-conversion-llm: output languages with versions, e.g. 'Doosan DRL (DRCF v2.12)'."),
    robots: z.array(z.string()).default([]).describe("Robot and controller models covered by the training data."),
    defect_classes: z
      .array(z.string())
      .default([])
      .describe("vision-language-inspection: defect classes the model names; per-class results are expected."),
    capture_setup: z.string().optional().describe("vision models: cameras, lighting and lines the images come from."),
    example_image: z
      .string()
      .optional()
      .describe(
        "vision models: image file (relative to this file) shipped as assets/<name> and used, pinned to the release tag, by the inference examples.",
      ),
    example_image_url: z
      .string()
      .url()
      .optional()
      .describe("vision models: an external image for the examples, when none is shipped (example_image wins)."),
    training_data: z
      .strictObject({
        description: z.string().min(1),
        sources: z.array(z.string()).default([]),
        collection_period: z.string().optional(),
        splits: z.string().optional().describe("How train and held-out sets were split, e.g. by customer cell."),
      })
      .optional(),
    evaluation: z
      .strictObject({
        testing_data: z.string().optional(),
        factors: z
          .array(z.string())
          .default([])
          .describe("Disaggregation factors: robot model, program length, camera, lighting."),
      })
      .optional(),
    citation: z.strictObject({ bibtex: z.string().optional(), apa: z.string().optional() }).optional(),
    contact: z.string().optional().describe("Where to report problems with the model or the card."),
    ko: z
      .strictObject({
        summary: z.string().optional(),
        model_type: z.string().optional(),
        users: z.string().optional(),
        intended_uses: z.array(z.string()).optional(),
        downstream_uses: z.array(z.string()).optional(),
        out_of_scope: z.array(z.string()).optional(),
        limitations: z.array(z.string()).optional(),
        recommendations: z.array(z.string()).optional(),
        capture_setup: z.string().optional(),
        training_data: z.string().optional().describe("Korean training data description."),
        collection_period: z.string().optional(),
        splits: z.string().optional(),
        testing_data: z.string().optional(),
        factors: z.array(z.string()).optional(),
      })
      .optional()
      .describe("Korean text of the free-text fields, for README.ko.md; facts and numbers come from the same data."),
  })
  .describe("Inputs of the model card; the family template says which further keys it reads.");

export const githubSchema = z
  .strictObject({
    repo: repoIdSchema.describe("GitHub repository 'owner/name' for the code and the release."),
    create: z
      .boolean()
      .default(false)
      .describe("Create the repository when it does not exist (otherwise a missing repository fails the preflight)."),
    code: z
      .strictObject({
        remote: z.string().optional().describe("Git remote URL to push code to; default the GitHub repo."),
        source: z.string().default(".").describe("Folder with the training and inference code, relative to this file."),
        paths: z.array(z.string()).default([]).describe("Allowlist of paths (globs) under source to publish."),
        branch: z.string().default("main"),
        notebook_outputs: z
          .enum(["strip", "keep"])
          .default("strip")
          .describe(
            "Outputs of exported Jupyter notebooks: 'strip' (default; outputs hold paths, hosts and tokens) or 'keep' (published, scanned like code).",
          ),
      })
      .optional(),
  })
  .describe("Where the code and the GitHub release go.");

export const hubSchema = z
  .strictObject({
    repo: repoIdSchema.describe("Hugging Face model repo id 'org/name'."),
    private: z.boolean().default(false),
  })
  .describe("Where the weights go on the Hugging Face Hub.");

export const releaseConfigSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]*$/, { message: "use lower-case letters, digits and '-'" })
      .describe("Short release name, used in tags ({name}) and messages."),
    description: z.string().optional(),
    checkpoint: z.string().min(1).describe("Checkpoint folder, relative to this file; --checkpoint overrides."),
    base_model: z.string().min(1).describe("Hub id of the base model, e.g. openai/gpt-oss-120b."),
    base_model_relation: z.enum(["finetune", "adapter", "merge", "quantized"]).default("finetune"),
    task: z
      .string()
      .min(1)
      .describe("Hub pipeline tag, e.g. text-generation, image-text-to-text, image-feature-extraction."),
    library_name: z.string().default("transformers").describe("Hub library name, e.g. transformers, peft."),
    license: z.string().default("apache-2.0").describe("SPDX-style licence id as the Hub spells it."),
    hub: hubSchema,
    github: githubSchema.optional(),
    tag_format: tagFormatSchema,
    card: cardSchema.prefault({}),
    evals: evalsSchema.optional(),
    sanitize: sanitizeSchema.default({ allow: [], drop: [], patterns: [], allow_findings: [] }),
    training: z
      .looseObject({
        gpu: z.string().optional().describe("Accelerator type, e.g. NVIDIA B200."),
        gpu_count: z.number().int().positive().optional(),
        hours: z.number().positive().optional().describe("Wall-clock training hours."),
        gpu_power_watts: z.number().positive().optional(),
        grid_carbon_intensity: z.number().nonnegative().optional().describe("kg CO2eq per kWh of the grid."),
        region: z.string().optional(),
        pue: z.number().min(1).optional().describe("Data-centre power usage effectiveness; 1 when unknown."),
        cloud_provider: z.string().optional(),
        training_type: z.enum(["fine-tuning", "pre-training"]).default("fine-tuning"),
        software: z
          .string()
          .optional()
          .describe(
            "Training software with versions, for the card's technical specifications, e.g. 'PyTorch 2.8, TRL 0.23'.",
          ),
        hyperparameters: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
      })
      .optional()
      .describe("Public facts about training, for the card's compute and procedure sections."),
  })
  .describe("A model-release release config.");

export type ReleaseConfig = z.infer<typeof releaseConfigSchema>;
export type ReleaseConfigInput = z.input<typeof releaseConfigSchema>;
export type SanitizeConfig = z.infer<typeof sanitizeSchema>;
export type EvalsConfig = z.infer<typeof evalsSchema>;
export type CardConfig = z.infer<typeof cardSchema>;

/** True when `value` looks like a semver version (with optional leading v). */
export const looksLikeVersion = (value: string) => semverRange.test(value);
