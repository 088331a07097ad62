import { describe, expect, it } from "vitest";
import { mkdtemp, readFile, writeFile, readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderReleaseNotes, parseEvalRows, parseCardSummary } from "../../../src/publish/render-release-notes.js";
import {
  acquirePublishLock,
  journalPath,
  readPublishJournal,
  writePublishJournal,
} from "../../../src/publish/publish-journal.js";
import { globToRegExp, planCodeExport, stripInternalBlocks } from "../../../src/publish/plan-code-export.js";
import { createRetryingFetch, retryAfterMs } from "../../../src/publish/create-retrying-fetch.js";
import { redactSecrets, translateRemoteError } from "../../../src/publish/translate-remote-error.js";
import { resolvePublishEndpoints } from "../../../src/cli/resolve-publish-env.js";
import { releaseErrorOf } from "../../lib/release-error-of.js";

describe("release notes", () => {
  it("renders summary, eval table, pinned Hub link and checksums", async () => {
    const notes = renderReleaseNotes({
      name: "robot-coder",
      version: "1.2.0",
      tag: "robot-coder-v1.2.0",
      hubUrl: "https://huggingface.co",
      hubRepo: "acme/robot-coder",
      repoType: "model",
      contentDigest: "c".repeat(64),
      summary: parseCardSummary(
        "---\nlicense: apache-2.0\n---\n# Robot coder\n\nConverts Hyundai job files to Doosan DRL.\n\n## Uses\n",
      ),
      evals: parseEvalRows({
        rows: [
          { benchmark: "job2drl", metric: "exact_match", value: 0.8123, previous: 0.8, base: 0.41 },
          { benchmark: "drl-syntax", metric: "pass@1", value: 0.9 },
          { junk: true },
        ],
      }),
      previousVersion: "1.1.0",
      sha256sums: `${"a".repeat(64)}  config.json\n${"b".repeat(64)}  model.safetensors\n`,
    });
    await expect(notes).toMatchFileSnapshot("__snapshots__/release-notes.md");
  });

  it("reads the evals stage's eval-results@1 with base and previous runs", () => {
    const m = (benchmark: string, value: number) => ({ benchmark, metric: "acc", value, scale: "fraction" });
    const rows = parseEvalRows({
      schema: "model-release/eval-results@1",
      runs: {
        release: { metrics: [m("arc", 0.6), m("gsm8k", 0.5)] },
        base: { metrics: [m("arc", 0.55)] },
        previous: { metrics: [m("gsm8k", 0.52)] },
      },
    });
    expect(rows).toEqual([
      { benchmark: "arc", metric: "acc", value: 0.6, base: 0.55 },
      { benchmark: "gsm8k", metric: "acc", value: 0.5, previous: 0.52 },
    ]);
  });

  it("finds the card summary after front matter and headings", () => {
    expect(parseCardSummary("# Title\n\n<img src=x>\n\nFirst prose.\n\nSecond.")).toBe("First prose.");
    expect(parseCardSummary("# only a title")).toBeUndefined();
  });
});

describe("publish journal", () => {
  it("writes atomically and resumes only for the same tag and content", async () => {
    const dir = await mkdtemp(join(tmpdir(), "journal-"));
    const fresh = await readPublishJournal(join(dir, ".model-release"), "v1.0.0", "d1");
    expect(fresh.steps).toEqual({});
    fresh.steps["hub-commit"] = { at: "2026-01-01T00:00:00Z", commit: "abc" };
    await writePublishJournal(join(dir, ".model-release"), fresh);
    expect((await readPublishJournal(join(dir, ".model-release"), "v1.0.0", "d1")).steps["hub-commit"]?.commit).toBe(
      "abc",
    );
    expect((await readPublishJournal(join(dir, ".model-release"), "v1.0.0", "other-digest")).steps).toEqual({});
    expect((await readdir(join(dir, ".model-release"))).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    await writeFile(journalPath(join(dir, ".model-release"), "v1.0.0"), "{broken");
    await expect(readPublishJournal(join(dir, ".model-release"), "v1.0.0", "d1")).rejects.toMatchObject({
      code: "BAD_JOURNAL",
    });
  });

  it("refuses a second live publish of one tag and takes over a dead one's lock", async () => {
    const dir = await mkdtemp(join(tmpdir(), "lock-"));
    const release = await acquirePublishLock(join(dir, ".model-release"), "v1.0.0");
    await expect(acquirePublishLock(join(dir, ".model-release"), "v1.0.0")).rejects.toMatchObject({
      code: "PUBLISH_IN_PROGRESS",
      category: "conflict",
    });
    await release();
    await writeFile(journalPath(join(dir, ".model-release"), "v1.0.0").replace(/\.json$/, ".lock"), "999999");
    const again = await acquirePublishLock(join(dir, ".model-release"), "v1.0.0", () => false);
    expect(await readFile(journalPath(join(dir, ".model-release"), "v1.0.0").replace(/\.json$/, ".lock"), "utf8")).toBe(
      String(process.pid),
    );
    await again();
  });
});

describe("code export", () => {
  it("strips BEGIN-INTERNAL/END-INTERNAL blocks", () => {
    const src = "a\n# BEGIN-INTERNAL\nsecret_host = 'x'\n# END-INTERNAL\nb\n// BEGIN-INTERNAL one line END-INTERNAL\nc";
    expect(stripInternalBlocks(src)).toEqual({ text: "a\nb\nc", removedLines: 4 });
  });

  it("refuses unbalanced markers with the line", () => {
    expect(releaseErrorOf(() => stripInternalBlocks("a\nBEGIN-INTERNAL\nb", "train.py")).message).toMatchInlineSnapshot(
      `"train.py:2: BEGIN-INTERNAL is never closed"`,
    );
    expect(releaseErrorOf(() => stripInternalBlocks("a\nEND-INTERNAL", "train.py")).location).toEqual({
      file: "train.py",
      line: 2,
    });
  });

  it("publishes only allowlisted paths, never .env or keys, and blocks on a secret finding", () => {
    const files = [
      { path: "train/train.py", content: "print(1)" },
      { path: "infer/run.py", content: "x" },
      { path: "infer/.env", content: "HF_TOKEN=hf_x" },
      { path: "notes/internal.md", content: "plans" },
      { path: "deploy/key.pem", content: "-----" },
    ];
    const plan = planCodeExport({ files, allow: ["train/**", "infer/**", "deploy/**"] });
    expect(plan.files.map((f) => f.path)).toEqual(["infer/run.py", "train/train.py"]);
    expect(plan.excluded).toEqual(["deploy/key.pem", "infer/.env", "notes/internal.md"]);
    const err = releaseErrorOf(() =>
      planCodeExport({
        files,
        allow: ["**/*.py"],
        scan: (path, content) =>
          content === "x" ? [{ rule: "hf-token", severity: "block", file: path, line: 1, message: "token" }] : [],
      }),
    );
    expect(err.code).toBe("CODE_SECRET_FOUND");
    expect(err.location).toEqual({ file: "infer/run.py", line: 1 });
  });

  it("matches globs like git does", () => {
    expect(globToRegExp("**/*.py").test("a/b/c.py")).toBe(true);
    expect(globToRegExp("**/*.py").test("c.py")).toBe(true);
    expect(globToRegExp("src/*.py").test("src/a/b.py")).toBe(false);
  });
});

describe("retrying fetch", () => {
  const respond = (statuses: (number | "drop")[], headers: Record<string, string> = {}) => {
    const seen: number[] = [];
    const inner = (async () => {
      const s = statuses[seen.length] ?? 200;
      seen.push(s === "drop" ? -1 : s);
      if (s === "drop") throw new TypeError("fetch failed");
      return new Response("{}", { status: s, headers });
    }) as unknown as typeof fetch;
    return { inner, seen };
  };

  it("retries 429, 5xx and dropped connections, honouring Retry-After", async () => {
    const { inner, seen } = respond([429, 503, "drop", 200], { "retry-after": "2" });
    const waits: number[] = [];
    const f = createRetryingFetch({ fetch: inner, sleep: async (ms) => void waits.push(ms) });
    expect((await f("http://x/api", { method: "POST", body: "{}" })).status).toBe(200);
    expect(seen).toEqual([429, 503, -1, 200]);
    expect(waits[0]).toBe(2000);
    expect(waits[1]).toBe(2000);
  });

  it("gives up after the retry budget and returns the last answer", async () => {
    const { inner, seen } = respond([500, 500, 500, 500]);
    const f = createRetryingFetch({ fetch: inner, retries: 2, sleep: async () => undefined });
    expect((await f("http://x")).status).toBe(500);
    expect(seen.length).toBe(3);
  });

  it("does not retry client errors", async () => {
    const { inner, seen } = respond([412]);
    const f = createRetryingFetch({ fetch: inner, sleep: async () => undefined });
    expect((await f("http://x")).status).toBe(412);
    expect(seen.length).toBe(1);
  });

  it("reads Retry-After dates and the RateLimit header", () => {
    expect(retryAfterMs(new Headers({ "retry-after": new Date(10_000).toUTCString() }), 4_000)).toBe(6_000);
    expect(retryAfterMs(new Headers({ ratelimit: '"api";r=0;t=55' }))).toBe(55_000);
    expect(retryAfterMs(new Headers())).toBeUndefined();
  });
});

describe("remote error translation", () => {
  it("drops the request and any token, keeps status and what was done", () => {
    const octokitLike = Object.assign(new Error("Bad credentials for token ghp_abcdefghijklmnopqrstuvwxyz0123"), {
      status: 401,
      request: { headers: { authorization: "token ghp_abcdefghijklmnopqrstuvwxyz0123" } },
    });
    const err = translateRemoteError(octokitLike, { service: "github", action: "create release", target: "acme/x" });
    expect(JSON.stringify(err.toJSON())).not.toContain("ghp_");
    expect(err.cause).toBeUndefined();
    expect([err.code, err.message, err.hint]).toMatchInlineSnapshot(`
      [
        "REMOTE_UNAUTHORIZED",
        "GitHub: create release acme/x failed: HTTP 401 (the token was refused)",
        "check GITHUB_TOKEN: it must be valid for this GitHub API URL",
      ]
    `);
    const hub = translateRemoteError(Object.assign(new Error("Precondition failed"), { statusCode: 412 }), {
      service: "hub",
      action: "commit to",
      target: "acme/x",
    });
    expect(hub.category).toBe("conflict");
    expect(redactSecrets("https://user:hf_secretsecret@host/x")).toBe("https://[redacted]@host/x");
  });
});

describe("endpoint and token resolution", () => {
  const env = {
    HF_TOKEN: "hf_abcdefghijklmnop",
    GITHUB_TOKEN: "ghs_abcdefghijklmnopqrstuvwxyz",
    HF_ENDPOINT: "http://127.0.0.1:9/",
  };
  it("follows HF_ENDPOINT/HF_TOKEN/GITHUB_API_URL/GITHUB_TOKEN, flags override", () => {
    expect(resolvePublishEndpoints({ env, targets: ["hf", "github"] })).toEqual({
      hub: { url: "http://127.0.0.1:9", token: env.HF_TOKEN },
      github: { apiUrl: "https://api.github.com", token: env.GITHUB_TOKEN },
    });
    expect(resolvePublishEndpoints({ env, targets: ["hf"], flags: { hubUrl: "https://hub.example" } }).hub?.url).toBe(
      "https://hub.example",
    );
  });

  it("fails before any upload, naming the variable and the rights, never the token", () => {
    const missing = releaseErrorOf(() => resolvePublishEndpoints({ env: {}, targets: ["hf"] }));
    expect([missing.code, missing.message, missing.hint]).toMatchInlineSnapshot(`
      [
        "TOKEN_MISSING",
        "HF_TOKEN is not set",
        "set HF_TOKEN to a Hugging Face access token with write access to the target repo's namespace (fine-grained: repo write, or create repos in the org)",
      ]
    `);
    const malformed = releaseErrorOf(() =>
      resolvePublishEndpoints({ env: { ...env, GITHUB_TOKEN: "'ghp_quoted secret'" }, targets: ["github"] }),
    );
    expect(malformed.code).toBe("TOKEN_MALFORMED");
    expect(malformed.message).toContain("GITHUB_TOKEN");
    expect(JSON.stringify(malformed.toJSON())).not.toContain("quoted secret");
    expect(resolvePublishEndpoints({ env: {}, targets: ["hf"], requireTokens: false }).hub?.token).toBe("");
  });
});
