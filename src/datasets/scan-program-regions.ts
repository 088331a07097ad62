/**
 * Splits a robot program into comment, string, header and code regions. The redactor only
 * rewrites the inside of comments, strings and headers, so the statements (and with them the
 * instruction counts) stay as they were; the parsers use the same regions to ignore comments.
 */

export type ProgramDialect = "hi5-job" | "hi6-job" | "drl";

export interface Region {
  kind: "comment" | "string" | "header" | "code";
  /** UTF-16 offsets into the program text; the region is `text.slice(start, end)`. */
  start: number;
  end: number;
  /** 1-based line of `start`. */
  line: number;
}

export interface RegionScan {
  regions: Region[];
  /** Unterminated string literals and similar, with their line. */
  issues: { line: number; message: string }[];
}

/**
 * Pure. Hi5 JOB: `'` comments, `"` strings, line 1 is the header. Hi6 HRScript: `#` comments,
 * `"` strings, line 1 is the header. DRL: Python tokens (`#` comments, `'`/`"` strings with
 * escapes, triple-quoted strings over several lines, string prefixes).
 */
export function scanProgramRegions(text: string, dialect: ProgramDialect): RegionScan {
  const regions: Region[] = [];
  const issues: RegionScan["issues"] = [];
  const commentChar = dialect === "hi5-job" ? "'" : "#";
  let i = 0;
  let line = 1;
  let codeStart = 0;
  let codeLine = 1;
  const pushCode = (end: number) => {
    if (end > codeStart) regions.push({ kind: "code", start: codeStart, end, line: codeLine });
  };

  if (dialect !== "drl") {
    // Line 1 is the job header: everything up to the first newline.
    const nl = text.indexOf("\n");
    const end = nl === -1 ? text.length : nl;
    const headerEnd = end > 0 && text[end - 1] === "\r" ? end - 1 : end;
    regions.push({ kind: "header", start: 0, end: headerEnd, line: 1 });
    i = headerEnd;
    codeStart = i;
  }

  while (i < text.length) {
    const c = text[i]!;
    if (c === "\n") {
      line++;
      i++;
      continue;
    }
    if (c === commentChar) {
      pushCode(i);
      let end = text.indexOf("\n", i);
      if (end === -1) end = text.length;
      if (text[end - 1] === "\r") end--;
      regions.push({ kind: "comment", start: i, end, line });
      i = end;
      codeStart = i;
      codeLine = line;
      continue;
    }
    const isQuote = c === '"' || (dialect === "drl" && c === "'");
    if (isQuote) {
      pushCode(i);
      const startLine = line;
      const triple = dialect === "drl" && text.startsWith(c.repeat(3), i);
      const close = triple ? c.repeat(3) : c;
      let j = i + close.length;
      let closed = false;
      while (j < text.length) {
        const d = text[j]!;
        if (dialect === "drl" && d === "\\") {
          if (text[j + 1] === "\n") line++;
          j += 2;
          continue;
        }
        if (d === "\n") {
          if (!triple) break;
          line++;
        }
        if (text.startsWith(close, j)) {
          closed = true;
          j += close.length;
          break;
        }
        j++;
      }
      if (!closed) issues.push({ line: startLine, message: "unterminated string literal" });
      regions.push({ kind: "string", start: i, end: Math.min(j, text.length), line: startLine });
      i = Math.min(j, text.length);
      codeStart = i;
      codeLine = line;
      continue;
    }
    if (codeStart === i) codeLine = line;
    i++;
  }
  pushCode(text.length);
  return { regions, issues };
}
