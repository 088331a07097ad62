import { mkdir, readFile, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { conflictError } from "../../errors.js";

/**
 * Makes sure one server process owns a data dir: ref updates are serialized by an in-process
 * lock, which only holds if no other process writes the same repos. The lock file holds the
 * owner's pid; a lock left by a dead process (a crash) is taken over.
 */
export async function acquireDataDirLock(dataDir: string): Promise<() => Promise<void>> {
  await mkdir(dataDir, { recursive: true });
  const path = join(dataDir, "server.lock");
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(path, String(process.pid), { flag: "wx" });
      return () => unlink(path).catch(() => undefined);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    const owner = Number(await readFile(path, "utf8").catch(() => "0"));
    if (owner > 0 && isAlive(owner)) {
      throw conflictError("HUB_DATA_DIR_IN_USE", `The Hub data dir ${dataDir} is in use by process ${owner}`, {
        hint: "stop the other stand-ins (`model-release serve` or `demo`), or give this one its own folder (`serve --data <dir>`)",
        location: { file: path },
      });
    }
    await unlink(path).catch(() => undefined); // stale: its owner is gone
  }
  throw conflictError("HUB_DATA_DIR_IN_USE", `Could not lock the Hub data dir ${dataDir}`, {
    location: { file: path },
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
