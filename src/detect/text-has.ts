/**
 * Literal tests for rule gates, fast on text that lacks the literal. `text.includes("sig=")`
 * stops at every `s` of a training log to compare the rest; a character the text does not hold
 * at all is ruled out by one `indexOf`, which V8 runs as a memchr. So each character of the
 * literal is first looked up (once per text, cached), and the literal is searched only when
 * all of them occur.
 */

let lastText: string | undefined;
const present = new Map<number, boolean>();

function holds(text: string, code: number): boolean {
  if (text !== lastText) {
    lastText = text;
    present.clear();
  }
  let p = present.get(code);
  if (p === undefined) {
    p = text.indexOf(String.fromCharCode(code)) >= 0;
    present.set(code, p);
  }
  return p;
}

const charsOf = new Map<string, number[]>();
function distinctChars(lit: string): number[] {
  let cs = charsOf.get(lit);
  if (!cs) {
    cs = [...new Set([...lit].map((c) => c.charCodeAt(0)))];
    charsOf.set(lit, cs);
  }
  return cs;
}

/** `text.includes(lit)`. */
export function hasLiteral(text: string, lit: string): boolean {
  for (const c of distinctChars(lit)) if (!holds(text, c)) return false;
  return text.includes(lit);
}

/** `re.test(text)` where every match of `re` holds `lit` in some letter case. */
export function hasLiteralAnyCase(text: string, lit: string, re: RegExp): boolean {
  for (const c of distinctChars(lit.toLowerCase())) {
    const upper = String.fromCharCode(c).toUpperCase().charCodeAt(0);
    if (!holds(text, c) && (upper === c || !holds(text, upper))) return false;
  }
  return re.test(text);
}
