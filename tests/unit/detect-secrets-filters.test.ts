import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { detectSecrets, detectSecretsUnfiltered } from "../../src/sanitize/detect-secrets.js";

/**
 * The rules' anchors and gates only decide where (and whether) a full pattern runs: on any text,
 * `detectSecrets` must report exactly what every full pattern over the whole text reports.
 */
const fragments = fc.constantFrom(
  "hf_abcdefghijklmnopqrstuvwxyzABCDEFGH",
  "api_org_abcdefghijklmnopqrstuvwxyzABCDEF",
  "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789",
  "github_pat_",
  "AKIAQWERTYUIOPASDFGH",
  "A3TXQWERTYUIOPASDFGH",
  "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  "AWS_SECRET_ACCESS_KEY:",
  "WANDB_API_KEY=0123456789abcdef0123456789abcdef01234567",
  "wandb.login(key=",
  "machine api.wandb.ai login user password 0123456789abcdef0123456789abcdef01234567",
  "comet_api_key: abcdefghijklmnopqrstuvwxyz",
  "-----BEGIN RSA PRIVATE KEY-----\nMIIEabc\n-----END RSA PRIVATE KEY-----",
  "-----BEGIN",
  "xoxb-1234567890-abcdefghij",
  "xapp-1-abcdefghijkl",
  "hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
  "password = hunter2hunter2",
  "passwd: s3cr3tvalue",
  'api-key="abcdef123456"',
  "hub_token: hf_abcdefghijklmnopqrstuvwxyzABCDEFGH",
  "eos_token: </s>",
  "token = abcdefgh123",
  "tokens 4096",
  "token",
  "=",
  ":",
  "jane.doe@robots.example.com",
  "@",
  "10.20.30.40",
  "192.168.1.1",
  "1.2.3.4.5",
  "0.0001",
  ".12.34.",
  "gpu-7.cluster.internal",
  ".corp",
  "/home/alice/secret-project",
  "C:\\Users\\Jane Smith\\data",
  "/root/.cache",
  "/fsx/team/run-7",
  "/data/",
  "s3://bucket/key",
  "glpat-abcdefghij0123456789",
  "sk-proj-",
  "sk-abcdefghij0123456789T3BlbkFJabcdefghij0123456789",
  "AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW",
  "bP88Q~rcBcYjzzOhg1Hnn76Wm3jGgakZiZ.8vMgR",
  "AccountKey=",
  "sk_live_abcdef0123456789",
  "npm_abcdefghijklmnopqrstuvwxyz0123456789",
  "pypi-AgEIcHlwaS5vcmc",
  "dckr_pat_abcdefghijklmnopqrstuvwxyz0",
  "eyJhbGciOiJIUzI1NiJ9abc.eyJzdWIiOiIxMjM0NTYifQabc.abcdefghijk",
  "eyJhcGlfYWRkcmVzcyI6",
  "postgres://u:",
  "@db.example.com",
  "930517-2748163",
  "주민등록번호 ",
  "010-2345-6789",
  "+82 10 2345 6789",
  "02-345-6789",
  "123-45-67891",
  "passport M12345678",
  "fd12:3456:789a::1",
  "fe80::1",
  "10.1.2.3.drl",
  "ｈｆ＿",
  "\u200b",
  "\u00ad",
  "aGZfYWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXpBQkNERUZHSA==",
  "%40",
  "db_password",
  "HF_TOKEN: ",
  'os.environ["WANDB_API_KEY"] = ',
  "://",
  " ",
  "\n",
  '"',
  "'",
  "x",
  "9",
  ".",
  "/",
  "_",
  "-",
);

describe("rule anchors and gates", () => {
  it("find exactly what the full patterns find", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fragments, fc.string({ maxLength: 6 })), { maxLength: 40 }), (parts) => {
        const text = parts.join("");
        expect(detectSecrets(text)).toEqual(detectSecretsUnfiltered(text));
      }),
      { numRuns: 3000 },
    );
  });

  it("skip nothing in a long log line that holds a credential", () => {
    const text = `${"step 1 loss 0.5 tokens 4096 ".repeat(1000)}token=abcdefgh123 from 10.1.2.3`;
    expect(detectSecrets(text).map((d) => d.rule)).toEqual(["password-assignment", "ip-address"]);
    expect(detectSecrets(text)).toEqual(detectSecretsUnfiltered(text));
  });
});
