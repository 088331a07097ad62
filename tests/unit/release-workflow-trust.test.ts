import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const REPO = path.resolve(import.meta.dirname, "..", "..");
type Step = {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, string>;
  env?: Record<string, string>;
};
const wf = parse(readFileSync(path.join(REPO, ".github", "workflows", "release.yml"), "utf8")) as {
  permissions: Record<string, string>;
  jobs: Record<string, { env: Record<string, string>; steps: Step[] }>;
};
const job = wf.jobs.release!;
const step = (name: string) => job.steps.find((s) => s.name === name);

describe("release.yml: signing and provenance", () => {
  it("grants the OIDC token and attestation rights, and passes the signing key secret to the release", () => {
    expect(wf.permissions).toMatchObject({ "id-token": "write", attestations: "write", "artifact-metadata": "write" });
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression, compared as written in release.yml
    expect(job.env.MODEL_RELEASE_SIGNING_KEY).toBe("${{ secrets.MODEL_RELEASE_SIGNING_KEY }}");
  });

  it("attests every SHA256SUMS file plus SHA256SUMS and model.sig, after the release, never on a dry run", () => {
    const names = job.steps.map((s) => s.name ?? s.uses ?? s.run);
    const attest = step("attest build provenance")!;
    expect(names.indexOf("attest build provenance")).toBeGreaterThan(
      names.findIndex((n) => String(n).startsWith("release ")),
    );
    expect(attest.uses).toMatch(/^actions\/attest-build-provenance@v\d+$/);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression, compared as written in release.yml
    expect(attest.with?.["subject-checksums"]).toBe("${{ runner.temp }}/attestation-subjects.txt");
    for (const s of [
      attest,
      step("subjects for the build provenance attestation")!,
      step("verify the model signature (model-release and model_signing)")!,
    ]) {
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression, compared as written in release.yml
      expect(s.if).toBe("${{ !(inputs.dry_run || false) }}");
    }
  });

  it("verifies with both tools using the reference CLI's exact flag spelling, and the scripts parse", () => {
    const verify = step("verify the model signature (model-release and model_signing)")!;
    expect(verify.run).toContain(
      'model_signing verify key "$b" --signature "$b/model.sig" --public-key "$b/model.pub"',
    );
    expect(verify.run).toContain('--identity "$IDENTITY" --identity-provider "$ISSUER"');
    expect(verify.run).toContain('node dist/cli/bin.js verify "$b" --identity "$IDENTITY" --issuer "$ISSUER"');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression, compared as written in release.yml
    expect(verify.env?.IDENTITY).toBe("https://github.com/${{ github.workflow_ref }}");
    for (const s of job.steps.filter((x) => x.run))
      execFileSync("bash", ["-n"], { input: s.run!.replaceAll("${{", "X").replaceAll("}}", "X") });
  });
});
