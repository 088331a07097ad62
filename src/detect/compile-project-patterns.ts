import { escapeRegExp } from "./rule-helpers.js";
import type { Rule, SecretPattern } from "./types.js";

/** Format characters (zero-width space/joiner, BOM, soft hyphen, bidi marks) vanish in folding. */
const FORMAT_CHARS = /\p{Cf}/gu;

/** How a config value is matched: NFKC, no format characters, words joined by any separator or none. */
function valueSource(value: string): string | undefined {
  const folded = value.normalize("NFKC").replace(FORMAT_CHARS, "");
  const words = folded.split(/[\s_.\-·]+/u).filter((w) => w.length > 0);
  if (words.length === 0) return undefined;
  // `Kanary Motors` also finds `KANARY_MOTORS`, `kanary-motors`, `KanaryMotors`, `Kanary\tMotors`.
  // A value that ends in a full stop (`Co., Ltd.`) takes it along when the text has it, so the
  // whole value, not the value less its dot, is what gets replaced (and keyed).
  return words.map(escapeRegExp).join("[\\s_.\\-·]*") + (folded.trimEnd().endsWith(".") ? "\\.?" : "");
}

// Patterns with nested quantifiers on unbounded input can take exponential time; the config's
// regexes are run on bounded slices (see scanners) and compiled once, failures reported as usage errors.
export function compileProjectPatterns(patterns: readonly SecretPattern[]): Rule[] {
  const out: Rule[] = [];
  for (const p of patterns) {
    const severity = p.severity ?? "block";
    const message = `project pattern '${p.name}'`;
    if (p.values && p.values.length > 0) {
      const alts = [...new Set(p.values.map(valueSource).filter((s): s is string => s !== undefined))].sort(
        (a, b) => b.length - a.length,
      );
      if (alts.length > 0)
        out.push({ id: p.name, family: "project", severity, message, re: new RegExp(alts.join("|"), "giu") });
    }
    if (p.regex !== undefined)
      out.push({ id: p.name, family: "project", severity, message, re: compileUserRegex(p.regex) });
  }
  return out;
}

/** Compiles a config regex (`/body/flags` or a bare body) with the global flag. Throws SyntaxError. */
export function compileUserRegex(source: string): RegExp {
  const m = /^\/(.*)\/([a-z]*)$/s.exec(source);
  const body = m ? m[1]! : source;
  const flags = new Set((m ? m[2]! : "").split(""));
  flags.add("g");
  flags.delete("y");
  return new RegExp(body, [...flags].join(""));
}
