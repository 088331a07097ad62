import { readFileSync } from "node:fs";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { buildProgram } from "../../src/cli/program.js";
import { renderError } from "../../src/cli/render-error.js";
import { resolvePublishEndpoints } from "../../src/cli/resolve-publish-env.js";
import { parseReleaseConfig } from "../../src/config/load-release-config.js";
import { renderReleaseConfigJsonSchema } from "../../src/config/render-json-schema.js";
import { planReleaseFromTag } from "../../src/publish/plan-release-from-tag.js";

/** The real commander program, its output discarded. */
const quietProgram = () =>
  buildProgram({
    stdout: new PassThrough(),
    stderr: new PassThrough(),
    env: {},
    cwd: process.cwd(),
    redaction: { patterns: [] },
  });

/** Runs the real commander program in-process and returns what it printed on stderr. */
async function parseErrors(argv: string[]): Promise<string> {
  const stderr = new PassThrough();
  const chunks: string[] = [];
  stderr.on("data", (c: Buffer) => chunks.push(c.toString()));
  const program = buildProgram({
    stdout: new PassThrough(),
    stderr,
    env: {},
    cwd: process.cwd(),
    redaction: { patterns: [] },
  });
  await expect(program.parseAsync(argv, { from: "user" })).rejects.toThrow();
  return chunks.join("");
}

function thrown(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return renderError(err).text;
  }
  throw new Error("expected an error");
}

describe("every command takes --json, as the README says", () => {
  it("schema --json prints the JSON Schema", async () => {
    const stdout = new PassThrough();
    const chunks: string[] = [];
    stdout.on("data", (c: Buffer) => chunks.push(c.toString()));
    const program = buildProgram({
      stdout,
      stderr: new PassThrough(),
      env: {},
      cwd: process.cwd(),
      redaction: { patterns: [] },
    });
    await program.parseAsync(["schema", "--json"], { from: "user" });
    expect(JSON.parse(chunks.join(""))).toEqual(JSON.parse(renderReleaseConfigJsonSchema()));
  });

  it("every command and subcommand offers --json", () => {
    const program = quietProgram();
    const leaves = program.commands.flatMap((c) => (c.commands.length > 0 ? c.commands : [c]));
    const without = leaves.filter((c) => !c.options.some((o) => o.long === "--json")).map((c) => c.name());
    expect(without).toEqual([]);
  });
});

describe("usage errors a newcomer meets in the first hour", () => {
  it("names a misspelt option and suggests the real one before complaining about required ones", async () => {
    const text = await parseErrors(["build", "--confg", "x.yaml", "--version", "1.0.0", "--out", "o"]);
    expect(text).toContain("unknown option '--confg'");
    expect(text).toContain("Did you mean --config?");
    expect(text).not.toContain("required option");
  });

  it("still says which required option is missing when nothing is misspelt", async () => {
    const text = await parseErrors(["build", "--version", "1.0.0", "--out", "o"]);
    expect(text).toContain("required option '--config <yaml>' not specified");
  });

  it("says a misspelt config field once, with the field it meant, and no repeated location line", () => {
    const demo = readFileSync("release-configs/demo.yaml", "utf8");
    const text = thrown(() => parseReleaseConfig(demo.replace(/^base_model:/m, "base_modle:"), "demo.yaml"));
    expect(text).toContain("unknown field 'base_modle': did you mean 'base_model'?");
    expect(text).not.toContain("expected string, received undefined");
    expect(text).toContain("(1 problem)");
    expect(text).not.toMatch(/\n {2}at /);
  });

  it("says what is wrong with a malformed token without showing it", () => {
    const text = thrown(() => resolvePublishEndpoints({ env: { HF_TOKEN: "hf_bogus" }, targets: ["hf"] }));
    expect(text).toContain("HF_TOKEN does not look like a token: it is 8 characters long; tokens of this kind have 37");
    expect(text).not.toContain("bogus");
    const quoted = thrown(() =>
      resolvePublishEndpoints({ env: { HF_TOKEN: `"hf_${"a".repeat(34)}"` }, targets: ["hf"] }),
    );
    expect(quoted).toContain("wrapped in quotes");
    const other = thrown(() =>
      resolvePublishEndpoints({ env: { HF_TOKEN: `ghp_${"a".repeat(36)}` }, targets: ["hf"] }),
    );
    expect(other).toContain("does not start with hf_");
  });

  it("says a folder without manifest.json is not a bundle, and how to build one", async () => {
    const { mkdtemp } = await import("node:fs/promises");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const { readReleaseBundle } = await import("../../src/publish/read-release-bundle.js");
    const dir = await mkdtemp(join(tmpdir(), "mr-not-a-bundle-"));
    const err = await readReleaseBundle(dir).then(
      () => undefined,
      (e: unknown) => e,
    );
    const text = renderError(err).text;
    expect(text).toContain(`${dir} is not a bundle: it has no manifest.json`);
    expect(text).toContain("model-release build --config");
    expect(text).not.toContain("ENOENT");
    expect(renderError(err).exitCode).toBe(7);
  });

  it("inspect on a missing folder names the folder and gives a hint that fits inspect", async () => {
    const { inspectCheckpoint } = await import("../../src/checkpoint/inspect-checkpoint.js");
    const err = await inspectCheckpoint({ dir: "/nonexistent/ckpt" }).then(
      () => undefined,
      (e: unknown) => e,
    );
    const text = renderError(err).text;
    expect(text).toContain("checkpoint folder /nonexistent/ckpt does not exist");
    expect(text).toContain("`inspect <dir>`");
  });

  it("build with a config whose checkpoint is missing names the config field, and explains a redacted path", async () => {
    const { mkdtemp, writeFile } = await import("node:fs/promises");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const { planBuild } = await import("../../src/bundle/build-release.js");
    const dir = await mkdtemp(join(tmpdir(), "mr-missing-ckpt-"));
    const config = join(dir, "release.yaml");
    const demo = readFileSync(new URL("../../release-configs/demo.yaml", import.meta.url), "utf8");
    // A path with a user name: it must not print, so the error has to say where it comes from.
    await writeFile(config, demo.replace(/^checkpoint: .*$/m, "checkpoint: /home/kimjh/runs/checkpoint-500"));
    const err = await planBuild({ configFile: config, version: "1.0.0" }).then(
      () => undefined,
      (e: unknown) => e,
    );
    const { text, exitCode } = renderError(err);
    expect(exitCode).toBe(2);
    expect(text).toContain("error[CHECKPOINT_NOT_FOUND]: the config's `checkpoint` names [REDACTED:user-path]");
    expect(text).toContain(`at ${config} (checkpoint)`);
    expect(text).toContain("note: [REDACTED:<rule>] stands for text a detector matched");
    expect(text).not.toContain("kimjh");
    // Given by flag: the flag is blamed, and there is no location to point at.
    const byFlag = await planBuild({ configFile: config, version: "1.0.0", checkpoint: "/home/kimjh/elsewhere" }).then(
      () => undefined,
      (e: unknown) => e,
    );
    const flagText = renderError(byFlag).text;
    expect(flagText).toContain("error[CHECKPOINT_NOT_FOUND]: --checkpoint names [REDACTED:user-path]");
    expect(flagText).toContain("hint: pass the folder that holds config.json and the weights");
    expect(flagText).not.toContain("  at ");
    expect(flagText).not.toContain("the location above");
    expect(flagText).not.toContain("kimjh");
    // Nothing redacted, no note.
    expect(renderError(new Error("plain")).text).not.toContain("note:");
  });

  it("blames --from-tag, not GITHUB_REF_NAME, for a tag that matches no config", () => {
    const text = thrown(() =>
      planReleaseFromTag("nonsense", [{ file: "d.yaml", name: "demo", tagFormat: "v{version}" }]),
    );
    expect(text).toContain("(--from-tag)");
    expect(text).not.toContain("GITHUB_REF_NAME");
  });
});

describe("hints name only flags that exist", () => {
  it("every --flag in a hint of the source is an option of some command", async () => {
    const { readdir, readFile } = await import("node:fs/promises");
    const { join } = await import("node:path");
    const program = quietProgram();
    const all = [program, ...program.commands, ...program.commands.flatMap((c) => c.commands)];
    const known = new Set(all.flatMap((c) => c.options.map((o) => o.long)).concat(["--help", "--version"]));
    const src = join(import.meta.dirname, "../../src");
    const named: string[] = [];
    for (const e of await readdir(src, { recursive: true, withFileTypes: true })) {
      if (!e.isFile() || !e.name.endsWith(".ts")) continue;
      const text = await readFile(join(e.parentPath, e.name), "utf8");
      for (const m of text.matchAll(/hint:\s*(`[^`]*`|"(?:[^"\\]|\\.)*")/g))
        for (const f of m[1]!.matchAll(/(?<![\w-])--[a-z][a-z-]+/g)) named.push(`${f[0]} (${e.name})`);
    }
    expect(named.length).toBeGreaterThan(30);
    expect(named.filter((n) => !known.has(n.split(" ")[0]))).toEqual([]);
  });
});

describe("the README's commands work as written", () => {
  const readme = readFileSync("README.md", "utf8");

  it("the quick start is exactly two commands: install and run the demo, then all tests", () => {
    const block = /## Quick start[\s\S]*?```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
    const commands = block.split("\n").filter((l) => l.trim() !== "");
    expect(commands.map((l) => l.replace(/\s+#.*$/, ""))).toEqual(["npm ci && npm run demo", "npm test"]);
  });
  const program = buildProgram({
    stdout: new PassThrough(),
    stderr: new PassThrough(),
    env: {},
    cwd: process.cwd(),
    redaction: { patterns: [] },
  });
  // Every leaf command by its full name: "build", "dataset publish", ...
  const commands = program.commands.flatMap((c) =>
    c.commands.length > 0 ? c.commands.map((s) => `${c.name()} ${s.name()}`) : [c.name()],
  );
  const tableRows = readme.split("\n").filter((l) => l.startsWith("| `model-release "));
  const shellLines = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)]
    .flatMap((m) => (m[1] ?? "").split("\n"))
    .filter((l) => l.trim() !== "" && !l.trim().startsWith("#") && !/^\s/.test(l));

  it("lists every command of the program in the command table", () => {
    const missing = commands.filter((name) => !tableRows.some((row) => row.startsWith(`| \`model-release ${name}`)));
    expect(missing).toEqual([]);
    expect(commands).toEqual(expect.arrayContaining(["convert-pickle", "dataset schema", "dataset publish"]));
  });

  it("runs the tool as `model-release` (on PATH after the `npm link` it explains once) and every named subcommand exists", () => {
    expect(readme).toMatch(/ran `npm link` once/);
    const names = new Set(program.commands.map((c) => c.name()));
    for (const line of shellLines) {
      const first = line.split(/\s+/)[0] ?? "";
      // `npx model-release` run before a build caches a link without the command (see the README).
      expect(line, line).not.toMatch(/^npx model-release/);
      // hf and sha256sum: what a reader of a public release runs without this tool (the release notes print them).
      expect(["model-release", "npm", "export", "eval", "until", "model_signing", "gh", "hf", "(cd"], line).toContain(
        first,
      );
      if (first === "model-release") expect(names, line).toContain(line.split(/\s+/)[1]);
    }
    expect(shellLines.filter((l) => l.startsWith("model-release ")).length).toBeGreaterThan(5);
  });

  it("offers dataset publish only the Hub flags: no --to, no GitHub endpoint or token", () => {
    const publish = program.commands.find((c) => c.name() === "dataset")?.commands.find((c) => c.name() === "publish");
    const longs = publish?.options.map((o) => o.long) ?? [];
    expect(longs).toEqual(expect.arrayContaining(["--hub-url", "--hf-token", "--dry-run", "--json"]));
    expect(longs.filter((l) => l === "--to" || l?.startsWith("--github"))).toEqual([]);
    const modelPublish = program.commands.find((c) => c.name() === "publish");
    expect(modelPublish?.options.map((o) => o.long)).toEqual(expect.arrayContaining(["--to", "--github-token"]));
  });
});
