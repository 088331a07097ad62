/** Characters JSON.stringify does not escape but that must not reach a terminal or a log raw. */
export const INVISIBLE_CHARS =
  /[\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]/g;
/** Everything `escapeControlChars` writes as a visible escape: C0 controls too. */
const UNSAFE =
  /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]/g;
const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/**
 * `text` with every control, format, bidi and zero-width character written as a visible escape
 * (`\n`, `\x1b`, `\u202e`), so nothing printed can move the cursor, recolour a terminal, reorder
 * what a reader sees or hide a character. The one escaper of the code base: finding excerpts
 * (`renderExcerptOf`) and everything printed (`renderSafeText`) go through it.
 *
 * `multiline`: false escapes every line break; true keeps a line break followed by indentation
 * (a message's own continuation lines); "document" keeps line breaks and tabs.
 * Also defuses GitHub Actions workflow commands: `##[` anywhere, and `::` at a line start.
 */
export function escapeControlChars(text: string, multiline: boolean | "document" = false): string {
  const escaped = text.replace(UNSAFE, (c, at: number) => {
    if (multiline === "document" && (c === "\n" || c === "\t")) return c;
    if (multiline && c === "\n" && (text[at + 1] === " " || text[at + 1] === "\t")) return c;
    const named = NAMED[c];
    if (named) return named;
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
  });
  // GitHub's runner takes `##[command]` anywhere in a line (the old syntax) and `::command::` at
  // the start of a (trimmed) line: neither may come out of a printed name.
  const defused = escaped.replaceAll("##[", "##\\x5b");
  return multiline ? defused.replace(/^(\s*):/gm, "$1\\x3a") : defused;
}
