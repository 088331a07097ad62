import { hasLiteral, hasLiteralAnyCase } from "./text-has.js";
import { classifyCredentialKey, isCredentialValue } from "./classify-credential-key.js";
import { identifierBefore, isRandomLooking } from "./rule-helpers.js";
import type { Rule } from "./types.js";

/**
 * Rules that need the key next to the value, in source text: `.env`, YAML, INI, JSON as text,
 * Python `os.environ["KEY"] = "…"`, shell `export KEY=…`, Makefile `KEY := …`. Structured data
 * whose keys and values are already separated goes through `detectAssignment` instead, which
 * applies the same key classification.
 */

// `KEY"] = `, `"key": `, `key => `, `KEY := `, `KEY ?= `: quotes and a closing bracket may sit
// between the key and the operator.
const SEP = String.raw`["'\]\x60]*\s*(?::{1,3}=|\?=|=>|[:=])\s*`;
// A quoted value (spaces allowed, judged by `isCredentialValue`) or an unquoted one.
const VALUE = String.raw`(?:"([^"\n]{1,512})"|'([^'\n]{1,512})'|\x60([^\x60\n]{1,512})\x60|([^\s"'\x60,;}\])<>]{1,512}))`;

export const ASSIGNMENT_RULES: Rule[] = [
  {
    id: "wandb-api-key",
    family: "wandb",
    severity: "block",
    message: "Weights & Biases API key",
    gate: (t) => hasLiteralAnyCase(t, "wandb", /wandb/i),
    // W&B keys have no vendor prefix (`check_api_key`: optional `<prefix>-`, then >= 40 word chars), so only in context.
    re: /(?:wandb[_-]?(?:api[_-]?)?key|wandb\.login\(\s*key)["'\]]*\s*(?::|=)?\s*["']?((?:[A-Za-z0-9]+-)?\w{40,})/gi,
    group: 1,
  },
  {
    id: "wandb-api-key",
    family: "wandb",
    severity: "block",
    message: "Weights & Biases API key in a netrc entry",
    gate: (t) => hasLiteralAnyCase(t, "api.wandb.ai", /api\.wandb\.ai/i),
    re: /machine\s+api\.wandb\.ai\s+(?:login\s+\S+\s+)?password\s+((?:[A-Za-z0-9]+-)?\w{40,})/gi,
    group: 1,
  },
  {
    id: "comet-api-key",
    family: "comet",
    severity: "block",
    message: "Comet API key",
    gate: (t) => hasLiteralAnyCase(t, "comet", /comet/i),
    re: /comet(?:[_.-]?ml)?[_.-]?(?:api[_-]?)?key["'\]]*\s*(?::|=)\s*["']?([A-Za-z0-9]{20,})/gi,
    group: 1,
  },
  {
    id: "neptune-api-token",
    family: "neptune",
    severity: "block",
    message: "Neptune API token",
    gate: (t) => hasLiteralAnyCase(t, "neptune", /neptune/i),
    re: /neptune[_.-]?api[_-]?token["'\]]*\s*(?::|=)\s*["']?([A-Za-z0-9+/=]{40,})/gi,
    group: 1,
  },
  {
    id: "aws-secret-access-key",
    family: "aws",
    severity: "block",
    message: "AWS secret access key",
    gate: (t) => hasLiteral(t, "ecret") || hasLiteral(t, "ECRET"),
    re: /(?:aws_?secret_?(?:access_?)?key|secret_?access_?key)["'\]]*\s*(?::|=>|=)\s*["']?([A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])/gi,
    group: 1,
    accept: (v) => !v.includes("EXAMPLE") && isRandomLooking(v, 3.5),
  },
  {
    id: "password-assignment",
    family: "generic",
    severity: "block",
    message: "credential assigned in clear text",
    gate: (t) => t.includes(":") || t.includes("="),
    // The keyword and the separator: `tokens 4096` (every line of a training log) is no hit.
    anchor:
      /(?:pass(?:w(?:or)?d|phrase|code)?|pwd|secrets?|key|tokens?|cred(?:ential)?s?|auth(?:orization)?|bearer|pat)["'\]\x60]*\s*(?::{1,3}=|\?=|=>|[:=])/gi,
    // Starts at the keyword (a literal alternation is fast to search); the rest of the key name
    // is read backwards in `accept`, which classifies it (`classifyCredentialKey`).
    re: new RegExp(
      `(pass(?:w(?:or)?d|phrase|code)?|pwd|secrets?|key|tokens?|cred(?:ential)?s?|auth(?:orization)?|bearer|pat)${SEP}${VALUE}`,
      "gi",
    ),
    group: [2, 3, 4, 5],
    accept: (value, m, text) => {
      const key = identifierBefore(text, m.index) + m[1]!;
      // The keyword must end the key: `pass` in `passage_id: 7` is not a key name.
      const after = text[m.index + m[1]!.length];
      if (after !== undefined && /[A-Za-z0-9_]/.test(after)) return false;
      const kind = classifyCredentialKey(key);
      return kind !== undefined && isCredentialValue(kind, value);
    },
  },
];
