import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { classifyCredentialKey } from "../../src/detect/classify-credential-key.js";
import { detectAssignment, detectJsonAssignments, detectKeyValueSecrets } from "../../src/detect/detect-assignment.js";
import { detectSecrets, detectSecretsInBytes, detectSecretsInLines } from "../../src/detect/detect-secrets.js";
import { detectInAddedTokens, joinAddedTokens } from "../../src/detect/join-added-tokens.js";
import { normalizeForScan } from "../../src/detect/normalize-for-scan.js";
import { isBusinessRegistrationNumber, isRegistrationNumber } from "../../src/detect/personal-rules.js";

const HF = "hf_AbCdEfGhIjKlMnOpQrStUvWxYzAbCdEfGh";
const WANDB = "3f9a1c0b7d2e4f6a8b0c1d2e3f4a5b6c7d8e9f01";
const rules = (text: string, opts = {}) => detectSecrets(text, opts).map((d) => d.rule);

describe("Korean personal data", () => {
  it.each([
    ["9305172748163", true],
    ["0002294123456", true], // 2000-02-29 (leap year), century digit 3
    ["0102294123456", false], // 2001-02-29 does not exist
    ["9313172748163", false], // month 13
    ["9305179748163", false], // century digit 9
    ["9305170748163", false],
    ["8801015123456", true], // foreigner (5)
    ["1201018123456", true], // foreigner born 2012 (8)
  ])("registration number %s valid: %s", (digits, ok) => {
    expect(isRegistrationNumber(digits)).toBe(ok);
  });

  it("business registration numbers need their check digit", () => {
    expect(isBusinessRegistrationNumber("1234567891")).toBe(true);
    expect(isBusinessRegistrationNumber("1234567890")).toBe(false);
  });

  it.each([
    ["kr-resident-registration-number", "주민등록번호 930517-2748163"],
    ["kr-resident-registration-number", "930517-2748163님"],
    ["kr-resident-registration-number", "RRN: 9305172748163"],
    ["kr-phone-number", "010-2345-6789로 연락"],
    ["kr-phone-number", "H.P. 010.2345.6789"],
    ["kr-phone-number", "01023456789"],
    ["kr-phone-number", "+82 10 2345 6789"],
    ["kr-phone-number", "+82-2-345-6789"],
    ["kr-phone-number", "02-345-6789"],
    ["kr-phone-number", "(031) 234-5678"],
    ["kr-business-registration-number", "123-45-67891"],
    ["kr-passport-number", "여권번호: M12345678"],
    ["kr-passport-number", "passport no M123A4567"],
  ])("%s in %j", (rule, text) => {
    expect(rules(text)).toContain(rule);
  });

  it.each([
    "930517-9748163",
    "9305172748163",
    "M12345678",
    "010-234-56",
    "2024-05-17",
    "02-1-2",
    "0101234567890",
    "123-45-67890",
  ])("nothing in %j", (text) => {
    expect(rules(text)).toEqual([]);
  });
});

describe("addresses and hosts", () => {
  it.each([
    "fd12:3456:789a:1::1",
    "fe80::1ff:fe23:4567:890a%eth0",
    "[fc00:1::5]:8080",
    "job_0108_10.1.2.3.drl",
    "reach 192.168.0.7.",
  ])("ip-address in %j", (text) => {
    expect(rules(text)).toContain("ip-address");
  });

  it.each(["fd::1", "2001:db8::1", "fc::layer", "1.2.3.4.5", "v0.0.0.0"])("nothing in %j", (text) => {
    expect(rules(text)).toEqual([]);
  });

  it("does not take a four-part version or a shell default for an address or a credential", () => {
    expect(rules("lm-evaluation-harness 0.4.9.1")).toEqual([]);
    expect(rules('"version": "0.4.9.1"')).toEqual([]);
    // Shell parameter expansions, written as the shell has them (not template strings).
    const dollar = "$";
    expect(rules(`API_TOKEN="${dollar}{API_TOKEN:-unused}"`)).toEqual([]);
    expect(rules(`password=${dollar}{DB_PASSWORD:?set it}`)).toEqual([]);
    expect(rules("host 10.4.9.1")).toEqual(["ip-address"]);
  });

  it("tells internal hosts from code reading an attribute", () => {
    for (const host of [
      "gpu01.private",
      "node3.cluster.local",
      "ssh gpu01.internal",
      "wiki.corp",
      "http://ldap.corp:389",
      "hub.internal:8443",
      "http://hub.private/api",
      "gpu01.private: down",
    ])
      expect(rules(host), host).toEqual(["internal-hostname"]);
    for (const code of [
      "self.local = 1",
      "x = args.private",
      "if cfg.internal:",
      "repo.private = True",
      "foo.local(1)",
      "flag.private=1",
      // A config key or a config error's field path.
      "hub.private: Invalid input: expected boolean",
      "  private: true\nhub.private: false",
    ])
      expect(rules(code), code).toEqual([]);
  });

  it("flags hosts under configured internal domains, and nothing else", () => {
    const internalDomains = ["hmg-ai.co.kr", ".corp.example.com"];
    expect(rules("ssh -J bastion.hmg-ai.co.kr gpu01.HMG-AI.co.kr", { internalDomains })).toEqual([
      "internal-hostname",
      "internal-hostname",
    ]);
    expect(rules("see build.corp.example.com/x", { internalDomains })).toEqual(["internal-hostname"]);
    expect(rules("see hmg-ai.co.kr.evil.org and nothmg-ai.co.kr", { internalDomains })).toEqual([]);
    expect(rules("ssh gpu01.hmg-ai.co.kr")).toEqual([]);
  });
});

describe("credentials by key name", () => {
  it.each([
    ["wandb_api_key", "key"],
    ["WANDB_API_KEY", "key"],
    ["db_password", "password"],
    ["password", "password"],
    ["pass", "password"],
    ["dbPassword", "password"],
    ["hf_token", "token"],
    ["HF_TOKEN", "token"],
    ["hub_token", "token"],
    ["push_to_hub_token", "token"],
    ["client_secret", "password"],
    ["pad_token", undefined],
    ["eos_token", undefined],
    ["pad_token_id", undefined],
    ["max_tokens", undefined],
    ["password_file", undefined],
    ["secret_name", undefined],
    ["key", undefined],
    ["primary_key", undefined],
  ])("%s is %s", (key, kind) => {
    expect(classifyCredentialKey(key)).toBe(kind);
  });

  it("finds the JSON members that shipped in round 1", () => {
    const doc = {
      wandb_api_key: WANDB,
      nested: { db_password: "Tr0ub4dor&3", list: [{ password: "hunter22" }] },
      pad_token: "<|endoftext|>",
      hub_token: "<HUB_TOKEN>",
      hf_token: "x",
      port: 5432,
    };
    expect(detectJsonAssignments(doc).map((f) => [f.pointer, f.detection.rule])).toEqual(
      expect.arrayContaining([
        ["/wandb_api_key", "wandb-api-key"],
        ["/nested/db_password", "password-assignment"],
        ["/nested/list/0/password", "password-assignment"],
      ]),
    );
    expect(detectJsonAssignments(doc)).toHaveLength(3);
  });

  it("reports offsets into the value, trimmed", () => {
    expect(detectAssignment("password", "  s3cr3t!x ")).toEqual([
      expect.objectContaining({ rule: "password-assignment", start: 2, end: 10 }),
    ]);
    expect(detectAssignment("api_key", "your-api-key-here")).toEqual([]);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell placeholder, on purpose
    expect(detectAssignment("hf_token", "${HF_TOKEN}")).toEqual([]);
  });

  it("merges key and value findings (a Kubernetes secret holds base64)", () => {
    const value = Buffer.from(HF).toString("base64");
    const ds = detectKeyValueSecrets("HF_TOKEN", value);
    expect(ds).toHaveLength(1);
    expect(ds[0]).toMatchObject({ start: 0, end: value.length });
  });

  it.each([
    `os.environ["WANDB_API_KEY"] = "${WANDB}"`,
    `  HF_TOKEN: ${Buffer.from(HF).toString("base64")}`,
    'pass: "Xk2-aa9!qq"',
    `{"db_password": "Tr0ub4dor&3"}`,
    `export MLFLOW_TRACKING_PASSWORD=Zx81aa0Q`,
  ])("in source text: %s", (text) => {
    expect(detectSecrets(text).length).toBeGreaterThan(0);
  });
});

describe("normalisation", () => {
  it("finds full-width and zero-width-split tokens, at their original offsets", () => {
    const wide = [...HF].map((c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).join("");
    const text = `token ${wide} end`;
    const ds = detectSecrets(text);
    expect(ds.map((d) => d.rule)).toEqual(["hf-token"]);
    expect(text.slice(ds[0]!.start, ds[0]!.end)).toBe(wide);
    for (const sep of ["\u200b", "\u00ad", "\ufeff", "\u200d"]) {
      const split = `a ${HF.slice(0, 9)}${sep}${HF.slice(9)} b`;
      const [d] = detectSecrets(split);
      expect(d?.rule).toBe("hf-token");
      expect(split.slice(d!.start, d!.end)).toBe(`${HF.slice(0, 9)}${sep}${HF.slice(9)}`);
    }
  });

  it("leaves ASCII and already folded text alone", () => {
    expect(normalizeForScan("plain ascii")).toBeUndefined();
    expect(normalizeForScan("한국어 텍스트")).toBeUndefined();
  });

  it("matches config values across separators, case, width, NBSP, NFD Hangul and particles", () => {
    const patterns = [{ name: "customer", values: ["Kanary Motors", "카나리 모터스"] }];
    for (const text of [
      "KANARY_MOTORS",
      "kanary-motors",
      "KanaryMotorsGripper",
      "*KANARYMOTORSPICK",
      "Ｋａｎａｒｙ Ｍｏｔｏｒｓ",
      "Kanary\u00a0Motors",
      "Kan\u200bary Motors",
      "카나리모터스님",
      "카나리 모터스".normalize("NFD"),
    ])
      expect(rules(text, { patterns }), text).toEqual(["customer"]);
  });
});

describe("encodings", () => {
  it.each([
    ["base64", `blob ${Buffer.from(`HF_TOKEN=${HF}`).toString("base64")}`],
    ["hex", `x=${Buffer.from(HF).toString("hex")}`],
    ["percent", `?q=${encodeURIComponent("mail: jane.doe@robots.example.com")}`],
    ["base64 of UTF-16", Buffer.from(`${HF}\n`, "utf16le").toString("base64")],
    ["base64 of gzip", gzipSync(Buffer.from(`WANDB_API_KEY=${WANDB}`)).toString("base64")],
    ["base64 of base64", Buffer.from(Buffer.from(HF).toString("base64")).toString("base64")],
  ])("%s: a finding over the whole encoded run", (_, text) => {
    const ds = detectSecrets(text);
    expect(ds).toHaveLength(1);
    expect(ds[0]!.end - ds[0]!.start).toBeGreaterThan(20);
  });

  it("does not decode hashes and identifiers into findings", () => {
    expect(detectSecrets(`sha256 ${"ab12".repeat(16)} model-00001-of-00002 additional_special_tokens`)).toEqual([]);
  });

  it("reads UTF-16 and gzip bytes, with byte offsets", () => {
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`x = "${HF}"\n`, "utf16le")]);
    const [d] = detectSecretsInBytes(le);
    expect(d).toMatchObject({ rule: "hf-token", encoding: "utf-16le", start: 2 + 2 * 5, end: 2 + 2 * (5 + HF.length) });
    const be = Buffer.from(`tok ${HF}`, "utf16le").swap16();
    expect(detectSecretsInBytes(be)[0]).toMatchObject({ rule: "hf-token", encoding: "utf-16be" });
    const gz = gzipSync(Buffer.from(`line\nHF=${HF}\n`));
    expect(detectSecretsInBytes(gz)[0]).toMatchObject({ rule: "hf-token", encoding: "gzip", start: 0, end: gz.length });
  });

  it("blocks a gzip stream that inflates past the bound instead of scanning it", () => {
    const bomb = gzipSync(Buffer.alloc(20 * 1024 * 1024, 0x61));
    expect(detectSecretsInBytes(bomb).map((d) => d.rule)).toEqual(["compressed-stream-too-large"]);
  });
});

describe("tokenizer added tokens", () => {
  it("finds a secret split across adjacent added tokens", () => {
    const tokens = [
      { id: 7, content: "<|im_start|>" },
      { id: 5, content: HF.slice(0, 12) },
      { id: 6, content: HF.slice(12) },
      { id: 9, content: "<|im_end|>" },
    ];
    expect(joinAddedTokens(tokens).text).toBe(`${HF}<|im_start|>\n<|im_end|>`);
    expect(detectInAddedTokens(tokens)).toEqual([expect.objectContaining({ rule: "hf-token", ids: [5, 6] })]);
  });
});

describe("folding table", () => {
  it("agrees with the FOLDABLE pattern on every BMP character it lists", async () => {
    const { normalizeForScan: fold } = await import("../../src/detect/normalize-for-scan.js");
    // Every listed range folds somewhere: a sample per range is found by the table.
    for (const ch of ["\u00a0", "\u00ad", "\u200b", "\u2060", "\ufeff", "\uff48", "\u3000", "\u2460", "\u1100\u1161"])
      expect(fold(`a${ch}b`), JSON.stringify(ch)).toBeDefined();
  });
});

describe("hidden characters and path components", () => {
  const token = `hf_${"Q7mX2pLk9RtV4nB8cZ1wY6sD3fG5hJ0aEu"}`;

  it("finds a token with an ESC, NUL or C1 control inside it, at its original offsets", () => {
    for (const hidden of ["\u001b", "\u0000", "\u0085", "\u007f"]) {
      const text = `name: ${token.slice(0, 9)}${hidden}${token.slice(9)} end`;
      const [d] = detectSecrets(text);
      expect(d?.rule, JSON.stringify(hidden)).toBe("hf-token");
      expect(text.slice(d!.start, d!.end)).toBe(`${token.slice(0, 9)}${hidden}${token.slice(9)}`);
    }
  });

  it("leaves tabs and line breaks as separators (no token is made across them)", () => {
    expect(detectSecrets(`${token.slice(0, 9)}\n${token.slice(9)}`).some((d) => d.rule === "hf-token")).toBe(false);
  });

  it("decodes a base64 path component on its own (runs/<base64 of a token>)", () => {
    const text = `logs/runs/${Buffer.from(token).toString("base64")}/events`;
    expect(detectSecrets(text).some((d) => d.rule === "hf-token")).toBe(true);
  });
});

describe("independent lines (strings of a binary)", () => {
  const token = `hf_${"Q7mX2pLk9RtV4nB8cZ1wY6sD3fG5hJ0aEu"}`;
  const wide = [...token].map((c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).join("");
  const forms = [
    wide,
    `${token.slice(0, 9)}\u0085${token.slice(9)}`,
    `${token.slice(0, 9)}\u200b${token.slice(9)}`,
    `${token.slice(0, 9)}\u00a0${token.slice(9)}`,
    "Ｋａｎａｒｙ Ｍｏｔｏｒｓ",
    "카나리 모터스".normalize("NFD"),
  ];
  const patterns = [{ name: "customer", values: ["Kanary Motors", "카나리 모터스"] }];

  it("finds every folded form on its own line, at the offsets the per-line scan gives", () => {
    // Noise shaped like random binary strings: C1 controls, Latin-1 and CJK between ASCII.
    const noise = ["x\u0085yz=q1", "ab\u00b2cd@e", "\u4e00\u0634:key", "plain words here", "\u00bd\u0092\u00aa ok"];
    const lines: string[] = [];
    for (let i = 0; i < 200; i++)
      lines.push(noise[i % noise.length]!, i % 37 === 0 ? forms[(i / 37) % forms.length]! : `n${i}`);
    const text = lines.join("\n");
    const got = detectSecretsInLines(text, { patterns }).map((d) => [d.rule, text.slice(d.start, d.end)]);
    const want: [string, string][] = [];
    for (const line of lines)
      for (const d of detectSecrets(line, { patterns })) want.push([d.rule, line.slice(d.start, d.end)]);
    expect(want.length).toBeGreaterThanOrEqual(forms.length);
    expect(got).toEqual(want);
  });
});
