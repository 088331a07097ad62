import { execFileSync, spawn, spawnSync } from "node:child_process";
import { startHubServer } from "../../src/local/hub/start-hub-server.js";
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCliSync } from "./helpers/run-cli.js";

const REPO = path.resolve(import.meta.dirname, "..", "..");
const BIN = path.join(REPO, "dist", "cli", "bin.js");
const SAMPLE = "datasets/robot-jobfiles-sample/dataset.yaml";
const KEY = "5f".repeat(32);
let work: string;

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), "mr-e2e-dataset-"));
});
afterAll(async () => rm(work, { recursive: true, force: true }));

function cli(args: string[], env: Record<string, string | undefined> = {}) {
  return runCliSync(args, {
    cwd: REPO,
    env: { ...process.env, MODEL_RELEASE_REDACTION_KEY: undefined, XDG_CACHE_HOME: path.join(work, "cache"), ...env },
  });
}

async function allFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile()) out.push(path.join(e.parentPath, e.name));
  return out.sort();
}

describe("model-release dataset build", () => {
  it("stages the sample: records, card, report, manifest and SHA256SUMS, with no planted value in any byte", async () => {
    const out = path.join(work, "sample");
    const r = cli(["dataset", "build", "--config", SAMPLE, "--out", out], { MODEL_RELEASE_REDACTION_KEY: KEY });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      "staged robot-jobfiles-sample v1.0.0 for model-release-demo/robot-jobfiles-sample (dataset)",
    );
    expect(r.stdout).toContain("records: 21 published of 24 (train 18, test 3), 0 rejected");
    expect(r.stdout).toContain("pseudonym key: from MODEL_RELEASE_REDACTION_KEY");
    expect(r.stdout).not.toContain(KEY);

    const files = (await allFiles(out)).map((f) => path.relative(out, f));
    expect(files).toEqual(
      expect.arrayContaining([
        "README.md",
        "SHA256SUMS",
        "data/test.jsonl",
        "data/train.jsonl",
        "manifest.json",
        "redaction-report.json",
      ]),
    );
    const manifest = JSON.parse(await readFile(path.join(out, "manifest.json"), "utf8"));
    expect(manifest).toMatchObject({
      name: "robot-jobfiles-sample",
      version: "1.0.0",
      tag: "v1.0.0",
      hub: { repo: "model-release-demo/robot-jobfiles-sample", repoType: "dataset" },
    });
    expect(execFileSync("sha256sum", ["-c", "SHA256SUMS"], { cwd: out, encoding: "utf8" })).toContain(
      "data/train.jsonl: OK",
    );
    const verified = cli(["verify", out]);
    expect(verified.code).toBe(0);

    const planted = JSON.parse(await readFile(path.join(REPO, "datasets/robot-jobfiles-sample/planted.json"), "utf8"))
      .planted as Record<string, { value: string }[]>;
    const values = [
      ...new Set(
        Object.values(planted)
          .flat()
          .map((p) => p.value),
      ),
    ];
    for (const f of await allFiles(out)) {
      const hay = (await readFile(f)).toString("latin1").toLowerCase();
      for (const v of values) {
        for (const form of new Set([v, JSON.stringify(v).slice(1, -1)])) {
          expect(
            hay.includes(Buffer.from(form.toLowerCase(), "utf8").toString("latin1")),
            `${f} contains ${form}`,
          ).toBe(false);
        }
      }
      expect(hay).not.toContain(KEY);
    }

    // The same key rebuilds the same bytes; a random key says so and changes the placeholders.
    const again = path.join(work, "sample-again");
    expect(
      cli(["dataset", "build", "--config", SAMPLE, "--out", again], { MODEL_RELEASE_REDACTION_KEY: KEY }).code,
    ).toBe(0);
    expect(await readFile(path.join(again, "data/train.jsonl"))).toEqual(
      await readFile(path.join(out, "data/train.jsonl")),
    );
    const random = cli(["dataset", "build", "--config", SAMPLE, "--out", path.join(work, "sample-random")]);
    expect(random.code).toBe(0);
    expect(random.stdout).toContain("pseudonym key: random for this run");
    expect(await readFile(path.join(work, "sample-random", "data/train.jsonl"))).not.toEqual(
      await readFile(path.join(out, "data/train.jsonl")),
    );
  });

  it("plans without writing on --dry-run --json", () => {
    const out = path.join(work, "never");
    const r = cli(["dataset", "build", "--config", SAMPLE, "--dry-run", "--json", "--version", "2.0.0"], {
      MODEL_RELEASE_REDACTION_KEY: KEY,
    });
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({
      version: "2.0.0",
      tag: "v2.0.0",
      outDir: null,
      manifest: null,
      report: { records: { published: 21 } },
    });
    expect(spawnSync("test", ["-e", out]).status).not.toBe(0);
  });

  it("warns about bad records by count and fixed reason only (no file, line or excerpt), and still builds the rest", async () => {
    const dir = path.join(work, "bad-src");
    await cp(path.join(REPO, "datasets/robot-jobfiles-sample"), dir, { recursive: true });
    const yaml = path.join(dir, "dataset.yaml");
    await writeFile(yaml, (await readFile(yaml, "utf8")).replace("fraction: 0.75", "fraction: 1"));
    const pair = path.join(dir, "pairs", "pair-002");
    const job = (await readdir(pair)).find((f) => /\.job$/i.test(f))!;
    await writeFile(
      path.join(pair, job),
      Buffer.concat([await readFile(path.join(pair, job)), Buffer.from([0xff, 0xfe, 0x00])]),
    );
    const r = cli(
      ["dataset", "build", "--config", path.join(dir, "dataset.yaml"), "--out", path.join(work, "bad-out")],
      { MODEL_RELEASE_REDACTION_KEY: KEY },
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("warning[BINARY_CONTENT]: 1 record excluded: binary content, not a program\n");
    expect(r.stderr + r.stdout).not.toContain("pair-002");
    expect(r.stderr + r.stdout).not.toContain(job);
    expect(r.stdout).toContain("records: 23 published of 24");
    expect(r.stdout).toContain("1 rejected");
  });

  it("exits 2 with the file, line and field of a bad config, and for a short key without printing it", async () => {
    const bad = path.join(work, "bad.yaml");
    await writeFile(bad, (await readFile(path.join(REPO, SAMPLE), "utf8")).replace("fraction: 0.75", "fraction: 1.5"));
    const r = cli(["dataset", "build", "--config", bad, "--out", path.join(work, "x")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("error[CONFIG_INVALID]");
    expect(r.stderr).toMatch(/bad\.yaml:17:\d+ sample\.fraction: /);
    const k = cli(["dataset", "build", "--config", SAMPLE, "--out", path.join(work, "y")], {
      MODEL_RELEASE_REDACTION_KEY: "hunter2",
    });
    expect(k.code).toBe(2);
    expect(k.stderr).toContain("error[REDACTION_KEY_TOO_SHORT]");
    expect(k.stderr + k.stdout).not.toContain("hunter2");
  });
});

/** Async spawn: the local Hub runs in this process, so the CLI must not block the event loop. */
function cliAsync(
  args: string[],
  env: Record<string, string | undefined>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: REPO,
      env: { ...process.env, MODEL_RELEASE_REDACTION_KEY: undefined, HF_TOKEN: undefined, ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("model-release dataset publish", () => {
  it("publishes a built dataset to a local Hub with its version tag, refuses a GitHub target and a model bundle", async () => {
    const hub = await startHubServer({ dataDir: path.join(work, "hub") });
    try {
      const { token } = await hub.createUser({ name: "maintainer", orgs: ["model-release-demo"] });
      const out = path.join(work, "to-publish");
      expect(
        cli(["dataset", "build", "--config", SAMPLE, "--out", out], { MODEL_RELEASE_REDACTION_KEY: KEY }).code,
      ).toBe(0);
      // Without --config a new repo's visibility is unknown: the preflight refuses, as `publish`
      // does, and nothing is created (not even a private repo).
      const datasetApi = `${hub.url}/api/datasets/model-release-demo/robot-jobfiles-sample`;
      const auth = { headers: { authorization: `Bearer ${token}` } };
      const noConfig = await cliAsync(["dataset", "publish", out, "--hub-url", hub.url], { HF_TOKEN: token, CI: "1" });
      expect(noConfig.code).toBe(2);
      expect(noConfig.stderr).toContain(
        "error[CONFIG_REQUIRED]: model-release-demo/robot-jobfiles-sample does not exist on the Hub and its visibility is not known without the config",
      );
      expect(noConfig.stderr).toContain(
        "hint: pass --config with the config the bundle was built from (its `private:` under `hub:` decides whether the new repo is public)",
      );
      expect((await fetch(datasetApi, auth)).status).toBe(404);
      const dryNoConfig = await cliAsync(["dataset", "publish", out, "--hub-url", hub.url, "--dry-run"], {
        HF_TOKEN: token,
      });
      expect(dryNoConfig.code).toBe(2);
      expect((await fetch(datasetApi, auth)).status).toBe(404);

      const r = await cliAsync(["dataset", "publish", out, "--config", SAMPLE, "--hub-url", hub.url], {
        HF_TOKEN: token,
        CI: "1",
      });
      expect(r.stderr).not.toContain(token);
      expect(r.code).toBe(0);
      // The repo exists now and keeps its visibility: a re-run needs no config.
      const again = await cliAsync(["dataset", "publish", out, "--hub-url", hub.url], { HF_TOKEN: token });
      expect(again.code).toBe(0);
      const tags = (await (
        await fetch(`${hub.url}/api/datasets/model-release-demo/robot-jobfiles-sample/refs`, {
          headers: { authorization: `Bearer ${token}` },
        })
      ).json()) as { tags: { name: string }[] };
      expect(tags.tags.map((t) => t.name)).toEqual(["v1.0.0"]);

      // The config decides visibility: a private copy of the same dataset is invisible without a token.
      const privateConfig = path.join(work, "private.yaml");
      const sampleText = await readFile(path.join(REPO, SAMPLE), "utf8");
      await writeFile(
        privateConfig,
        sampleText
          .replace(
            /^ {2}path: pairs$/m,
            `  path: ${JSON.stringify(path.join(REPO, "datasets", "robot-jobfiles-sample", "pairs"))}`,
          )
          .replace(
            /^planted: planted\.json$/m,
            `planted: ${JSON.stringify(path.join(REPO, "datasets", "robot-jobfiles-sample", "planted.json"))}`,
          )
          .replace(
            /^( *repo: )model-release-demo\/robot-jobfiles-sample$/m,
            "$1model-release-demo/robot-jobfiles-private\n  private: true",
          ),
      );
      const privOut = path.join(work, "to-publish-private");
      expect(
        cli(["dataset", "build", "--config", privateConfig, "--out", privOut], { MODEL_RELEASE_REDACTION_KEY: KEY })
          .code,
      ).toBe(0);
      const mismatch = await cliAsync(["dataset", "publish", privOut, "--config", SAMPLE, "--hub-url", hub.url], {
        HF_TOKEN: token,
      });
      expect(mismatch.code).toBe(2);
      expect(mismatch.stderr).toContain("error[CONFIG_BUNDLE_MISMATCH]");
      const priv = await cliAsync(["dataset", "publish", privOut, "--config", privateConfig, "--hub-url", hub.url], {
        HF_TOKEN: token,
      });
      expect(priv.code).toBe(0);
      expect((await fetch(`${hub.url}/api/datasets/model-release-demo/robot-jobfiles-private`)).status).toBe(404);
      expect(
        (
          await fetch(`${hub.url}/api/datasets/model-release-demo/robot-jobfiles-private`, {
            headers: { authorization: `Bearer ${token}` },
          })
        ).status,
      ).toBe(200);
      expect((await fetch(`${hub.url}/api/datasets/model-release-demo/robot-jobfiles-sample`)).status).toBe(200);

      const gh = await cliAsync(["dataset", "publish", out, "--to", "hf,github", "--hub-url", hub.url], {
        HF_TOKEN: token,
      });
      expect(gh.code).toBe(2);
      // Datasets go to the Hub only: `--to` is not offered at all (see its --help).
      expect(gh.stderr).toContain("unknown option '--to'");
      const manifest = JSON.parse(await readFile(path.join(out, "manifest.json"), "utf8"));
      await writeFile(
        path.join(out, "manifest.json"),
        JSON.stringify({ ...manifest, hub: { ...manifest.hub, repoType: "model" } }),
      );
      const model = await cliAsync(["dataset", "publish", out, "--hub-url", hub.url], { HF_TOKEN: token });
      expect(model.code).toBe(2);
      expect(model.stderr).toContain("error[NOT_A_DATASET_BUNDLE]");
    } finally {
      await hub.close();
    }
  });
});

describe("model-release dataset build: the card's own text is scanned", () => {
  it("blocks a token, an internal host and a redacted customer written into the summary, naming line and rule only", async () => {
    const dir = path.join(work, "leaky-dataset");
    await cp(path.join(REPO, "datasets/robot-jobfiles-sample"), dir, { recursive: true });
    const file = path.join(dir, "dataset.yaml");
    const token = "hf_Q7mX2pLk9RtV4nB8cZ1wY6sD3fG5hJ0aEu";
    const yaml = (await readFile(file, "utf8")).replace(
      "consistent placeholders.",
      `consistent placeholders. Ask gpu07.hmg-ai.internal (${token}) about Vantor Castings.`,
    );
    await writeFile(file, yaml);
    const r = cli(["dataset", "build", "--config", file, "--out", path.join(dir, "out")]);
    expect(r.code).toBe(3);
    for (const rule of ["hf-token", "internal-hostname", "customer-name"])
      expect(r.stderr).toMatch(new RegExp(`README\\.md:\\d+ \\[${rule}\\]`));
    for (const s of [token, "gpu07", "Vantor"]) expect(`${r.stdout}${r.stderr}`).not.toContain(s);
  });
});
