import { describe, expect, it } from "vitest";
import { planReleaseFromTag } from "../../../src/publish/plan-release-from-tag.js";
import { renderErrorAnnotations, renderFailureSummary } from "../../../src/cli/render-github-actions.js";
import { blockedError, isReleaseError, remoteError } from "../../../src/errors.js";
import { parseTargets } from "../../../src/cli/publish-options.js";
import { createProgressRenderer } from "../../../src/cli/render-progress.js";
import { Writable } from "node:stream";

const configs = [
  { file: "release-configs/robot-coder.yaml", name: "robot-coder", tagFormat: "{name}-v{version}" },
  { file: "release-configs/inspection-vlm.yaml", name: "inspection-vlm", tagFormat: "{name}-v{version}" },
  { file: "release-configs/demo.yaml", name: "demo", tagFormat: "v{version}" },
];

describe("release config from a pushed tag", () => {
  it("picks the config whose tag_format parses the tag", () => {
    expect(planReleaseFromTag("robot-coder-v1.2.0", configs)).toEqual({
      file: "release-configs/robot-coder.yaml",
      version: "1.2.0",
    });
    expect(planReleaseFromTag("inspection-vlm-v0.3.0-rc.1", configs)).toEqual({
      file: "release-configs/inspection-vlm.yaml",
      version: "0.3.0-rc.1",
    });
    expect(planReleaseFromTag("v2.0.0", configs)).toEqual({ file: "release-configs/demo.yaml", version: "2.0.0" });
  });

  it("refuses a tag no config or several configs claim", () => {
    const none = (() => {
      try {
        planReleaseFromTag("release-7", configs);
      } catch (e) {
        return e;
      }
    })();
    expect(isReleaseError(none) && none.code).toBe("TAG_MATCHES_NO_CONFIG");
    const two = [...configs, { file: "b.yaml", name: "b", tagFormat: "v{version}" }];
    const many = (() => {
      try {
        planReleaseFromTag("v1.0.0", two);
      } catch (e) {
        return e;
      }
    })();
    expect(isReleaseError(many) && many.code).toBe("TAG_MATCHES_MANY_CONFIGS");
  });
});

describe("GitHub Actions reporting", () => {
  it("writes one annotation per finding, escaped", () => {
    const err = blockedError("FINDINGS", "2 findings block the release", {
      details: {
        findings: [
          {
            rule: "hf-token",
            severity: "block",
            file: "train/config.py",
            line: 3,
            column: 9,
            message: "a Hugging Face token",
            excerpt: "hf_****a1",
          },
          { rule: "customer-name", severity: "block", file: "data/a,b.json", message: "50% of\nrows" },
        ],
      },
    });
    expect(renderErrorAnnotations(err)).toEqual([
      "::error file=train/config.py,line=3,col=9,title=hf-token::a Hugging Face token (hf_****a1)",
      // A finding's message is one line: its line feed is shown as `\n`, never sent as %0A.
      "::error file=data/a%2Cb.json,title=customer-name::50%25 of\\nrows",
    ]);
    expect(renderFailureSummary(err)).toContain("| hf-token | train/config.py | 3 | a Hugging Face token |");
  });

  it("reports an error whose findings are partial or malformed instead of crashing the reporter", () => {
    const token = "hf_Q7mX2pLk9RtV4nB8cZ1wY6sD3fG5hJ0aEu";
    const err = blockedError("SOME_CHECK_BLOCKED", "blocked", {
      location: { file: "config.json" },
      details: {
        findings: [
          { rule: "hf-token", line: 4 },
          { rule: "arch-mismatch", file: `weights-${token}.safetensors`, pointer: "/architectures/0" },
          null,
          "not a finding",
          { file: "no-rule.json" },
          { rule: 7 },
        ],
      },
    });
    expect(renderErrorAnnotations(err)).toEqual([
      "::error file=config.json,line=4,title=hf-token::blocked by rule hf-token (SOME_CHECK_BLOCKED)",
      "::error file=weights-[REDACTED%3Ahf-token].safetensors,title=arch-mismatch::blocked by rule arch-mismatch (SOME_CHECK_BLOCKED)",
    ]);
    const summary = renderFailureSummary(err);
    expect(summary).toContain("| hf-token | config.json | 4 | blocked by rule hf-token (SOME_CHECK_BLOCKED) |");
    expect(summary).not.toContain(token);
    // Details that are no list at all: the error itself is annotated.
    const odd = blockedError("ODD", "odd details", { details: { findings: "three" } });
    expect(renderErrorAnnotations(odd)).toEqual(["::error title=ODD::odd details"]);
  });

  it("annotates a plain error with its code and hint", () => {
    expect(
      renderErrorAnnotations(remoteError("REMOTE_FAILED", "Hub: commit failed: HTTP 503", { hint: "run again" })),
    ).toEqual(["::error title=REMOTE_FAILED::Hub: commit failed: HTTP 503%0Ahint: run again"]);
  });
});

describe("CLI helpers", () => {
  it("parses --to", () => {
    expect(parseTargets("hf,github")).toEqual(["hf", "github"]);
    expect(parseTargets("github")).toEqual(["github"]);
    expect(() => parseTargets("hf,s3")).toThrow(/unknown target s3/);
  });

  it("renders plain progress lines and NDJSON", () => {
    const sink = () => {
      let text = "";
      return {
        stream: new Writable({
          write(c, _e, cb) {
            text += String(c);
            cb();
          },
        }),
        text: () => text,
      };
    };
    const err = sink();
    const out = sink();
    const plain = createProgressRenderer({ mode: "plain", stdout: out.stream, stderr: err.stream, now: () => 0 });
    plain.sink({ type: "step", step: "hub-commit", status: "start", detail: "acme/x@main" });
    plain.sink({ type: "totals", files: 1, bytes: 2000 });
    plain.sink({ type: "file", path: "model.safetensors", state: "uploading", bytes: 2000, size: 2000 });
    plain.sink({ type: "retry", url: "http://h/api/x", method: "POST", attempt: 1, status: 429, delayMs: 1500 });
    plain.sink({ type: "step", step: "hub-commit", status: "done" });
    expect(err.text()).toMatchInlineSnapshot(`
      "→ hub-commit acme/x@main
        1 file, 2.0 KiB
        model.safetensors (2.0 KiB)
        retry 1 of POST http://h/api/x (HTTP 429) in 1.5 s
      ✓ hub-commit
      "
    `);
    const json = createProgressRenderer({ mode: "json", stdout: out.stream, stderr: err.stream });
    json.sink({ type: "step", step: "hub-tag", status: "done" });
    expect(out.text()).toBe('{"type":"step","step":"hub-tag","status":"done"}\n');
  });

  it("draws a bar with bytes, files, rate and ETA on a terminal", () => {
    let text = "";
    const stream = Object.assign(
      new Writable({
        write(c, _e, cb) {
          text += String(c);
          cb();
        },
      }),
      { columns: 200 },
    );
    let t = 0;
    const tty = createProgressRenderer({ mode: "tty", stdout: stream, stderr: stream, now: () => t });
    tty.sink({ type: "step", step: "hub-commit", status: "start" });
    tty.sink({ type: "totals", files: 2, bytes: 4 * 1024 * 1024 });
    t = 2000;
    tty.sink({
      type: "file",
      path: "a.safetensors",
      state: "uploading",
      bytes: 2 * 1024 * 1024,
      size: 2 * 1024 * 1024,
    });
    const last = text.split("\r").at(-1)!;
    expect(last).toBe(
      "\x1b[2Khub-commit     ████████████░░░░░░░░░░░░  50% 2.0 MiB/4.0 MiB  1/2 files  1.0 MiB/s  ETA 0:02",
    );
    tty.finish();
    expect(text.endsWith("\r\x1b[2K")).toBe(true);
  });
});
