import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { countCommits, downloadFile, listFiles } from "@huggingface/hub";
import { parse as parseYaml } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDataset } from "../../src/datasets/build-dataset.js";
import { publishRelease } from "../../src/publish/publish-release.js";
import { startHubServer, type HubServer } from "../../src/local/hub/start-hub-server.js";

const REPO = path.resolve(import.meta.dirname, "..", "..");
let work: string;
let hub: HubServer;
let token: string;

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), "mr-dataset-publish-"));
  hub = await startHubServer({ dataDir: path.join(work, "hub") });
  token = (await hub.createUser({ name: "maintainer", orgs: ["model-release-demo"] })).token;
});
afterAll(async () => {
  await hub?.close();
  await rm(work, { recursive: true, force: true });
});

describe("dataset publish", () => {
  it("publishes the redacted sample to a dataset repo with a version tag, and a re-run changes nothing", async () => {
    const out = path.join(work, "bundle");
    await buildDataset({
      configFile: path.join(REPO, "datasets/robot-jobfiles-sample/dataset.yaml"),
      outDir: out,
      key: new Uint8Array(32).fill(5),
      keySource: "env",
    });
    const first = await publishRelease({ bundleDir: out, targets: { hub: { url: hub.url, token } } });
    expect(first.tag).toBe("v1.0.0");
    const repo = { type: "dataset" as const, name: "model-release-demo/robot-jobfiles-sample" };
    const files: string[] = [];
    for await (const f of listFiles({ repo, revision: "v1.0.0", recursive: true, hubUrl: hub.url, accessToken: token }))
      if (f.type === "file") files.push(f.path);
    expect(files).toEqual(
      expect.arrayContaining([
        "README.md",
        "data/train.jsonl",
        "data/test.jsonl",
        "redaction-report.json",
        "manifest.json",
        "SHA256SUMS",
      ]),
    );
    const readme = await (await downloadFile({
      repo,
      path: "README.md",
      revision: "v1.0.0",
      hubUrl: hub.url,
      accessToken: token,
    }))!.text();
    const meta = parseYaml(/^---\n([\s\S]*?)\n---/.exec(readme)![1]!) as { configs: unknown };
    expect(meta.configs).toEqual([
      {
        config_name: "default",
        data_files: [
          { split: "train", path: "data/train.jsonl" },
          { split: "test", path: "data/test.jsonl" },
        ],
      },
    ]);

    expect(first.hub?.plan.repoType).toBe("dataset");
    const commits = await countCommits({ repo, hubUrl: hub.url, accessToken: token });
    const again = await publishRelease({ bundleDir: out, targets: { hub: { url: hub.url, token } } });
    expect(again.hub?.plan.commit).toBeNull();
    expect(again.hub?.plan.tag.action).toBe("exists");
    expect(await countCommits({ repo, hubUrl: hub.url, accessToken: token })).toBe(commits);
  });
});
