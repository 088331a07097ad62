import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Manifest } from "../bundle/types.js";
import { verifyError } from "../errors.js";

export interface FileCheck {
  path: string;
  status: "ok" | "missing" | "size-differs" | "digest-differs" | "not-in-sums";
  expected?: string;
  actual?: string;
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/**
 * Checks a pulled copy against its own manifest.json and SHA256SUMS: every file present, of the
 * recorded size and sha256 (streamed), and both lists in agreement. Throws VERIFY_FAILED naming
 * every file that differs. (The bundle stage's verifyBundle supersedes this once it is shared.)
 */
export async function verifyPulledFiles(dir: string): Promise<{ files: FileCheck[] }> {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(await readFile(join(dir, "manifest.json"), "utf8")) as Manifest;
  } catch (err) {
    throw verifyError("VERIFY_NO_MANIFEST", `${join(dir, "manifest.json")} is missing or unreadable (${(err as Error).message})`, {
      hint: "pull the release again; every release has a manifest.json",
      location: { file: join(dir, "manifest.json") },
    });
  }
  const sums = new Map<string, string>();
  const sumsText = await readFile(join(dir, "SHA256SUMS"), "utf8").catch(() => undefined);
  for (const line of (sumsText ?? "").split("\n")) {
    const m = /^([0-9a-f]{64}) [ *](.+)$/.exec(line.trim());
    if (m) sums.set(m[2]!, m[1]!);
  }
  const checks: FileCheck[] = [];
  for (const f of manifest.files) {
    const abs = join(dir, ...f.path.split("/"));
    const st = await stat(abs).catch(() => undefined);
    if (!st?.isFile()) {
      checks.push({ path: f.path, status: "missing" });
      continue;
    }
    if (st.size !== f.size) {
      checks.push({ path: f.path, status: "size-differs", expected: String(f.size), actual: String(st.size) });
      continue;
    }
    const actual = await sha256File(abs);
    if (actual !== f.sha256) checks.push({ path: f.path, status: "digest-differs", expected: f.sha256, actual });
    else if (sumsText !== undefined && sums.get(f.path) !== f.sha256) checks.push({ path: f.path, status: "not-in-sums", expected: f.sha256, ...(sums.get(f.path) ? { actual: sums.get(f.path)! } : {}) });
    else checks.push({ path: f.path, status: "ok" });
  }
  if (sumsText === undefined) checks.push({ path: "SHA256SUMS", status: "missing" });
  const bad = checks.filter((c) => c.status !== "ok");
  if (bad.length > 0) {
    throw verifyError("VERIFY_FAILED", `${bad.length} file(s) differ from the release: ${bad.map((c) => `${c.path} (${c.status})`).join(", ")}`, {
      hint: "delete the listed files and pull again; if they still differ, the download or the release is corrupt: report it",
      location: { file: join(dir, bad[0]!.path) },
      details: { files: bad },
    });
  }
  return { files: checks };
}
