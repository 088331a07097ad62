import { execFileSync, spawn } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { Octokit } from "octokit";
import { standInEnv } from "./helpers/run-cli.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CodeCanary, writeCodeAdversarialCorpus } from "../fixtures/code-adversarial/generate.js";
import { writeTestBundle } from "../integration/helpers/publish-bundle.js";
import { startStandIns, type StandIns } from "../integration/helpers/stand-ins.js";

const BIN = resolve(import.meta.dirname, "../../dist/cli/bin.js");
let s: StandIns;
let canaries: CodeCanary[];
const out: Record<string, { code: number | null; stdout: string; stderr: string }> = {};
let repoText = "";
let releaseText = "";
let mirror = "";
let summary = "";

function cli(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [BIN, ...args], { env, cwd: s.root });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((done) =>
    child.on("close", (code) => done({ code, stdout, stderr })),
  );
}

async function config(name: string, source: string, paths: string[]): Promise<string> {
  const file = join(s.root, `${name}.yaml`);
  await writeFile(
    file,
    [
      "name: robot-coder",
      "checkpoint: ./unused",
      "base_model: openai/gpt-oss-120b",
      "task: text-generation",
      "hub: { repo: acme/robot-coder }",
      "github:",
      "  repo: acme/robot-coder",
      "  code:",
      `    source: ${source}`,
      `    paths: ${JSON.stringify(paths)}`,
      "",
    ].join("\n"),
  );
  return file;
}

beforeAll(async () => {
  s = await startStandIns();
  canaries = await writeCodeAdversarialCorpus(join(s.root, "corpus"));
  const env = {
    ...standInEnv(s),
    GITHUB_ACTIONS: "true",
    GITHUB_STEP_SUMMARY: join(s.root, "step-summary.md"),
  };
  const bundle = join(s.root, "bundle");
  await writeTestBundle(bundle, { version: "1.0.0", shards: 1 });
  const blocked = await config("blocked", join(s.root, "corpus", "blocked"), ["**"]);
  out.blockedJson = await cli(["publish", bundle, "--json", "--config", blocked], env);
  out.blocked = await cli(["publish", bundle, "--config", blocked], env);
  const clean = await config("clean", join(s.root, "corpus", "clean"), [
    "train/**",
    "notebooks/**",
    "assets/**",
    ".envrc",
  ]);
  out.clean = await cli(["publish", bundle, "--config", clean], env);
  summary = await readFile(join(s.root, "step-summary.md"), "utf8");
  mirror = join(s.root, "mirror.git");
  execFileSync("git", ["clone", "-q", "--mirror", s.gh.gitDir("acme", "robot-coder"), mirror]);
  repoText = execFileSync("git", ["log", "-p", "--all", "--format=%H %an %ae %s%n%b"], {
    cwd: mirror,
    maxBuffer: 1 << 26,
  }).toString("latin1");
  repoText += execFileSync("git", ["ls-tree", "-r", "--name-only", "v1.0.0"], { cwd: mirror }).toString();
  const octokit = new Octokit({ baseUrl: s.gh.url, auth: s.ghToken });
  const releases = await octokit.rest.repos.listReleases({ owner: "acme", repo: "robot-coder" });
  for (const r of releases.data) {
    releaseText += `${r.name}\n${r.body}\n`;
    for (const a of r.assets) {
      const res = await fetch(a.browser_download_url, { headers: { authorization: `Bearer ${s.ghToken}` } });
      releaseText += `${a.name}\n${Buffer.from(await res.arrayBuffer()).toString("latin1")}\n`;
    }
  }
}, 120_000);
afterAll(async () => s?.close());

const printed = () => [...Object.values(out).flatMap((r) => [r.stdout, r.stderr]), summary].join("\n");
const utf8InLatin1 = (v: string) => Buffer.from(v, "utf8").toString("latin1");

describe("code export, adversarial corpus (built CLI, GITHUB_ACTIONS=true, stand-ins, git clone --mirror)", () => {
  it("blocks the corpus of secrets before anything is pushed, exit 3, in --json and in ::error", () => {
    expect(out.blockedJson!.code).toBe(3);
    expect(out.blocked!.code).toBe(3);
    expect(out.blocked!.stdout + out.blocked!.stderr).toMatch(/::error file=deploy\/db\.yaml,line=3/);
    const json = JSON.parse(out.blockedJson!.stdout.trim().split("\n").at(-1)!);
    expect(json.error.code).toBe("CODE_SECRET_FOUND");
  });

  it("publishes the clean corpus, warns about the import of a file left out without naming it", () => {
    expect(out.clean!.code, out.clean!.stderr).toBe(0);
    expect(out.clean!.stderr).toContain(
      "train/uses_internal.py:1: imports a module of the source folder that the export leaves out",
    );
    expect(out.clean!.stderr).not.toContain("helpers");
  });

  it("keeps binary files byte for byte, and never exports compiled files, .envrc or a large file outside paths", () => {
    const logo = execFileSync("git", ["cat-file", "blob", "v1.0.0:assets/logo.png"], { cwd: mirror });
    expect(
      Buffer.compare(
        logo,
        Buffer.from([
          0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0xff, 0xfe, 0x80, 0x00, 0xc3, 0x28, 0xe2, 0x82, 0x28, 0x00,
          0x01,
        ]),
      ),
    ).toBe(0);
    const tree = execFileSync("git", ["ls-tree", "-r", "--name-only", "v1.0.0"], { cwd: mirror })
      .toString()
      .split("\n")
      .filter(Boolean);
    expect(tree).toEqual([
      "assets/logo.png",
      "notebooks/eval.ipynb",
      "train/space_marker.py",
      "train/train.py",
      "train/underscore_marker.py",
      "train/uses_internal.py",
    ]);
  });

  describe("no planted value in the repository (all history), the release, or any output", () => {
    it.each([
      "c01",
      "c02",
      "c03",
      "c04",
      "c05",
      "c06",
      "c07",
      "c08",
      "c09",
      "c10",
      "c11",
      "c12",
      "c13",
      "c14",
      "c15",
      "c16",
      "c17",
      "c18",
      "c19",
      "c20",
    ])("%s", (id) => {
      const c = canaries.find((x) => x.id === id)!;
      for (const v of c.values) {
        expect(printed(), `${c.cls}: printed`).not.toContain(v);
        expect(repoText, `${c.cls}: in the repository`).not.toContain(utf8InLatin1(v));
        expect(releaseText, `${c.cls}: in the release`).not.toContain(utf8InLatin1(v));
      }
      if (c.kind === "blocked") {
        const findings = JSON.parse(out.blockedJson!.stdout.trim().split("\n").at(-1)!).error.details.findings as {
          file: string;
        }[];
        expect(
          findings.map((f) => f.file),
          c.cls,
        ).toContain(c.file);
      }
    });
  });

  it("measured recall on the planted values", () => {
    console.info(`code adversarial recall: ${canaries.length} of ${canaries.length} cases blocked or removed`);
  });
});
