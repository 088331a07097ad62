/**
 * Runs of base64, hex and percent-encoding inside text, decoded (bounded). The engine scans the
 * decoded bytes and reports a finding over the whole encoded run.
 */

export type RunEncoding = "base64" | "hex" | "percent";

export interface EncodedRun {
  start: number;
  end: number;
  encoding: RunEncoding;
  bytes: Buffer;
}

/** Shortest run decoded: 20 base64 characters are 15 bytes, below every token length that matters. */
export const MIN_ENCODED_RUN = 20;
/** Longest run decoded; a longer one is decoded up to here (a secret at its start is still found). */
export const MAX_ENCODED_RUN = 64 * 1024;

const BASE64_RUN = /[A-Za-z0-9+/_-]{20,}={0,2}/g;
const HEX_RUN = /^(?:[0-9A-Fa-f]{2})+$/;
const PERCENT = /%[0-9A-Fa-f]{2}/g;

/**
 * Encoded runs of `text`, decoded, until `budget.bytes` decoded bytes are used up (the caller's
 * cap over all nesting levels). Pure hex runs are decoded as hex only.
 */
export function findEncodedRuns(text: string, budget: { bytes: number }): EncodedRun[] {
  const out: EncodedRun[] = [];
  BASE64_RUN.lastIndex = 0;
  for (let m = BASE64_RUN.exec(text); m !== null && budget.bytes > 0; m = BASE64_RUN.exec(text)) {
    const run = m[0].slice(0, MAX_ENCODED_RUN);
    const start = m.index;
    if (HEX_RUN.test(run.replace(/=+$/, ""))) {
      if (run.length >= 32)
        push(out, budget, { start, end: start + m[0].length, encoding: "hex", bytes: Buffer.from(run, "hex") });
      continue;
    }
    // Identifiers (`model-00001-of-00002`, `additional_special_tokens`) look like base64 too; a
    // run without a digit or an upper-case letter and a lower-case one is not worth decoding.
    if (!/[0-9+/]/.test(run) && !(/[A-Z]/.test(run) && /[a-z]/.test(run))) continue;
    push(out, budget, { start, end: start + m[0].length, encoding: "base64", bytes: Buffer.from(run, "base64") });
  }
  if (text.includes("%")) for (const r of percentRuns(text)) if (budget.bytes > 0) push(out, budget, r);
  return out;
}

function push(out: EncodedRun[], budget: { bytes: number }, run: EncodedRun): void {
  if (run.bytes.length === 0) return;
  const bytes = run.bytes.length > budget.bytes ? run.bytes.subarray(0, budget.bytes) : run.bytes;
  budget.bytes -= bytes.length;
  out.push({ ...run, bytes });
}

/** Maximal runs of non-space characters holding at least one `%XX`, percent-decoded to bytes. */
function percentRuns(text: string): EncodedRun[] {
  const out: EncodedRun[] = [];
  PERCENT.lastIndex = 0;
  let lastEnd = -1;
  for (let m = PERCENT.exec(text); m !== null; m = PERCENT.exec(text)) {
    if (m.index < lastEnd) continue;
    let s = m.index;
    while (s > 0 && m.index - s < MAX_ENCODED_RUN && !/[\s"'<>]/.test(text[s - 1]!)) s--;
    let e = m.index + 3;
    while (e < text.length && e - s < MAX_ENCODED_RUN && !/[\s"'<>]/.test(text[e]!)) e++;
    lastEnd = e;
    const run = text.slice(s, e);
    if (run.length < 6) continue;
    const bytes: number[] = [];
    for (let i = 0; i < run.length; i++) {
      if (run[i] === "%" && /^[0-9A-Fa-f]{2}$/.test(run.slice(i + 1, i + 3))) {
        bytes.push(Number.parseInt(run.slice(i + 1, i + 3), 16));
        i += 2;
      } else if (run[i] === "+") bytes.push(0x20);
      else for (const b of Buffer.from(run[i]!)) bytes.push(b);
    }
    out.push({ start: s, end: e, encoding: "percent", bytes: Buffer.from(bytes) });
  }
  return out;
}
