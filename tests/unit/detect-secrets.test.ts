import { describe, expect, it } from "vitest";
import { detectSecrets, redactSecrets, renderExcerpt } from "../../src/sanitize/detect-secrets.js";
import { detectSecretsWithPresets, detectWithSecretlint } from "../../src/sanitize/detect-with-secretlint.js";

const rulesIn = (text: string, opts = {}) => detectSecrets(text, opts).map((d) => d.rule);

describe("detectSecrets", () => {
  it.each([
    ["hf-token", 'token = "hf_abcdefghijklmnopqrstuvwxyzABCDEFGH"'],
    ["github-token", "GH=ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789"],
    ["aws-access-key-id", "key AKIAQWERTYUIOPASDFGH end"],
    ["aws-secret-access-key", 'aws_secret_access_key = "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"'],
    ["wandb-api-key", "WANDB_API_KEY=0123456789abcdef0123456789abcdef01234567"],
    ["wandb-api-key", "machine api.wandb.ai\n  login user\n  password 0123456789abcdef0123456789abcdef01234567"],
    ["wandb-api-key", 'wandb.login(key="local-0123456789abcdef0123456789abcdef01234567")'],
    ["comet-api-key", "COMET_API_KEY: abcdefghijklmnopqrstuvwx"],
    ["private-key", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjE\n-----END OPENSSH PRIVATE KEY-----"],
    ["slack-token", "xoxb-1234567890-1234567890-abcdefghij"],
    ["slack-webhook", "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX"],
    ["password-assignment", 'db_password: "s3cr3t-value"'],
    ["password-assignment", '"hub_token": "abcdef123456"'],
    ["email", "mail jane.doe+ml@robots.example.com today"],
    ["ip-address", "master_addr=192.168.12.7"],
    ["internal-hostname", "ssh gpu-017.cluster.internal"],
    ["user-path", "saved to /home/alice/ckpt/model"],
    ["user-path", "C:\\Users\\bob\\models"],
    ["internal-path", "data at /fsx/team-x/datasets/v3"],
    ["bucket-url", "s3://private-bucket/run-7/"],
  ])("%s in %j", (rule, text) => {
    expect(rulesIn(text)).toContain(rule);
  });

  it.each([
    ['"pad_token": "<pad>", "eos_token": "</s>"'],
    ['"hub_token": "<HUB_TOKEN>"'],
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell-style placeholder the scanner must not flag
    ["password = ${DB_PASSWORD}"],
    ["transformers_version 4.46.0 and torch 2.5.1"],
    ["bind 0.0.0.0 and 127.0.0.1"],
    ["see https://huggingface.co/meta-llama/Llama-3.1-8B and and/or"],
    ["icon@2x.png"],
    ["model.layers.0.self_attn.q_proj.weight"],
  ])("nothing in %j", (text) => {
    expect(detectSecrets(text)).toEqual([]);
  });

  it("finds project patterns: literal values case-insensitively and regexes", () => {
    const patterns = [
      { name: "customer-name", values: ["Kanary Motors"] },
      { name: "part-number", regex: "/PN-\\d{6}/", severity: "warn" as const },
    ];
    const ds = detectSecrets("for KANARY MOTORS, part PN-123456", { patterns });
    expect(ds.map((d) => [d.rule, d.severity])).toEqual([
      ["customer-name", "block"],
      ["part-number", "warn"],
    ]);
  });

  it("reports overlapping matches once, widened to cover both", () => {
    const text = "HF_TOKEN=hf_abcdefghijklmnopqrstuvwxyzABCDEFGH";
    const ds = detectSecrets(text);
    expect(ds).toHaveLength(1);
    expect(ds[0]!.rule).toBe("hf-token");
    expect(redactSecrets(text, ds)).toBe("HF_TOKEN=[REDACTED:hf-token]");
  });

  it("redacts every secret in an excerpt's window, not only its own", () => {
    const text = "a=hf_abcdefghijklmnopqrstuvwxyzABCDEFGH b=jane@robots.example.com\nnext";
    const ds = detectSecrets(text);
    const ex = renderExcerpt(text, ds[1]!, ds);
    expect(ex).toMatchInlineSnapshot(`"…[REDACTED:hf-token] b=[REDACTED:email]\\nnext"`);
    expect(ex).not.toContain("hf_abc");
    expect(ex).not.toContain("jane");
  });

  it("runs in linear-ish time on adversarial input (no catastrophic backtracking)", () => {
    const text = `${"a".repeat(200_000)}@${"-".repeat(100_000)}/home/${"x".repeat(100_000)}`;
    expect(() => detectSecrets(text)).not.toThrow();
  });
});

describe("detectSecretsWithPresets", () => {
  it("adds secretlint's preset findings and keeps own ids on shared spans", async () => {
    const text = "MONGO=mongodb://dbuser:Sup3rS3cretPw@mongo-host:27017/prod\nghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789";
    const ds = await detectSecretsWithPresets(text);
    const rules = ds.map((d) => d.rule);
    expect(rules).toContain("github-token");
    // The own rule names the URL's password; secretlint's finding on the same URL is merged into it.
    expect(rules).toContain("url-credentials");
    const lint = (await detectWithSecretlint(text)).map((d) => d.rule);
    expect(lint.some((r) => r.startsWith("secretlint/database-connection-string"))).toBe(true);
  });
});

describe("excerpts never leak (property)", () => {
  it("no detected value appears in any excerpt of any detection", async () => {
    const fc = await import("fast-check");
    const secrets = fc.constantFrom(
      "hf_abcdefghijklmnopqrstuvwxyzABCDEFGH",
      "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789",
      "jane.doe@robots.example.com",
      "10.20.30.40",
      "/home/alice/secret-project",
      "gpu-7.cluster.internal",
      "AKIAQWERTYUIOPASDFGH",
    );
    const filler = fc.string({ maxLength: 40 }).map((s) => s.replace(/[@/.:_-]/g, " "));
    fc.assert(
      fc.property(fc.array(fc.tuple(filler, secrets), { minLength: 1, maxLength: 6 }), (parts) => {
        const text = parts.map(([f, s]) => `${f} ${s} `).join("");
        const ds = detectSecrets(text);
        for (const [, s] of parts) expect(ds.some((d) => text.slice(d.start, d.end).includes(s))).toBe(true);
        for (const d of ds) {
          const ex = renderExcerpt(text, d, ds);
          for (const [, s] of parts) expect(ex.includes(s)).toBe(false);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe("excerpt escaping", () => {
  it("writes controls, bidi overrides and zero-width characters around a finding as visible escapes", () => {
    const text = `\u202egpj.exe\u202c \u001b[31m token=hf_Q7mX2pLk9RtV4nB8cZ1wY6sD3fG5hJ0aEu\u200b ##[group]`;
    const ds = detectSecrets(text);
    const ex = renderExcerpt(text, ds[0]!, ds);
    expect(ex).toContain("[REDACTED:hf-token]");
    expect(ex).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e]/);
    expect(ex).toContain("\\u202e");
    expect(ex).toContain("\\x1b");
    expect(ex).not.toContain("##[");
  });
});
