import { stripImageMetadata } from "../sanitize/strip-image-metadata.js";
import { blockedError, inputError } from "../errors.js";
import type { Finding } from "../findings.js";
import { extractPrintableRuns } from "../sanitize/extract-printable-runs.js";
import { trainingDataOf, unsafeCodeBinary } from "./classify-code-file.js";
import { decodeCodeFile, encodeCodeText } from "./decode-code-file.js";
import { findUnexportedImports } from "./find-unexported-imports.js";
import { prepareNotebook, type NotebookOutputs } from "./prepare-notebook.js";
import { stripInternalBlocks } from "./strip-internal-blocks.js";

export { stripInternalBlocks };

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

/** A file of the code folder: its bytes (or text), or only its size when it is too large to read. */
export interface CodeSourceFile {
  path: string;
  content?: string | Uint8Array;
  size?: number;
}

/** Files under the code folder that the code export publishes, and what it left out. */
export interface CodeExportPlan {
  /** Text files in their own encoding, binary files byte for byte. */
  files: { path: string; content: string | Uint8Array; removedLines: number }[];
  excluded: string[];
  /** Blocking findings stop the plan; what is left are warnings (imports of files left out). */
  findings: Finding[];
}

/** Paths that never leave the building, whatever the allowlist says. */
const NEVER = [
  /(^|\/)\.git(\/|$)/,
  /(^|\/)\.env(\..*)?$/,
  /(^|\/)\.envrc$/,
  /(^|\/)\.(?:netrc|pypirc|npmrc|git-credentials|pgpass|boto|s3cfg)$/,
  /(^|\/)\.model-release(\/|$)/,
  /\.(pem|key|p12|pfx|jks|keystore)$/,
  /(^|\/)id_(rsa|ed25519|ecdsa|dsa)$/,
  // Compiled files: stale bytecode and objects carry the source (and its secrets) of their day.
  /(^|\/)__pycache__(\/|$)/,
  /(^|\/)\.ipynb_checkpoints(\/|$)/,
  /\.(?:py[cod]|so(?:\.\d+)*|dylib|dll|o|a|obj|lib|class|jar|exe|wasm|egg|whl)$/i,
];

/**
 * Plans the code export: keeps only paths matching the allowlist (and none of the paths that
 * never leave), refuses compiled objects whatever their name, strips internal blocks (notebooks
 * per cell, their outputs dropped unless `notebookOutputs: "keep"`), decodes UTF-16 text to scan
 * it, and runs the secret scan over what is left (binary files over their printable strings).
 * Blocking findings stop the export; `scan` is the sanitizer's engine with the code rules.
 *
 * @throws ReleaseError `CODE_SECRET_FOUND` (blocked), `CODE_FILE_TOO_LARGE` (input) for an
 *   allowlisted file that was too large to read, and those of `stripInternalBlocks` and
 *   `prepareNotebook`.
 */
export function planCodeExport(params: {
  files: readonly CodeSourceFile[];
  allow: readonly string[];
  scan?: (path: string, content: string) => Finding[];
  notebookOutputs?: NotebookOutputs;
  /** Byte limit named in the too-large error. */
  maxFileBytes?: number;
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
  const texts: { path: string; text: string }[] = [];
  for (const f of [...params.files].sort((a, b) => a.path.localeCompare(b.path))) {
    if (NEVER.some((re) => re.test(f.path)) || !allow.some((re) => re.test(f.path))) {
      excluded.push(f.path);
      continue;
    }
    if (f.content === undefined) {
      throw inputError(
        "CODE_FILE_TOO_LARGE",
        `${f.path} is ${f.size ?? "too many"} bytes; code files above ${params.maxFileBytes ?? "the limit"} bytes are not exported`,
        {
          hint: `narrow github.code.paths so that it no longer matches ${f.path}, or publish the file as a release asset`,
          location: { file: f.path, field: "github.code.paths" },
        },
      );
    }
    const bytes = typeof f.content === "string" ? undefined : f.content;
    const decoded =
      bytes === undefined
        ? ({ kind: "text", text: f.content as string, encoding: "utf-8", bom: false } as const)
        : decodeCodeFile(bytes, f.path);
    if (decoded.kind === "compiled") {
      excluded.push(f.path);
      continue;
    }
    if (decoded.kind === "binary") {
      // Figures and screenshots in a code repository carry EXIF (GPS, camera serials, owners),
      // XMP and PNG text like the example image does: they are published without it.
      const content = stripImageMetadata(bytes!)?.bytes ?? bytes!;
      const unsafe = unsafeCodeBinary(content);
      if (unsafe) findings.push({ ...unsafe, severity: "block", file: f.path });
      const strings = extractPrintableRuns(content)
        .runs.map((r) => r.text)
        .join("\n");
      findings.push(...(params.scan?.(f.path, strings) ?? []));
      files.push({ path: f.path, content, removedLines: 0 });
      continue;
    }
    const data = trainingDataOf(f.path, decoded.text);
    if (data) findings.push({ ...data, severity: "block", file: f.path });
    let text: string;
    let removedLines: number;
    if (f.path.endsWith(".ipynb")) {
      const nb = prepareNotebook({ text: decoded.text, path: f.path, outputs: params.notebookOutputs ?? "strip" });
      text = nb.text;
      removedLines = nb.removedLines;
    } else {
      const stripped = stripInternalBlocks(decoded.text, f.path);
      text = stripped.text;
      removedLines = stripped.removedLines;
    }
    findings.push(...(params.scan?.(f.path, text) ?? []));
    texts.push({ path: f.path, text });
    const unchanged = text === decoded.text;
    files.push({
      path: f.path,
      content: unchanged
        ? (bytes ?? text)
        : bytes === undefined
          ? text
          : encodeCodeText(text, decoded.encoding, decoded.bom),
      removedLines,
    });
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
        hint: "remove the secret from the code, or wrap the lines in BEGIN-INTERNAL/END-INTERNAL; leave pickles, archives, weights, robot programs and data files out of github.code.paths",
        location: { file: first.file, line: first.line },
        details: { findings: blocking },
      },
    );
  }
  findings.push(...findUnexportedImports({ exported: texts, excluded: new Set(excluded) }));
  return { files, excluded, findings };
}
