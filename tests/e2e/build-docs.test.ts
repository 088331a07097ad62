import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCliSync } from "./helpers/run-cli.js";

const REPO = path.resolve(import.meta.dirname, "..", "..");
let work: string;

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), "mr-e2e-cards-"));
});
afterAll(async () => rm(work, { recursive: true, force: true }));

function cli(args: string[]) {
  return runCliSync(args, { cwd: REPO, env: { ...process.env, XDG_CACHE_HOME: path.join(work, "cache") } });
}

/** The demo config's text, with the sample paths made absolute (so it works from any folder). */
async function demoConfigText(): Promise<string> {
  const demo = await readFile(path.join(REPO, "release-configs/demo.yaml"), "utf8");
  return demo.replaceAll("../samples/", `${path.join(REPO, "samples")}/`);
}

/** The demo config, moved next to a release result that regressed against the previous one. */
async function regressedConfig(): Promise<string> {
  const demo = await demoConfigText();
  const y = (v: number) =>
    `format: model-release/evals@1\nharness: {name: drl-bench, version: 0.4.2}\nbenchmarks:\n  - name: jobfile-to-drl\n    samples: 412\n    metrics:\n      - {name: exact_match, value: ${v}}\n`;
  await writeFile(path.join(work, "release.yaml"), y(0.5));
  await writeFile(path.join(work, "previous.yaml"), y(0.574));
  const text = demo.replace(
    /^evals:\n( {2}.*\n)+/m,
    "evals:\n  results: [release.yaml]\n  previous: [previous.yaml]\n  previous_version: 0.9.0\n  regression_threshold: 0.02\n",
  );
  const file = path.join(work, "regressed.yaml");
  await writeFile(file, text);
  return file;
}

describe("model-release build: card, examples and evaluation gate", () => {
  it("refuses a regression with exit 3, naming the metric and the flag", async () => {
    const config = await regressedConfig();
    const r = cli(["build", "--config", config, "--version", "1.0.0", "--out", path.join(work, "blocked")]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("error[RELEASE_DOCS_BLOCKED]");
    expect(r.stderr).toContain("jobfile-to-drl/exact_match dropped from 57.4% (v0.9.0) to 50.0%");
    expect(r.stderr).toContain("--allow-regression");
  });

  it("releases with --allow-regression and the card says so", async () => {
    const config = await regressedConfig();
    const out = path.join(work, "allowed");
    const r = cli([
      "build",
      "--config",
      config,
      "--version",
      "1.0.0",
      "--out",
      out,
      "--allow-regression",
      "--date",
      "2026-11-20",
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const readme = await readFile(path.join(out, "README.md"), "utf8");
    expect(readme).toContain("> [!CAUTION]");
    expect(readme).toContain("released with `--allow-regression`");
    expect(readme).toContain("| Version | 1.0.0 (2026-11-20) |");
  });

  it("shows blocking card findings in --dry-run without staging", async () => {
    const config = await regressedConfig();
    const r = cli(["build", "--config", config, "--version", "1.0.0", "--out", path.join(work, "dry"), "--dry-run"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/BLOCK release\.yaml \[eval-regression\] jobfile-to-drl\/exact_match dropped/);
  });

  it("rejects a malformed --date", () => {
    const r = cli([
      "build",
      "--config",
      "release-configs/demo.yaml",
      "--version",
      "1.0.0",
      "--out",
      path.join(work, "d"),
      "--date",
      "yesterday",
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("error[BAD_DATE]");
  });
});

describe("the shipped robot-coder and inspection-vlm configs build out of the box", () => {
  it.each(["robot-coder", "inspection-vlm"])(
    "%s: sample checkpoint, LICENSE, and every card link in the bundle",
    async (name) => {
      const out = path.join(work, `shipped-${name}`);
      const r = cli(["build", "--config", `release-configs/${name}.yaml`, "--version", "1.0.0", "--out", out]);
      expect(r.code, r.stderr).toBe(0);
      const licence = await readFile(path.join(out, "LICENSE"), "utf8");
      expect(licence).toContain("Apache License");
      for (const card of ["README.md", "README.ko.md"]) {
        const text = await readFile(path.join(out, card), "utf8");
        for (const m of text.matchAll(/\]\(([^)\s#]+)[^)]*\)/g)) {
          const target = m[1]!;
          if (/^[a-z]+:/i.test(target)) continue;
          await expect(
            readFile(path.join(out, target)).then(
              () => true,
              () => target.endsWith("/"),
            ),
          ).resolves.toBe(true);
        }
      }
      if (name === "inspection-vlm") {
        const py = await readFile(path.join(out, "examples/transformers_inspect.py"), "utf8");
        expect(py).toContain("/resolve/inspection-vlm-v1.0.0/assets/inspection-vlm-example.png");
        await expect(readFile(path.join(out, "assets/inspection-vlm-example.png"))).resolves.toBeTruthy();
      }
    },
  );
});

describe("model-release build: the generated documents are scanned like the checkpoint", () => {
  const TOKEN = "hf_Q7mX2pLk9RtV4nB8cZ1wY6sD3fG5hJ0aEu";
  const HOST = "gpu07.hmg-ai.internal";
  const CUSTOMER = "Kanary Motors";

  /** The demo config with sensitive text in the card's own fields, and the customer as a pattern. */
  async function leakyConfig(): Promise<string> {
    const text = (await demoConfigText())
      .replace(
        "It is not trained to do anything useful.",
        `It is not trained. Ask ops at ${HOST} (token ${TOKEN}) about ${CUSTOMER.toUpperCase().replace(" ", "_")}.`,
      )
      .replace("values: [Vantor Castings, Hanbit Motors]", `values: [Vantor Castings, Hanbit Motors, ${CUSTOMER}]`);
    expect(text).toContain(TOKEN);
    const file = path.join(work, "leaky.yaml");
    await writeFile(file, text);
    return file;
  }

  it("blocks a token, an internal host and a customer name written into the card's fields, naming file, line and rule only", async () => {
    const out = path.join(work, "leaky");
    const r = cli(["build", "--config", await leakyConfig(), "--version", "1.0.0", "--out", out]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("error[RELEASE_DOCS_BLOCKED]");
    for (const rule of ["hf-token", "internal-hostname", "customer-name"])
      expect(r.stderr).toMatch(new RegExp(`README\\.md:\\d+ \\[${rule}\\]`));
    for (const secret of [TOKEN, HOST, "KANARY", "Kanary"]) expect(`${r.stdout}${r.stderr}`).not.toContain(secret);
    await expect(readFile(path.join(out, "README.md"))).rejects.toThrow();
  });

  it("blocks a repository named after a configured customer, pointing at the config field", async () => {
    const file = path.join(work, "named.yaml");
    await writeFile(
      file,
      (await demoConfigText())
        .replace("repo: demo-org/robot-coder-demo\n  private", "repo: demo-org/kanary-motors-coder\n  private")
        .replace("values: [Vantor Castings, Hanbit Motors]", `values: [Vantor Castings, Hanbit Motors, ${CUSTOMER}]`),
    );
    const r = cli(["build", "--config", file, "--version", "1.0.0", "--out", path.join(work, "named")]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("release config /hub/repo [customer-name]");
    expect(`${r.stdout}${r.stderr}`).not.toMatch(/kanary/i);
  });

  it("the demo's own documents hold nothing a rule flags (versions, shell defaults)", () => {
    const r = cli([
      "build",
      "--config",
      "release-configs/demo.yaml",
      "--version",
      "1.0.0",
      "--out",
      path.join(work, "demo-clean"),
    ]);
    expect(r.code, r.stderr).toBe(0);
  });
});

describe("model-release build: the example image ships without its metadata", () => {
  it("removes EXIF-like text from a vision release's example image and says so by kind only", async () => {
    const sample = await readFile(path.join(REPO, "samples/inspection-vlm-example.png"));
    // The sample with a text chunk after IHDR (CRC is not checked by the stripper, but keep it plausible).
    const ihdrEnd = 8 + 25;
    const text = Buffer.from("tEXtGPS\0 35.5384 N 129.3114 E Kanary Motors Ulsan", "latin1");
    const len = Buffer.alloc(4);
    len.writeUInt32BE(text.length - 4);
    const tagged = Buffer.concat([sample.subarray(0, ihdrEnd), len, text, Buffer.alloc(4), sample.subarray(ihdrEnd)]);
    const image = path.join(work, "plant-photo.png");
    await writeFile(image, tagged);
    const config = await readFile(path.join(REPO, "release-configs/inspection-vlm.yaml"), "utf8");
    const file = path.join(work, "vlm.yaml");
    await writeFile(
      file,
      config
        .replaceAll("../samples/", `${path.join(REPO, "samples")}/`)
        .replaceAll("../evals/", `${path.join(REPO, "evals")}/`)
        .replace(/example_image: .*/, `example_image: ${image}`),
    );
    const out = path.join(work, "vlm-out");
    const r = cli(["build", "--config", file, "--version", "1.0.0", "--out", out]);
    expect(r.code, r.stderr).toBe(0);
    expect(await readFile(path.join(out, "report.md"), "utf8")).toContain("PNG tEXt");
    expect(`${r.stdout}${r.stderr}`).not.toContain("129.3114");
    const shipped = await readFile(path.join(out, "assets/plant-photo.png"));
    expect(shipped.toString("latin1")).not.toContain("129.3114");
    expect(shipped.length).toBe(sample.length);
  });
  it.each([
    ["is not a PNG or JPEG", "not-an-image.png", "not a well-formed PNG or JPEG"],
    ["cannot be read", "missing.png", "cannot be read: check the path"],
  ])("blocks an example image that %s, saying how to fix it", async (_what, name, message) => {
    if (name === "not-an-image.png") await writeFile(path.join(work, name), "\x80\x02cposix\nsystem\n");
    const config = await readFile(path.join(REPO, "release-configs/inspection-vlm.yaml"), "utf8");
    const file = path.join(work, `vlm-${name}.yaml`);
    await writeFile(
      file,
      config
        .replaceAll("../samples/", `${path.join(REPO, "samples")}/`)
        .replace(/example_image: .*/, `example_image: ${path.join(work, name)}`),
    );
    const r = cli(["build", "--config", file, "--version", "1.0.0", "--out", path.join(work, `vlm-${name}-out`)]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("[card-example-image]");
    expect(r.stderr).toContain(message);
  });
});
