import type { Finding } from "../findings.js";

/** Text that means someone forgot to fill something in. */
const PLACEHOLDERS: { re: RegExp; what: string }[] = [
  { re: /\{\{[^}\n]{0,60}\}\}/g, what: "template placeholder" },
  { re: /\[More Information Needed\]/gi, what: "Hub template placeholder" },
  { re: /\b(TODO|TBD|FIXME|XXX)\b/g, what: "unfinished marker" },
  { re: /<(your|insert|fill)[ _-][^>\n]{0,40}>/gi, what: "fill-in placeholder" },
];

/**
 * Checks a rendered card: no placeholders, no empty sections. Pure.
 *
 * Every heading of the rendered card is required (optional sections are dropped by the template
 * when their value is empty), so a heading followed by nothing, up to the next heading of the same
 * or a higher level, is an empty required section.
 *
 * @returns blocking findings `card-placeholder` and `card-empty-section`, with line numbers.
 */
export function checkCard(params: { file: string; markdown: string }): Finding[] {
  const { file, markdown } = params;
  const findings: Finding[] = [];
  const lines = markdown.split("\n");
  // Skip the YAML front matter: its keys are data, checked elsewhere.
  let start = 0;
  if (lines[0] === "---") {
    const end = lines.indexOf("---", 1);
    if (end > 0) start = end + 1;
  }
  for (let i = start; i < lines.length; i++) {
    for (const { re, what } of PLACEHOLDERS) {
      for (const m of lines[i]!.matchAll(re)) {
        findings.push({
          rule: "card-placeholder",
          severity: "block",
          file,
          line: i + 1,
          column: (m.index ?? 0) + 1,
          excerpt: m[0],
          message: `${what} ${m[0]} left in the card; fill it in through the release config's card section`,
        });
      }
    }
  }
  const headings: { line: number; level: number; text: string }[] = [];
  let inFence = false;
  for (let i = start; i < lines.length; i++) {
    const l = lines[i]!;
    if (/^(```|~~~)/.test(l)) inFence = !inFence;
    const m = !inFence && /^(#{1,6})\s+(.*)$/.exec(l);
    if (m) headings.push({ line: i, level: m[1]!.length, text: m[2]!.trim() });
  }
  headings.forEach((h, k) => {
    const next = headings.slice(k + 1).find((o) => o.level <= h.level);
    const body = lines
      .slice(h.line + 1, next ? next.line : lines.length)
      .join("\n")
      .replace(/<!--[\s\S]*?-->/g, "");
    if (body.trim() === "") {
      findings.push({
        rule: "card-empty-section",
        severity: "block",
        file,
        line: h.line + 1,
        message: `section "${h.text}" is empty; give it content through the release config's card section`,
      });
    }
  });
  return findings;
}
