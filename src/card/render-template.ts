/**
 * The card template language: `{{name}}`, `{{#name}} … {{/name}}` (kept when `name` is
 * non-empty) and `{{> partial}}`. Deliberately tiny: no escaping (values are Markdown), no loops
 * (lists are rendered in TypeScript). Unknown names stay in the output as `{{name}}`, so the
 * placeholder check in `checkCard` catches typos instead of rendering an empty string.
 */

/** Include depth bound: a partial that includes itself would otherwise loop forever. */
const MAX_PARTIAL_DEPTH = 8;

/** Renders a template. Pure: partials come from `readPartial`. */
export function renderTemplate(params: {
  template: string;
  vars: Record<string, string | undefined>;
  readPartial: (name: string) => string;
}): string {
  const { vars, readPartial } = params;
  const expand = (text: string, depth: number): string =>
    text.replace(/\{\{>\s*([\w./-]+)\s*\}\}/g, (_m, name: string) => {
      if (depth >= MAX_PARTIAL_DEPTH)
        throw new Error(`card template partials nested deeper than ${MAX_PARTIAL_DEPTH} (at ${name})`);
      return expand(readPartial(name).replace(/\n+$/, ""), depth + 1);
    });
  let out = expand(params.template, 0);
  // Sections, innermost first is not needed: section names are unique within a card.
  out = out.replace(/\{\{#(\w+)\}\}([\s\S]*?)\{\{\/\1\}\}/g, (_m, name: string, body: string) => {
    const v = vars[name];
    return v !== undefined && v.trim() !== "" ? body : "";
  });
  out = out.replace(/\{\{(\w+)\}\}/g, (m, name: string) => {
    const v = vars[name];
    return v === undefined ? m : v;
  });
  // Empty optional values leave runs of blank lines behind.
  return out.replace(/\n{3,}/g, "\n\n").replace(/\s+$/, "\n");
}
