import { execFile } from "node:child_process";
import { promisify } from "node:util";

/**
 * The physical reference of the upload benches: one `curl -T` of `file` to an LFS upload URL of
 * the stand-in (no `Expect: 100-continue` round trip), failing unless the server answers 200.
 */
export async function curlPut(file: string, href: string): Promise<void> {
  const { stdout } = await promisify(execFile)("curl", [
    "-sS",
    "-o",
    "/dev/null",
    "-w",
    "%{http_code}",
    "-H",
    "Expect:",
    "-T",
    file,
    href,
  ]);
  if (stdout.trim() !== "200") throw new Error(`curl PUT answered HTTP ${stdout.trim()}`);
}
