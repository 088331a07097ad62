import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planScan } from "../../src/sanitize/plan-scan.js";

/**
 * Each form of one secret on its own member of a shipped config: the adversarial corpus blocks a
 * build as soon as one form is found, so here every form must be found by itself (a blocking
 * finding at its own JSON pointer), not hidden behind a neighbour.
 */
const token = (tag: string) => `hf_${`${tag}FormCanary`.padEnd(34, "ZxCvBnMaSdFgHjKl")}`;
const forms: Record<string, string> = {
  plain: token("Plain"),
  fullWidth: [...token("Wide")].map((c) => String.fromCodePoint(c.codePointAt(0)! + 0xfee0)).join(""),
  zeroWidth: `${token("Zw").slice(0, 9)}\u200b${token("Zw").slice(9)}`,
  escape: `${token("Esc").slice(0, 9)}\u001b${token("Esc").slice(9)}`,
  nbsp: `${token("Nbsp").slice(0, 9)}\u00a0${token("Nbsp").slice(9)}`,
  base64: Buffer.from(token("Bsixtyfour")).toString("base64"),
  base64PathComponent: `runs/${Buffer.from(token("Bpath")).toString("base64")}/events`,
  hex: Buffer.from(token("Hex")).toString("hex"),
  percent: encodeURIComponent(`${token("Pct")} `).replaceAll("_", "%5F"),
  byKeyName: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b",
};

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "mr-every-form-"));
  await writeFile(join(dir, "config.json"), JSON.stringify({ model_type: "llama", hidden_size: 8 }));
  await writeFile(
    join(dir, "generation_config.json"),
    JSON.stringify({ bos_token_id: 1, ...forms, wandb_api_key: forms.byKeyName, byKeyName: undefined }),
  );
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe("every form of a secret in shipped JSON is found on its own", () => {
  for (const name of Object.keys(forms).filter((k) => k !== "byKeyName")) {
    it(name, async () => {
      const { blocking } = await planScan({ dir, secretlint: false });
      expect(blocking.filter((f) => f.file === "generation_config.json").map((f) => f.pointer)).toContain(`/${name}`);
    });
  }
  it("a credential recognised by its key name (wandb_api_key)", async () => {
    const { blocking } = await planScan({ dir, secretlint: false });
    expect(blocking.map((f) => f.pointer)).toContain("/wandb_api_key");
  });
});
