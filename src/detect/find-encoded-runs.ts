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

const HEX_RUN = /^(?:[0-9A-Fa-f]{2})+$/;
const PERCENT = /%[0-9A-Fa-f]{2}/g;

/**
 * Encoded runs of `text`, decoded, until `budget.bytes` decoded bytes are used up (the caller's
 * cap over all nesting levels). Pure hex runs are decoded as hex only.
 */
export function findEncodedRuns(
  text: string,
  budget: { bytes: number },
  runs: readonly [number, number][] = findLongRuns(text),
): EncodedRun[] {
  const out: EncodedRun[] = [];
  for (const [start, end] of runs) {
    if (budget.bytes <= 0) break;
    let stop = end;
    while (stop < text.length && stop - end < 2 && text.charCodeAt(stop) === 0x3d) stop++;
    const whole = text.slice(start, stop);
    decodeRun(out, budget, whole, start);
    // `/` is a base64 character and a path separator: in `runs/<base64>` each component may be
    // a run of its own, misaligned when decoded with its neighbours.
    if (!whole.includes("/")) continue;
    let at = start;
    for (const part of whole.split("/")) {
      if (part.length >= MIN_ENCODED_RUN && part.length < whole.length && budget.bytes > 0)
        decodeRun(out, budget, part, at);
      at += part.length + 1;
    }
  }
  if (text.includes("%")) for (const r of percentRuns(text)) if (budget.bytes > 0) push(out, budget, r);
  return out;
}

/**
 * `[start, end)` of every maximal run of at least MIN_ENCODED_RUN base64/base64url characters
 * (`[A-Za-z0-9+/_-]`). Shared by the decoder and the token rules' prefilter (`runLiterals`).
 *
 * A table-driven walk, not a regex: a character-class pattern tries a match at every position
 * and ran at ~30 MB/s on training logs. Any run of MIN_ENCODED_RUN starting in [i, i + MIN - 1]
 * covers position i + MIN - 1: when that character is not base64, MIN characters are skipped at
 * once (most text is short words).
 */
export function findLongRuns(text: string): [number, number][] {
  const out: [number, number][] = [];
  const n = text.length;
  const isB64 = (k: number) => {
    const c = text.charCodeAt(k);
    return c < 128 && BASE64_CHAR[c] === 1;
  };
  let i = 0;
  while (i + MIN_ENCODED_RUN <= n) {
    const probe = i + MIN_ENCODED_RUN - 1;
    if (!isB64(probe)) {
      i = probe + 1;
      continue;
    }
    // `i` is always at a run boundary (start of text, or after a non-base64 character).
    let start = probe;
    while (start > i && isB64(start - 1)) start--;
    let end = probe + 1;
    while (end < n && isB64(end)) end++;
    if (end - start >= MIN_ENCODED_RUN) out.push([start, end]);
    i = end + 1;
  }
  return out;
}

/** 1 for the characters of base64 and base64url. */
const BASE64_CHAR = new Uint8Array(128);
for (const ch of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/_-")
  BASE64_CHAR[ch.charCodeAt(0)] = 1;

function decodeRun(out: EncodedRun[], budget: { bytes: number }, whole: string, start: number): void {
  const run = whole.slice(0, MAX_ENCODED_RUN);
  const end = start + whole.length;
  if (HEX_RUN.test(run.replace(/=+$/, ""))) {
    if (run.length >= 32) push(out, budget, { start, end, encoding: "hex", bytes: Buffer.from(run, "hex") });
    return;
  }
  // Identifiers (`model-00001-of-00002`, `additional_special_tokens`) look like base64 too; a
  // run without a digit or an upper-case letter and a lower-case one is not worth decoding.
  if (!/[0-9+/]/.test(run) && !(/[A-Z]/.test(run) && /[a-z]/.test(run))) return;
  push(out, budget, { start, end, encoding: "base64", bytes: Buffer.from(run, "base64") });
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
