import { z } from "zod";
import { repoIdSchema, tagFormatSchema } from "../config/schema.js";

/**
 * The dataset release config: `datasets/<name>/dataset.yaml`. One zod schema is the truth: types
 * come from `z.infer`, the JSON Schema comes from `renderDatasetConfigJsonSchema`. Paths are
 * relative to the YAML file's folder.
 */

/** Size buckets the Hub accepts in `size_categories` (huggingface_hub `DatasetCardData`). */
export const SIZE_CATEGORIES = [
  "n<1K",
  "1K<n<10K",
  "10K<n<100K",
  "100K<n<1M",
  "1M<n<10M",
  "10M<n<100M",
  "100M<n<1B",
  "1B<n<10B",
  "10B<n<100B",
  "100B<n<1T",
  "n>1T",
] as const;

/** What a placeholder says the value was: `<CUSTOMER_1a2b3c4d>`. */
export const REDACTION_CATEGORIES = [
  "CUSTOMER",
  "PLANT",
  "LINE",
  "PART",
  "PERSON",
  "ORG",
  "IP",
  "EMAIL",
  "HOST",
  "SERIAL",
  "PATH",
  "DATE",
  "PHONE",
  "NATIONAL_ID",
  "PROGRAM_ID",
  "CYCLE_TIME",
  "ROBOT_MODEL",
  "SECRET",
  "URL",
] as const;
export type RedactionCategory = (typeof REDACTION_CATEGORIES)[number];

const globList = z.array(z.string().min(1)).default([]);

const encodingSchema = z
  .enum(["auto", "utf-8", "euc-kr"])
  .default("auto")
  .describe(
    "Text encoding of the programs: 'auto' reads strict UTF-8 and falls back to EUC-KR/CP949 (older Hyundai controllers) when the bytes are valid in it; 'utf-8' or 'euc-kr' force one.",
  );

export const datasetSourceSchema = z
  .discriminatedUnion("kind", [
    z.strictObject({
      kind: z
        .literal("pairs")
        .describe(
          "A folder with one sub-folder per pair: one Hyundai job file (NNNN.JOB or *.job) and one DRL program (*.drl).",
        ),
      path: z.string().min(1).describe("Folder of pairs, relative to this file."),
      encoding: encodingSchema,
    }),
    z.strictObject({
      kind: z
        .literal("jsonl")
        .describe("A JSON Lines file, one pair per line; the field mapping says which keys hold what."),
      path: z.string().min(1).describe("JSONL file, relative to this file."),
      encoding: encodingSchema,
    }),
  ])
  .describe("Where the training pairs come from.");

export const fieldMappingSchema = z
  .strictObject({
    id: z
      .string()
      .default("id")
      .describe("Output field with the record id (a keyed hash of the source id, never the file path)."),
    hyundai_program: z
      .string()
      .default("hyundai_program")
      .describe("Output field with the redacted Hyundai program text."),
    hyundai_dialect: z.string().default("hyundai_dialect").describe("Output field with 'hi5-job' or 'hi6-job'."),
    hyundai_file: z.string().default("hyundai_file").describe("Output field with the (redacted) Hyundai file name."),
    drl_program: z.string().default("drl_program").describe("Output field with the redacted DRL program text."),
    drl_file: z.string().default("drl_file").describe("Output field with the (redacted) DRL file name."),
    source: z
      .strictObject({
        id: z.string().default("id"),
        hyundai_program: z.string().default("hyundai_program"),
        hyundai_file: z.string().default("hyundai_file"),
        drl_program: z.string().default("drl_program"),
        drl_file: z.string().default("drl_file"),
      })
      .default({
        id: "id",
        hyundai_program: "hyundai_program",
        hyundai_file: "hyundai_file",
        drl_program: "drl_program",
        drl_file: "drl_file",
      })
      .describe("Keys of a JSONL source record (ignored for a pairs folder)."),
  })
  .describe("Names of the fields in the published records, and of the keys read from a JSONL source.");

const listSchema = z.array(z.string().trim().min(2)).default([]);

export const redactionPatternSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]*$/, { message: "use lower-case letters, digits and '-'" })
      .describe("Rule name in the redaction report."),
    category: z.enum(REDACTION_CATEGORIES).describe("Placeholder category, e.g. PART for <PART_1a2b3c4d>."),
    values: z.array(z.string().min(2)).optional().describe("Literal values (case-insensitive, whole words)."),
    regex: z.string().optional().describe("A JavaScript regular expression; the whole match is redacted."),
  })
  .refine((p) => p.values !== undefined || p.regex !== undefined, { message: "give 'values' or 'regex'" })
  .refine(
    (p) => {
      if (p.regex === undefined) return true;
      try {
        new RegExp(p.regex, "gu");
        return true;
      } catch {
        return false;
      }
    },
    { message: "not a valid JavaScript regular expression", path: ["regex"] },
  );

export const redactionSchema = z
  .strictObject({
    customers: listSchema.describe("Customer names, redacted as CUSTOMER wherever they occur."),
    plants: listSchema.describe("Plant and site names (PLANT)."),
    lines: listSchema.describe("Production line and cell names (LINE)."),
    people: listSchema.describe("Operator, integrator and engineer names known to the project (PERSON)."),
    part_number_patterns: z
      .array(z.string())
      .default([])
      .describe("Regular expressions of the project's part numbers (PART)."),
    patterns: z.array(redactionPatternSchema).default([]).describe("Further project rules."),
    disable: z.array(z.string()).default([]).describe("Built-in rule names to switch off, e.g. 'robot-model'."),
    comments: z
      .strictObject({
        mode: z
          .enum(["redact", "allowlist"])
          .default("redact")
          .describe(
            "'redact': replace what the rules find in comments; 'allowlist': drop every comment that matches none of `keep` (comments are where people write names no list knows), then redact the rest.",
          ),
        keep: z
          .array(z.string())
          .default([])
          .describe("Regular expressions of comments to keep in allowlist mode; the whole trimmed comment must match."),
      })
      .default({ mode: "redact", keep: [] })
      .describe("What happens to comments."),
    file_names: z
      .enum(["pseudonymize", "redact", "drop"])
      .default("pseudonymize")
      .describe(
        "Program file names in the records: 'pseudonymize' (a keyed hash with the extension, default), 'redact' (the name with found values replaced) or 'drop' (no file name fields).",
      ),
    robot_model: z
      .boolean()
      .default(false)
      .describe("Also redact the robot model in job headers (mech_type). Off: the model is catalogue data."),
  })
  .describe("Redaction rules on top of the built-in format-aware rules and the sanitizer's detectors.");

export const splitSchema = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9_]*$/, { message: "use lower-case letters, digits and '_'" }),
  fraction: z.number().gt(0).lte(1),
});

export const datasetConfigSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]*$/, { message: "use lower-case letters, digits and '-'" })
      .describe("Short dataset name, used in tags ({name}) and messages."),
    version: z
      .string()
      .regex(/^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/, { message: "must be a semver version such as 1.0.0" })
      .optional()
      .describe("Version of this release of the data; --version overrides."),
    pretty_name: z.string().min(3).describe("Human title on the dataset card (pretty_name)."),
    summary: z.string().min(10).describe("One paragraph at the top of the card."),
    source: datasetSourceSchema,
    include: globList.describe("Source ids (pair folder names or JSONL ids) to include, as globs; empty = all."),
    exclude: globList.describe("Source ids to leave out, as globs; wins over include."),
    sample: z
      .strictObject({
        fraction: z.number().gt(0).lte(1).describe("Fraction of the included records to publish."),
        seed: z
          .union([z.string().min(1), z.number().int()])
          .describe("Seed of the deterministic selection; the same seed selects the same records."),
      })
      .default({ fraction: 1, seed: 0 })
      .describe("The partial release: a seeded, order-independent sample."),
    splits: z
      .array(splitSchema)
      .min(1)
      .default([{ name: "train", fraction: 1 }])
      .refine((s) => Math.abs(s.reduce((a, b) => a + b.fraction, 0) - 1) < 1e-9, {
        message: "split fractions must add up to 1",
      })
      .refine((s) => new Set(s.map((x) => x.name)).size === s.length, { message: "split names must be unique" })
      .describe("Splits and their fractions, assigned by a seeded hash of the record id."),
    fields: fieldMappingSchema.default({
      id: "id",
      hyundai_program: "hyundai_program",
      hyundai_dialect: "hyundai_dialect",
      hyundai_file: "hyundai_file",
      drl_program: "drl_program",
      drl_file: "drl_file",
      source: {
        id: "id",
        hyundai_program: "hyundai_program",
        hyundai_file: "hyundai_file",
        drl_program: "drl_program",
        drl_file: "drl_file",
      },
    }),
    redaction: redactionSchema.default({
      customers: [],
      plants: [],
      lines: [],
      people: [],
      part_number_patterns: [],
      patterns: [],
      disable: [],
      comments: { mode: "redact", keep: [] },
      file_names: "pseudonymize",
      robot_model: false,
    }),
    format: z
      .enum(["jsonl", "parquet"])
      .default("jsonl")
      .describe(
        "File format of the split files: JSON Lines (readable, diffable) or Parquet (hyparquet-writer, compressed; the Hub viewer reads both).",
      ),
    license: z.string().default("apache-2.0").describe("Licence id as the Hub spells it."),
    language: z
      .array(z.string().min(2))
      .default(["en"])
      .describe("Languages of the comments (ISO 639-1), plus 'code' if wanted."),
    task_categories: z.array(z.string()).default(["text-generation"]).describe("Hub task categories (pipeline tags)."),
    tags: z.array(z.string()).default([]),
    curators: z.array(z.string()).default([]).describe("Who prepared the release (card: Curated by)."),
    funded_by: z.string().optional(),
    card: z
      .strictObject({
        provenance: z.string().optional().describe("Where the programs come from (customers, projects, synthetic)."),
        legal_basis: z
          .string()
          .optional()
          .describe("Why they may be published: consent, contract clause, or no personal data (synthetic)."),
        terms_of_use: z.string().optional().describe("Terms a user of the data accepts, beyond the licence."),
        removal: z.string().optional().describe("How a customer or person asks for a record to be removed."),
        model: z.string().optional().describe("Hub id of the model trained on this data, linked from the card."),
        citation: z.string().optional().describe("BibTeX of the dataset; default a @misc entry with the Hub URL."),
      })
      .optional()
      .describe("Dataset card text that only the data owner can state."),
    planted: z
      .string()
      .optional()
      .describe(
        "JSON file (relative to this file) of sensitive test values planted in the source; the card reports the measured redaction recall on them.",
      ),
    hub: z.strictObject({
      repo: repoIdSchema.describe("Hugging Face dataset repo 'org/name'."),
      private: z.boolean().default(false),
    }),
    tag_format: tagFormatSchema,
  })
  .describe("A model-release dataset release config (datasets/<name>/dataset.yaml).");

export type DatasetConfig = z.infer<typeof datasetConfigSchema>;
export type DatasetConfigInput = z.input<typeof datasetConfigSchema>;
export type RedactionConfig = z.infer<typeof redactionSchema>;
export type FieldMapping = z.infer<typeof fieldMappingSchema>;
