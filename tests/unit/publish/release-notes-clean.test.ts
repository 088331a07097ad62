import { describe, expect, it } from "vitest";
import { assertReleaseNotesClean } from "../../../src/publish/assert-release-notes-clean.js";

describe("assertReleaseNotesClean", () => {
  it("passes ordinary notes: digests, versions, commands, loopback endpoints", () => {
    const notes = [
      "## robot-coder v1.2.0",
      "A code-conversion model. Built with lm-evaluation-harness 0.4.9.1.",
      "HF_ENDPOINT=http://127.0.0.1:43117 hf download acme/robot-coder --revision v1.2.0 --local-dir ./robot-coder",
      "(cd ./robot-coder && sha256sum -c SHA256SUMS)",
      `${"a3f1".repeat(16)}  model-00001-of-00002.safetensors`,
    ].join("\n");
    expect(() => assertReleaseNotesClean(notes, [])).not.toThrow();
  });

  it("refuses a token, an internal host or a customer name in the summary, naming line and rule only", () => {
    const token = "hf_Q7mX2pLk9RtV4nB8cZ1wY6sD3fG5hJ0aEu";
    const notes = `## v1\n\nAsk gpu07.hmg-ai.internal.\nUse ${token} for Kanary Motors.`;
    let err: unknown;
    try {
      assertReleaseNotesClean(notes, [{ name: "customer-name", values: ["Kanary Motors"] }]);
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: "RELEASE_NOTES_BLOCKED" });
    const text = `${(err as Error).message}${JSON.stringify((err as { details?: unknown }).details)}`;
    expect(text).toContain("release notes:3 [internal-hostname]");
    expect(text).toContain("release notes:4 [hf-token]");
    expect(text).toContain("[customer-name]");
    for (const s of [token, "gpu07", "Kanary"]) expect(text).not.toContain(s);
  });
});
