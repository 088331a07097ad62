import { describe, expect, it } from "vitest";
import { renderError } from "../../src/cli/render-error.js";
import { renderFindingLines } from "../../src/cli/render-findings.js";
import {
  escapeData,
  escapeProperty,
  renderErrorAnnotations,
  renderFailureSummary,
} from "../../src/cli/render-github-actions.js";
import { blockedError, inputError } from "../../src/errors.js";
import { type Finding, renderSafeFinding } from "../../src/findings.js";
import { detectSecrets, renderExcerpt } from "../../src/sanitize/detect-secrets.js";
import { renderBuildReport } from "../../src/sanitize/render-build-report.js";
import { renderSafeJson, renderSafeText, renderSafeValue } from "../../src/sanitize/render-safe-text.js";

// Unique values: none may come out of any renderer below.
const TOKEN = "hf_SafeTextCanaryAbCdEfGhIjKlMnOpQrStUv";
const EMAIL = "safe.text.canary@kanary-robotics.example";
const PASSWORD = "SafeCanary-Pa55word!";
const patterns = [{ name: "customer-name", values: ["Kanary Motors 77"] }];
const ESC = "\x1b";

function expectClean(out: string) {
  for (const v of [TOKEN, EMAIL, PASSWORD, "Kanary Motors 77"]) expect(out).not.toContain(v);
  // Nothing that drives a terminal: C0 (but the line feeds a renderer writes itself), DEL, C1, bidi.
  expect(out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/);
}

const finding: Finding = {
  rule: "hf-token",
  severity: "block",
  file: `logs/${EMAIL}/trainer_state${ESC}]0;pwned\x07.json`,
  pointer: `/log_history/2/${TOKEN} (key)`,
  message: "Hugging Face access token in archive member a\nb",
  excerpt: `"${TOKEN}": 1, "password": "${PASSWORD}"`,
};

describe("renderSafeText", () => {
  it("redacts every match of every rule, not only the first", () => {
    const s = `token ${TOKEN} mail ${EMAIL} customer Kanary Motors 77 password="${PASSWORD}"`;
    const out = renderSafeText(s, { patterns });
    expectClean(out);
    expect(out).toBe(
      'token [REDACTED:hf-token] mail [REDACTED:email] customer [REDACTED:customer-name] password="[REDACTED:password-assignment]"',
    );
  });

  it("redacts a key that is the secret inside a JSON pointer", () => {
    expect(renderSafeText(`/log_history/2/${TOKEN} (key)`)).toBe("/log_history/2/[REDACTED:hf-token] (key)");
  });

  it("finds secrets in folded, split and encoded forms of a name", () => {
    const fullWidth = [...TOKEN].map((c) => String.fromCodePoint(c.codePointAt(0)! + 0xfee0)).join("");
    for (const name of [
      fullWidth,
      `${TOKEN.slice(0, 10)}\u200b${TOKEN.slice(10)}`,
      `${TOKEN.slice(0, 10)}${ESC}${TOKEN.slice(10)}`,
      `runs/${Buffer.from(TOKEN).toString("base64")}`,
      `runs/${Buffer.from(TOKEN).toString("hex")}`,
      `runs/${encodeURIComponent(EMAIL).replace(".", "%2E")}`,
      "Kanary_Motors_77/config.json",
    ]) {
      const out = renderSafeText(name, { patterns });
      expect(out, JSON.stringify(name)).toContain("[REDACTED:");
      expect(out).not.toContain(TOKEN.slice(3, 20));
      expectClean(out);
    }
  });

  it("leaves ordinary names alone", () => {
    for (const name of [
      "model-00001-of-00002.safetensors",
      "tokenizer_config.json",
      "runs/Nov22_05-00-00_[host]/events",
      "C:\\models\\x",
    ])
      expect(renderSafeText(name)).toBe(name);
  });

  it("escapes every control, C1 and bidi character visibly", () => {
    expect(renderSafeText(`a${ESC}[31mb\x07c\rd\ne\tf\x00g\x7fh\x9bi\u202ej\u2066k\u200bl`)).toBe(
      "a\\x1b[31mb\\x07c\\rd\\ne\\tf\\x00g\\x7fh\\x9bi\\u202ej\\u2066k\\u200bl",
    );
  });

  it("keeps only indented line feeds in multi-line mode, and never lets a line start a workflow command", () => {
    const msg = "blocked by 2:\n  a\n::error::forged\n  ::warning::also\nx ##[set-output name=a]b";
    expect(renderSafeText(msg)).toBe(
      "blocked by 2:\\n  a\\n::error::forged\\n  ::warning::also\\nx ##\\x5bset-output name=a]b",
    );
    expect(renderSafeText(msg, { multiline: true })).toBe(
      "blocked by 2:\n  a\\n::error::forged\n  \\x3a:warning::also\\nx ##\\x5bset-output name=a]b",
    );
  });

  it("keeps every line of a document, and still defuses workflow commands and escapes controls", () => {
    const diff = `--- a\n+++ b\n@@ -1 +1 @@\n-\t"x": 1\n::warning::forged\n+${ESC}[2J ok\n`;
    expect(renderSafeText(diff, { multiline: "document" })).toBe(
      '--- a\n+++ b\n@@ -1 +1 @@\n-\t"x": 1\n\\x3a:warning::forged\n+\\x1b[2J ok\n',
    );
  });

  it("renderSafeJson stays valid JSON, redacts keys and values, escapes what JSON leaves raw", () => {
    const text = renderSafeJson({ [`${TOKEN}`]: `x\u202ey${ESC}`, nested: [{ mail: EMAIL }] }, { patterns });
    expectClean(text);
    expect(JSON.parse(text)).toEqual({
      "[REDACTED:hf-token]": `x\u202ey${ESC}`,
      nested: [{ mail: "[REDACTED:email]" }],
    });
    expect(renderSafeValue({ n: 3, ok: true, none: null })).toEqual({ n: 3, ok: true, none: null });
    const at = new Date(0);
    expect(JSON.parse(renderSafeJson({ at }))).toEqual(JSON.parse(JSON.stringify({ at })));
  });
});

describe("findings are printed and published only made safe", () => {
  it("renderSafeFinding redacts file, pointer, message and excerpt", () => {
    const f = renderSafeFinding(finding, { patterns });
    expectClean(JSON.stringify(f));
    expect(f.pointer).toBe("/log_history/2/[REDACTED:hf-token] (key)");
    expect(f.file).toBe("logs/[REDACTED:email]/trainer_state\\x1b]0;pwned\\x07.json");
    expect(f.message).toBe("Hugging Face access token in archive member a\\nb");
  });

  it("scan's lines and build --dry-run's lines", () => {
    const ctx = { redaction: { patterns } };
    for (const style of ["detail", "line"] as const) {
      const lines = renderFindingLines([finding], ctx, style);
      for (const l of lines) expectClean(l);
      expect(lines.join("\n")).toContain("/log_history/2/[REDACTED:hf-token] (key)");
    }
  });

  it("renderExcerpt redacts a neighbouring password that the caller's detections missed", () => {
    const text = `{"password": "${PASSWORD}", "hub_token": "${TOKEN}", "mail": "${EMAIL}"}`;
    const tokenOnly = detectSecrets(text).filter((d) => d.rule === "hf-token");
    const excerpt = renderExcerpt(text, tokenOnly[0]!, tokenOnly);
    expect(excerpt).toContain("[REDACTED:hf-token]");
    expectClean(excerpt);
  });

  it("the public report redacts pointers, paths, messages and reasons, and carries no excerpt", () => {
    const { json, markdown } = renderBuildReport(
      {
        publish: [],
        rewrites: [
          {
            path: "config.json",
            from: "/ckpt/config.json",
            role: "config",
            content: "{}",
            diff: `--- a/config.json\n+++ b/config.json\n-  "_name_or_path": "${EMAIL}"\n+  "_name_or_path": "org/base"`,
            reason: "scrubbed",
          },
        ],
        dropped: [{ path: `runs/${EMAIL}/trainer_state.json`, reason: `log of Kanary Motors 77${ESC}[2J` }],
        findings: [{ ...finding, severity: "warn" }],
      },
      { patterns },
    );
    for (const out of [json, markdown]) {
      expectClean(out.replaceAll("\n", " "));
      expect(out).toContain("[REDACTED:hf-token] (key)");
    }
    expect(JSON.parse(json).findings[0].excerpt).toBeUndefined();
    // A rewrite's diff keeps its lines (a document), redacted.
    expect(markdown).toContain(
      '```diff\n--- a/config.json\n+++ b/config.json\n-  "_name_or_path": "[REDACTED:email]"\n+  "_name_or_path": "org/base"\n```',
    );
  });
});

describe("errors and GitHub Actions output", () => {
  it("renderError redacts and escapes the message, location, hint and JSON body", () => {
    const err = inputError(
      "INDEX_MISMATCH",
      `model.safetensors.index.json: weight_map key "${EMAIL}" names no tensor${ESC}[2J`,
      { location: { file: `shards/${TOKEN}.safetensors`, field: `/weight_map/${EMAIL}` }, details: { key: EMAIL } },
    );
    const { text, json } = renderError(err, { patterns });
    expectClean(text.replaceAll("\n", " "));
    expectClean(JSON.stringify(json));
    expect(text).toContain('weight_map key "[REDACTED:email]"');
    expect(text).toContain("\\x1b[2J");
  });

  it("implements actions/toolkit's escapeData and escapeProperty exactly", () => {
    expect(escapeData("50% a\r\nb:c,d")).toBe("50%25 a%0D%0Ab:c,d");
    expect(escapeProperty("50% a\r\nb:c,d")).toBe("50%25 a%0D%0Ab%3Ac%2Cd");
    // `%` first: an already-escaped sequence is not decoded back by the runner.
    expect(escapeData("%0A")).toBe("%250A");
  });

  it("::error annotations and the failure summary carry no finding value and no control character", () => {
    const err = blockedError("SCAN_BLOCKED", `1 blocking finding in ${EMAIL}`, {
      hint: "remove it",
      details: { findings: [finding, { ...finding, file: "a,b:c\nd", excerpt: undefined }] },
    });
    const lines = renderErrorAnnotations(err, patterns);
    expect(lines).toHaveLength(2);
    for (const l of lines) {
      expectClean(l);
      expect(l).not.toContain("\n");
      expect(l.startsWith("::error file=")).toBe(true);
    }
    expect(lines[1]).toBe(
      "::error file=a%2Cb%3Ac\\nd,title=hf-token::Hugging Face access token in archive member a\\nb",
    );
    const summary = renderFailureSummary(err, patterns, "Scan");
    expect(summary).toContain("## Scan failed");
    expectClean(summary.replaceAll("\n", " "));
    const plain = renderErrorAnnotations(inputError("X", `bad name a\n::warning::b ${TOKEN}`, { hint: "h" }));
    expect(plain).toEqual(["::error title=X::bad name a\\n::warning::b [REDACTED:hf-token]%0Ahint: h"]);
  });
});

describe("the review page", () => {
  it("shows every checkpoint name made safe: files, origins, shards, architecture", async () => {
    const { planReleaseReview } = await import("../../src/trust/plan-release-review.js");
    const { renderReviewPage } = await import("../../src/trust/render-review-page.js");
    const manifest = {
      name: "m",
      version: "1.0.0",
      tag: "v1.0.0",
      files: [
        {
          path: `${TOKEN}\u202e.json`,
          size: 1,
          sha256: "a".repeat(64),
          role: "config",
          origin: `checkpoint:Kanary Motors 77/${TOKEN}.json`,
        },
      ],
      contentDigest: "b".repeat(64),
      hub: { repo: "o/m", repoType: "model" },
      overrides: [{ path: `${TOKEN}\u202e.json`, reason: `asked by ${EMAIL}` }],
    };
    const review = planReleaseReview({
      manifest: manifest as unknown as Parameters<typeof planReleaseReview>[0]["manifest"],
      inventory: {
        layout: "hf",
        architecture: `${EMAIL}${ESC}[2J`,
        parameters: 1,
        tensors: 1,
        totalBytes: 1,
        dtypes: {},
        shards: [`shards/${TOKEN}.safetensors`],
      } as unknown as Parameters<typeof planReleaseReview>[0]["inventory"],
      report: { kept: [], rewritten: [], dropped: [], findings: [] },
      inputs: [],
      patterns,
    });
    const html = renderReviewPage(review);
    expectClean(html.replaceAll("\n", " "));
    expect(html).toContain("[REDACTED:hf-token]\\u202e.json");
  });
});
