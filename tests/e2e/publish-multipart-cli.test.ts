import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeTestBundle } from "../integration/helpers/publish-bundle.js";
import { startStandIns, type StandIns } from "../integration/helpers/stand-ins.js";
import { runCli, standInEnv, writeReleaseConfig } from "./helpers/run-cli.js";

/**
 * A publish whose shards go up in many multipart parts, through the built CLI (the run's abort
 * signal joined to every request, as a user's terminal has it). Dozens of parts wait at once on
 * one signal: the CLI must print no Node warning (a MaxListenersExceededWarning reached every such
 * publish's stderr once), and the release must pull back and verify.
 */
let s: StandIns;
beforeAll(async () => {
  s = await startStandIns({ multipartChunkBytes: 64 * 1024 });
});
afterAll(async () => s?.close());

describe("publish of multipart shards (built CLI)", () => {
  it("prints no Node warning and the release pulls back verified", async () => {
    const dir = join(s.root, "bundle");
    // Three shards of eight parts each: 21 parts wait while three upload.
    await writeTestBundle(dir, { version: "1.0.0", shards: 3, shardBytes: 8 * 64 * 1024 - 100 });
    const env = standInEnv(s);
    // runCli fails the test on any `(node:PID) …Warning` line in stderr.
    const config = await writeReleaseConfig(s.root, { repo: "acme/robot-coder" });
    const pub = await runCli(["publish", dir, "--to", "hf", "--config", config], { env, cwd: s.root });
    expect(pub.stderr).not.toMatch(/Warning/);
    expect(pub.stderr).toContain("✓ hub-tag");
    expect(pub.code).toBe(0);
    const pulled = join(s.root, "pulled");
    const pull = await runCli(["pull", "acme/robot-coder@1.0.0", "--to", pulled], {
      env,
      cwd: s.root,
    });
    expect(pull.stderr).not.toMatch(/Warning/);
    expect(pull.code).toBe(0);
  });
});
