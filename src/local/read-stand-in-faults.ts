import { readFile } from "node:fs/promises";
import { z } from "zod";
import { parseYamlWithSchema } from "../config/parse-yaml-with-schema.js";
import { usageError } from "../errors.js";
import type { StandInFaults } from "./start-local-stand-ins.js";

const faultRuleSchema = z.strictObject({
  method: z
    .string()
    .regex(/^[A-Za-z]+$/)
    .optional(),
  path: z
    .string()
    .min(1)
    .refine((s) => {
      try {
        new RegExp(s);
        return true;
      } catch {
        return false;
      }
    }, "must be a valid regular expression"),
  nth: z.number().int().min(1).optional(),
  count: z.number().int().min(1).optional(),
  action: z.discriminatedUnion("kind", [
    z.strictObject({
      kind: z.literal("status"),
      status: z.union([z.literal(429), z.literal(500), z.literal(502), z.literal(503)], {
        error: "must be 429, 500, 502 or 503",
      }),
      retryAfterSeconds: z.number().int().min(0).optional(),
    }),
    z.strictObject({ kind: z.literal("drop") }),
    // A minute at most: a longer delay is a hang, and the test timeout would hide the cause.
    z.strictObject({ kind: z.literal("delay"), ms: z.number().int().min(0).max(60_000) }),
    z.strictObject({ kind: z.literal("corrupt") }),
  ]),
});

/** `{hub?: FaultRule[], github?: FaultRule[]}`, as `serve --faults` reads it (JSON or YAML). */
export const standInFaultsSchema = z.strictObject({
  hub: z.array(faultRuleSchema).optional(),
  github: z.array(faultRuleSchema).optional(),
});

const HINT =
  'write {"github": [{"path": "^/api/v3/user$", "nth": 1, "action": {"kind": "status", "status": 500}}], "hub": [...]}';

/** Parses a faults file's text; pure. @throws ReleaseError `CONFIG_INVALID` with line and field. */
export function parseStandInFaults(text: string, file: string): StandInFaults {
  return parseYamlWithSchema({ text, file, schema: standInFaultsSchema, hint: HINT }) as StandInFaults;
}

/** Reads and parses a faults file. @throws ReleaseError `FAULTS_UNREADABLE` or `CONFIG_INVALID`. */
export async function readStandInFaults(file: string): Promise<StandInFaults> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    throw usageError("FAULTS_UNREADABLE", `cannot read the faults file ${file}: ${(err as Error).message}`, {
      hint: "pass the path of a JSON or YAML file with fault rules",
      location: { file },
    });
  }
  return parseStandInFaults(text, file);
}
