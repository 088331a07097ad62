import type { InventoryFile } from "../checkpoint/types.js";
import type { Finding } from "../findings.js";
import type { FileDecision } from "./classify-checkpoint-file.js";
import { detectSecrets, type SecretPattern } from "./detect-secrets.js";

/**
 * Names are content: every path component of every file and folder is scanned with the same
 * rules as file contents (an HF token as a file name, an e-mail or a customer name as a folder
 * name). A name cannot be scrubbed (the card, the index and the loaders refer to files by name),
 * so a hit blocks when the file ships, or would block when the policy refuses the file anyway;
 * in a dropped file's path it warns. Each folder is reported once, on the first file under it.
 * The finding's location is the path itself (`file`), which report rendering redacts.
 */
export function planPathNames(
  files: readonly InventoryFile[],
  decisions: readonly FileDecision[],
  patterns: SecretPattern[],
): Finding[] {
  const findings: Finding[] = [];
  const seen = new Set<string>();
  files.forEach((file, i) => {
    const dropped = decisions[i]?.action === "drop";
    const parts = file.path.split("/");
    parts.forEach((name, k) => {
      const prefix = parts.slice(0, k + 1).join("/");
      const isFolder = k < parts.length - 1;
      // A folder shared by shipped and dropped files is judged on the first file that reaches it.
      const key = `${dropped ? "d" : "s"}:${prefix}`;
      if (seen.has(key) || (dropped && seen.has(`s:${prefix}`))) return;
      seen.add(key);
      // `_`, `-` and `.` separate words in names where text has spaces: scan both spellings.
      const spaced = name.replace(/[_.-]+/g, " ");
      const hits = [
        ...detectSecrets(name, { patterns }),
        ...(spaced !== name ? detectSecrets(spaced, { patterns }) : []),
      ];
      const rules = [...new Map(hits.map((d) => [d.rule, d])).values()];
      for (const d of rules) {
        findings.push({
          rule: d.rule,
          severity: dropped ? "warn" : d.severity,
          file: file.path,
          message:
            `${d.message} in the name of ${isFolder ? `folder ${k + 1} of the path` : "the file"}; a name cannot be scrubbed without breaking references, rename it` +
            (dropped ? " (a dropped file: not published, but the checkpoint holds it)" : ""),
        });
      }
    });
  });
  return findings;
}
