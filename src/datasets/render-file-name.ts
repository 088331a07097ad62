import type { RedactionRules } from "./compile-redaction-rules.js";
import type { Pseudonymizer } from "./create-pseudonymizer.js";
import type { RedactionConfig } from "./dataset-config-schema.js";
import { redactFreeText, type RedactionHit } from "./redact-program.js";

/**
 * A program file name as published: a keyed pseudonym with the extension (default), the name with
 * found values replaced, or nothing. Names carry customers and sites (`VANTOR_PICK_10.1.2.3.job`),
 * in forms no rule can be sure of, so by default none of the name survives. Pure.
 */
export function renderFileName(params: {
  name: string;
  mode: RedactionConfig["file_names"];
  rules: RedactionRules;
  pseudonymizer: Pseudonymizer;
}): { text: string; hits: RedactionHit[] } {
  const { name, mode, rules, pseudonymizer } = params;
  if (mode === "redact") return redactFreeText({ text: name, rules, pseudonymizer });
  if (mode === "drop") return { text: "", hits: [] };
  const ext = /\.(?:job|drl|py|txt)$/i.exec(name)?.[0] ?? "";
  return {
    text: `${pseudonymizer.identifier("file", name)}${ext}`,
    hits: [{ rule: "file-name", category: "PROGRAM_ID" }],
  };
}
