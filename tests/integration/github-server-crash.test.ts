import { spawn } from "node:child_process";
import { request } from "node:http";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { startGitHubServer } from "../../src/local/github/start-github-server.js";

const child = fileURLToPath(new URL("./helpers/github-server-child.ts", import.meta.url));

describe("GitHub stand-in crash consistency", () => {
  it("a server killed (SIGKILL) mid-upload and mid-writes restarts with every acknowledged write and no partial asset", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "gh-crash-"));
    try {
      const proc = spawn(process.execPath, ["--import", "tsx", child, dataDir], {
        stdio: ["ignore", "pipe", "inherit"],
      });
      const ready = await new Promise<{ url: string; uploadsUrl: string; token: string }>((resolve, reject) => {
        let buf = "";
        proc.stdout.on("data", (d: Buffer) => {
          buf += d.toString();
          if (buf.includes("\n")) resolve(JSON.parse(buf.split("\n")[0]!));
        });
        proc.once("exit", (code) => reject(new Error(`child exited with ${code}`)));
      });
      const headers = { authorization: `token ${ready.token}`, "content-type": "application/json" };
      const create = (tag: string) =>
        fetch(`${ready.url}/repos/alice/crashy/releases`, {
          method: "POST",
          headers,
          body: JSON.stringify({ tag_name: tag, draft: true }),
        });
      const first = (await (await create("v0")).json()) as { id: number };

      // An upload that announces 1 MiB and sends 64 KiB, then stalls: the server is killed under it.
      const upload = request(`${ready.uploadsUrl}/repos/alice/crashy/releases/${first.id}/assets?name=big.bin`, {
        method: "POST",
        headers: {
          authorization: `token ${ready.token}`,
          "content-type": "application/octet-stream",
          "content-length": String(1 << 20),
        },
      });
      upload.on("error", () => {});
      upload.write(Buffer.alloc(64 * 1024, 1));
      // Many writes in flight when the kill lands; the ones answered 201 must survive it.
      let acked = 0;
      let fifth: () => void = () => {};
      const fiveAcked = new Promise<void>((r) => (fifth = r));
      const writes = Array.from({ length: 40 }, (_, i) =>
        create(`v${i + 1}`).then(
          (r) => {
            if (r.status !== 201) return undefined;
            if (++acked === 5) fifth();
            return `v${i + 1}`;
          },
          () => undefined,
        ),
      );
      // Killed once some writes were answered, while the others are still in flight.
      await fiveAcked;
      const exited = new Promise((r) => proc.once("exit", r));
      proc.kill("SIGKILL");
      const acknowledged = (await Promise.all(writes)).filter((t): t is string => !!t);
      await exited;
      // The kill did land mid-upload: the partial bytes are on disk, not yet an asset.
      expect((await readdir(join(dataDir, "tmp"))).filter((f) => f.startsWith("upload."))).toHaveLength(1);
      expect(acknowledged.length).toBeLessThan(40);

      const gh = await startGitHubServer({ dataDir });
      try {
        const token = gh.ensureToken("alice");
        const list = (await (
          await fetch(`${gh.url}/repos/alice/crashy/releases?per_page=100`, {
            headers: { authorization: `token ${token}` },
          })
        ).json()) as {
          tag_name: string;
          assets: unknown[];
        }[];
        const tags = list.map((r) => r.tag_name);
        for (const tag of ["v0", ...acknowledged]) expect(tags).toContain(tag);
        expect(list.every((r) => r.assets.length === 0)).toBe(true);
        expect(await readdir(join(dataDir, "assets"))).toEqual([]);
        expect(await readdir(join(dataDir, "tmp"))).toEqual([]);
      } finally {
        await gh.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
