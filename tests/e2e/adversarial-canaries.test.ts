import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AdversarialCase, writeAdversarialFixtures } from "../fixtures/adversarial/generate.js";
import { canariesInText, canariesInTree } from "../lib/find-canaries.js";
import type { Finding } from "../../src/findings.js";

/**
 * The proof of issue 11: every adversarial checkpoint is built, scanned and inspected with the
 * built CLI (human, --json, and inside GitHub Actions with a step summary), and no canary is in
 * any byte of the bundle, in any decoded form of a shipped file, in any file or folder name, in
 * stdout, stderr or the step summary; no output carries a raw control character or a forged
 * workflow command; every malicious pickle is blocked and absent; nothing ran.
 */

const root = path.resolve(import.meta.dirname, "../..");
const bin = path.join(root, "dist/cli/bin.js");
let tmp = "";
let cases: AdversarialCase[] = [];

/**
 * `<case id>: <check>` pairs that fail until the detection engine (rules, normalisation,
 * encodings) and the structure work (strict JSON, keys, file types, pickles) of issue 11 are
 * merged. Everything about printing and escaping is outside this list and must pass.
 */

type Check = "prints nothing" | "ships nothing" | "blocks and runs nothing";
const CHECKS: Check[] = ["prints nothing", "ships nothing", "blocks and runs nothing"];

// The environment of a developer's shell, without anything that changes what the CLI does.
const baseEnv = Object.fromEntries(
  Object.entries(process.env).filter(
    ([k]) => !/^(?:GITHUB_|HF_|MODEL_RELEASE_|ACTIONS_|RUNNER_)/.test(k) && k !== "CI",
  ),
) as NodeJS.ProcessEnv;

interface Run {
  args: string[];
  code: number | null;
  stdout: string;
  stderr: string;
}

// All cases run at once through this many processes: the wall time is the CPU time over the cores.
const POOL = Math.max(2, os.availableParallelism());
let running = 0;
const waiting: (() => void)[] = [];
async function cli(args: string[], env: NodeJS.ProcessEnv = baseEnv): Promise<Run> {
  if (running >= POOL) await new Promise<void>((r) => waiting.push(r));
  running++;
  try {
    return await spawnCli(args, env);
  } finally {
    running--;
    waiting.shift()?.();
  }
}

function spawnCli(args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: tmp, env, stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({
        args,
        code,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
      });
    });
  });
}

/**
 * Cases whose names, keys or excerpts reach the output: also `scan --json`, `inspect` and, even
 * when the build passed, `release --dry-run` under GITHUB_ACTIONS=true (the other cases' canaries
 * are content, and `build` and `scan` already print everything they find).
 */
const EVERY_OUTPUT = new Set([
  "keys-and-names",
  "normalisation-encodings",
  "printed-pointer",
  "printed-index-key",
  "printed-excerpt",
  "terminal-injection",
  "printed-run-host-names",
  "service-tokens",
  "cards-accounts-shares",
]);

interface CaseRuns {
  build: Run;
  scan: Run;
  scanJson?: Run;
  inspect?: Run;
  /** `release --dry-run --json` inside GitHub Actions, when the build fails (so nothing is contacted). */
  actions?: Run;
  summary: string;
  bundles: string[];
}

const runs = new Map<string, Promise<CaseRuns>>();

/** Runs the CLI on one case (memoised: every check of a case reads the same runs). */
function runCase(c: AdversarialCase): Promise<CaseRuns> {
  let p = runs.get(c.id);
  if (!p) {
    p = (async () => {
      const base = path.dirname(c.config);
      const bundle = path.join(base, "bundle");
      const releaseBundle = path.join(base, "release-bundle");
      const summaryFile = path.join(base, "step-summary.md");
      const every = EVERY_OUTPUT.has(c.id);
      const [build, scan, scanJson, inspect] = await Promise.all([
        cli(["build", "--config", c.config, "--version", "1.0.0", "--out", bundle, "--unsigned"]),
        cli(["scan", c.dir, "--config", c.config]),
        every || c.flagged ? cli(["scan", c.dir, "--config", c.config, "--json"]) : undefined,
        every ? cli(["inspect", c.dir, "--config", c.config]) : undefined,
      ]);
      const actions =
        // A build that passed (files dropped, values rewritten) also prints its lists under Actions.
        build.code === 0 && !every
          ? undefined
          : await cli(
              [
                "release",
                "--config",
                c.config,
                "--version",
                "1.0.0",
                "--out",
                releaseBundle,
                "--dry-run",
                "--json",
                "--to",
                "hf",
                "--hub-url",
                "http://127.0.0.1:9",
                "--unsigned",
              ],
              { ...baseEnv, GITHUB_ACTIONS: "true", GITHUB_STEP_SUMMARY: summaryFile, GITHUB_RUN_ID: "1" },
            );
      const summary = existsSync(summaryFile) ? await readFile(summaryFile, "utf8") : "";
      return { build, scan, scanJson, inspect, actions, summary, bundles: [bundle, releaseBundle] };
    })();
    runs.set(c.id, p);
  }
  return p;
}

const outputs = (r: CaseRuns) =>
  [r.build, r.scan, r.scanJson, r.inspect, r.actions].flatMap((run) =>
    !run
      ? []
      : [
          {
            where: `stdout of ${run.args.slice(0, 2).join(" ")}${run.args.includes("--json") ? " --json" : ""}`,
            text: run.stdout,
          },
          {
            where: `stderr of ${run.args.slice(0, 2).join(" ")}${run.args.includes("--json") ? " --json" : ""}`,
            text: run.stderr,
          },
        ],
  );

/** The checks of one case; each is an `it` in the block its key belongs to. */
async function check(c: AdversarialCase, what: Check): Promise<void> {
  const r = await runCase(c);
  // Never a crash (1) or a rejected config (2): whatever the input, the CLI decides.
  for (const run of [r.build, r.scan, r.scanJson ?? r.scan])
    expect([1, 2], `${run.args.join(" ")} exited ${run.code}:\n${run.stderr}`).not.toContain(run.code);
  if (what === "prints nothing") {
    const hits: string[] = [];
    for (const o of [...outputs(r), { where: "step summary", text: r.summary }]) {
      for (const h of canariesInText(o.text, c.canaries)) hits.push(`${h} in ${o.where}`);
      // Nothing that drives a terminal: C0 but line feeds, DEL, C1, bidi and zero-width characters.
      const raw = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/.exec(o.text);
      if (raw) hits.push(`raw U+${raw[0].charCodeAt(0).toString(16).padStart(4, "0")} in ${o.where}`);
      // A workflow command only where the CLI writes one itself: `::error ` annotations.
      for (const line of o.text.split("\n"))
        if (/^\s*::(?!error (?:file|title)=)/.test(line) || line.includes("##["))
          hits.push(`forged workflow command ${JSON.stringify(line)} in ${o.where}`);
    }
    expect(hits, c.what).toEqual([]);
    // The Actions run wrote its failure summary and annotations.
    if (r.actions && r.build.code !== 0) {
      expect(r.summary, "step summary").toMatch(/## Release failed/);
      expect(r.actions.stdout, "annotations").toMatch(/^::error /m);
    }
    return;
  }
  if (what === "ships nothing") {
    const hits: string[] = [];
    for (const dir of r.bundles) hits.push(...(await canariesInTree(dir, c.canaries)));
    for (const dir of r.bundles) {
      const files = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
      for (const f of files.filter((e) => e.isFile())) {
        const bytes = await readFile(path.join(f.parentPath, f.name));
        for (const p of c.pickles ?? [])
          if (bytes.includes(p))
            hits.push(`malicious pickle in ${path.relative(dir, path.join(f.parentPath, f.name))}`);
      }
    }
    expect(hits, c.what).toEqual([]);
    return;
  }
  // blocks and runs nothing
  if (c.mustBlock) {
    expect(r.build.code, `build of ${c.id}:\n${r.build.stdout}\n${r.build.stderr}`).toBe(3);
    expect(r.scan.code, `scan of ${c.id}:\n${r.scan.stdout}`).toBe(3);
    if (r.scanJson) expect(r.scanJson.code).toBe(3);
  }
  if (c.flagged) {
    // Each planted form is found on its own: a build that blocks for one of them would otherwise
    // pass "ships nothing" and "prints nothing" for all the others.
    const found = (
      (JSON.parse(r.scanJson?.stdout ?? "{}") as { error?: { details?: { findings?: Finding[] } } }).error?.details
        ?.findings ?? []
    ).filter((f) => f.severity === "block");
    const missed = c.flagged.filter(
      (p) => !found.some((f) => f.file === p.file && (f.pointer ?? "").startsWith(p.pointer)),
    );
    expect(missed, `${c.id}: places without a blocking finding`).toEqual([]);
  }
  if (c.marker) {
    expect(existsSync(c.marker), "a payload ran").toBe(false);
    expect(existsSync(`${c.marker}.p1`), "a payload ran").toBe(false);
  }
}

beforeAll(async () => {
  if (!existsSync(bin)) throw new Error("run `npm run build` before the e2e tests");
  tmp = await mkdtemp(path.join(os.tmpdir(), "adversarial-"));
  cases = await writeAdversarialFixtures(tmp);
  // Start every case now; each check awaits its own.
  // A failure surfaces in every check that awaits the same promise, not here.
  for (const c of cases) runCase(c).catch(() => undefined);
}, 60_000);
afterAll(() => rm(tmp, { recursive: true, force: true }));

// The case list is fixed by the generator; ids are known before the fixtures are written.
const CASE_IDS = [
  "json-assignment",
  "provider-formats",
  "service-tokens",
  "cards-accounts-shares",
  "korean-personal-data",
  "normalisation-encodings",
  "gzip-in-text-role",
  "keys-and-names",
  "hosts-addresses",
  "duplicate-json-keys",
  "claims-another-type",
  "scan-build-disagree",
  "printed-pointer",
  "printed-index-key",
  "printed-excerpt",
  "printed-run-host-names",
  "terminal-injection",
  "generated-documents",
  "byte-tensors",
] as const;
const byId = (id: string) => {
  const c = cases.find((x) => x.id === id);
  if (!c) throw new Error(`no adversarial case ${id}`);
  return c;
};
const pairs = CASE_IDS.flatMap((id) => CHECKS.map((what) => ({ id, what, key: `${id}: ${what}` })));

describe("adversarial canaries (issue 11)", () => {
  it("the corpus covers every class of issue 11 (and the two found later), each case with its own canaries", () => {
    expect(cases.map((c) => c.id).sort()).toEqual([...CASE_IDS].sort());
    expect(new Set(cases.map((c) => c.leakClass)).size).toBe(14);
    const all = cases.flatMap((c) => c.canaries);
    expect(new Set(all).size).toBe(all.length);
  });

  it.each(pairs)("$key", async ({ id, what }) => check(byId(id), what), 240_000);
});
