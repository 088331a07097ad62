import { generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { renderReleaseNotes } from "../../src/publish/render-release-notes.js";
import { planModelSigningStatement } from "../../src/trust/model-signing-format.js";
import { planSignatureSigner, renderVerifyCommands } from "../../src/trust/plan-signature-signer.js";
import { publicKeyHint, signModelWithKey } from "../../src/trust/sign-model.js";

const certPem = readFileSync(path.join(import.meta.dirname, "..", "fixtures", "trust", "keyless-cert.pem"), "utf8");
const certDer = Buffer.from(certPem.replace(/-----[^-]+-----|\s/g, ""), "base64");
const statement = planModelSigningStatement({ modelName: "m", files: [{ path: "a", sha256: "0".repeat(64) }] });

describe("planSignatureSigner + renderVerifyCommands", () => {
  it("names the key of a key-signed model.sig and writes both verify commands", () => {
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
    const sig = JSON.stringify(
      signModelWithKey({ statement, privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }) }),
    );
    const signer = planSignatureSigner(sig);
    expect(signer).toEqual({ kind: "key", keyHint: publicKeyHint(publicKey) });
    expect(renderVerifyCommands({ dir: "./robot-coder", signer })).toEqual([
      "model_signing verify key ./robot-coder --signature ./robot-coder/model.sig --public-key model.pub",
      "node dist/cli/bin.js verify ./robot-coder --key model.pub",
    ]);
  });

  it("reads the workflow identity from a keyless bundle's certificate (v0.3 `certificate` or a chain)", () => {
    const envelope = { payload: "e30=", payloadType: "application/vnd.in-toto+json", signatures: [{ sig: "" }] };
    const mediaType = "application/vnd.dev.sigstore.bundle.v0.3+json";
    const identity = "https://github.com/acme/robot-coder/.github/workflows/release.yml@refs/tags/v1.2.0";
    for (const verificationMaterial of [
      { certificate: { rawBytes: certDer.toString("base64") } },
      { x509CertificateChain: { certificates: [{ rawBytes: certDer.toString("base64") }] } },
    ]) {
      const signer = planSignatureSigner(JSON.stringify({ mediaType, verificationMaterial, dsseEnvelope: envelope }));
      expect(signer).toEqual({ kind: "keyless", identity, issuer: "https://token.actions.githubusercontent.com" });
    }
    expect(renderVerifyCommands({ dir: "./m", signer: { kind: "keyless", identity } })).toEqual([
      `model_signing verify sigstore ./m --signature ./m/model.sig --identity ${identity} --identity-provider https://token.actions.githubusercontent.com`,
      `node dist/cli/bin.js verify ./m --identity ${identity} --issuer https://token.actions.githubusercontent.com`,
    ]);
  });

  it("release notes carry the changes section and the verify commands", () => {
    const notes = renderReleaseNotes({
      name: "robot-coder",
      version: "1.1.0",
      tag: "v1.1.0",
      hubUrl: "https://huggingface.co",
      hubRepo: "acme/robot-coder",
      repoType: "model",
      contentDigest: "c".repeat(64),
      evals: [],
      sha256sums: "",
      changes: "## Changes since 1.0.0\n\n- changed `README.md`\n",
      verifyCommands: ["node dist/cli/bin.js verify ./robot-coder --key model.pub"],
    });
    expect(notes).toContain("## Changes since 1.0.0\n\n- changed `README.md`\n\n## Get and verify");
    expect(notes).toContain("```sh\nnode dist/cli/bin.js verify ./robot-coder --key model.pub\n```");
  });

  it("tells a reader of a public release commands that work without this repository or an npm package", () => {
    const notes = (p: { hubUrl: string; repoType: "model" | "dataset" }) =>
      renderReleaseNotes({
        name: "robot-coder",
        version: "1.1.0",
        tag: "robot-coder-v1.1.0",
        hubRepo: "acme/robot-coder",
        contentDigest: "c".repeat(64),
        evals: [],
        sha256sums: "",
        ...p,
      });
    const hub = notes({ hubUrl: "https://huggingface.co", repoType: "model" });
    // model-release is not on the npm registry: npx would fetch nothing, or someone else's package.
    expect(hub).not.toMatch(/npx|npm install -g|^model-release /m);
    expect(hub).toContain(
      "hf download acme/robot-coder --revision robot-coder-v1.1.0 --local-dir ./robot-coder\n(cd ./robot-coder && sha256sum -c SHA256SUMS)",
    );
    expect(hub).toContain("node dist/cli/bin.js pull acme/robot-coder@1.1.0 --to ./robot-coder");
    // Another Hub (a self-hosted one, or the stand-ins) must be named, or hf goes to huggingface.co.
    const dataset = notes({ hubUrl: "http://127.0.0.1:8080", repoType: "dataset" });
    expect(dataset).toContain(
      "HF_ENDPOINT=http://127.0.0.1:8080 hf download acme/robot-coder --repo-type dataset --revision robot-coder-v1.1.0",
    );
    expect(dataset).toContain(
      "HF_ENDPOINT=http://127.0.0.1:8080 node dist/cli/bin.js pull acme/robot-coder@1.1.0 --dataset --to ./robot-coder",
    );
  });
});
