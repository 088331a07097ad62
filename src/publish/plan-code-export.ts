import { blockedError } from "../errors.js";
import type { Finding } from "../findings.js";

/**
 * Copybara's "remove confidential blocks" recipe: every line from one containing BEGIN-INTERNAL
 * to the next line containing END-INTERNAL, both included. An unterminated block is an error,
 * not "strip to the end": a typo must not decide what is published.
 */
export function stripInternalBlocks(text: string, file = "<input>"): { text: string; removedLines: number } {
  const lines = text.split("\n");
  const out: string[] = [];
  let openedAt = -1;
  let removed = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (openedAt >= 0) {
      removed++;
      if (line.includes("END-INTERNAL")) openedAt = -1;
      continue;
    }
    if (line.includes("BEGIN-INTERNAL")) {
      openedAt = i;
      removed++;
      if (line.includes("END-INTERNAL") && line.indexOf("END-INTERNAL") > line.indexOf("BEGIN-INTERNAL")) openedAt = -1;
      continue;
    }
    if (line.includes("END-INTERNAL")) {
      throw blockedError("INTERNAL_BLOCK_UNBALANCED", `${file}:${i + 1}: END-INTERNAL without a BEGIN-INTERNAL`, {
        hint: "pair every END-INTERNAL with a BEGIN-INTERNAL above it",
        location: { file, line: i + 1 },
      });
    }
    out.push(line);
  }
  if (openedAt >= 0) {
    throw blockedError("INTERNAL_BLOCK_UNBALANCED", `${file}:${openedAt + 1}: BEGIN-INTERNAL is never closed`, {
      hint: "add an END-INTERNAL line where the internal block ends",
      location: { file, line: openedAt + 1 },
    });
  }
  return { text: out.join("\n"), removedLines: removed };
}

/** A glob as a regular expression: `**` any depth, `*` within a segment, `?` one character. */
export function globToRegExp(glob: string): RegExp {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "*" && glob[i + 1] === "*") {
      const slash = glob[i + 2] === "/";
      re += slash ? "(?:.*/)?" : ".*";
      i += slash ? 2 : 1;
    } else if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else re += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

/** Files under the code folder that the code export publishes, and what it left out. */
export interface CodeExportPlan {
  files: { path: string; content: string; removedLines: number }[];
  excluded: string[];
  findings: Finding[];
}

/** Paths that never leave the building, whatever the allowlist says. */
const NEVER = [
  /(^|\/)\.git(\/|$)/,
  /(^|\/)\.env(\..*)?$/,
  /(^|\/)\.model-release(\/|$)/,
  /\.(pem|key|p12|pfx)$/,
  /(^|\/)id_(rsa|ed25519|ecdsa)$/,
];

/**
 * Plans the code export: keeps only paths matching the allowlist (and none of the paths that
 * never leave), strips internal blocks, and runs the secret scan over what is left. Blocking
 * findings stop the export; `scan` is the sanitizer's detector, passed in.
 */
export function planCodeExport(params: {
  files: readonly { path: string; content: string }[];
  allow: readonly string[];
  scan?: (path: string, content: string) => Finding[];
  /**
   * Files the export must carry even when the code folder lacks them or the allowlist leaves
   * them out: the bundle's LICENSE (Apache-2.0 §4(a), Llama/Qwen agreements). A source file of
   * the same path wins.
   */
  required?: readonly { path: string; content: string }[];
}): CodeExportPlan {
  const allow = params.allow.map(globToRegExp);
  const files: CodeExportPlan["files"] = [];
  const excluded: string[] = [];
  const findings: Finding[] = [];
  for (const f of [...params.files].sort((a, b) => a.path.localeCompare(b.path))) {
    if (NEVER.some((re) => re.test(f.path)) || !allow.some((re) => re.test(f.path))) {
      excluded.push(f.path);
      continue;
    }
    const stripped = stripInternalBlocks(f.content, f.path);
    findings.push(...(params.scan?.(f.path, stripped.text) ?? []));
    files.push({ path: f.path, content: stripped.text, removedLines: stripped.removedLines });
  }
  for (const r of params.required ?? []) {
    if (files.some((f) => f.path === r.path)) continue;
    files.push({ path: r.path, content: r.content, removedLines: 0 });
  }
  files.sort((a, b) => a.path.localeCompare(b.path));
  const blocking = findings.filter((f) => f.severity === "block" && f.acceptedReason === undefined);
  if (blocking.length > 0) {
    const first = blocking[0]!;
    throw blockedError(
      "CODE_SECRET_FOUND",
      `code export blocked: ${blocking.length} finding(s), first ${first.rule} in ${first.file}${first.line ? `:${first.line}` : ""}`,
      {
        hint: "remove the secret from the code, or wrap the lines in BEGIN-INTERNAL/END-INTERNAL",
        location: { file: first.file, ...(first.line ? { line: first.line } : {}) },
        details: { findings: blocking },
      },
    );
  }
  return { files, excluded, findings };
}
