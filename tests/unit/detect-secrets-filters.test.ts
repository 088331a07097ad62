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
