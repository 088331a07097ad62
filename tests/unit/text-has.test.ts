import { describe, expect, it } from "vitest";
import { hasLiteral, hasLiteralAnyCase } from "../../src/detect/text-has.js";

describe("hasLiteral", () => {
  it("answers as includes does, across texts of the same length and repeated calls", () => {
    const texts = [
      "step 1 loss 0.5 lr 0.0001",
      "step 1 loss 0.5 sig=000001",
      "sk_test_ whsec_ 여권 Key=",
      "",
      "\u0000x",
    ];
    const lits = ["sig=", "Key=", "step", "여권", "whsec_", "x", "\u0000", "zz"];
    for (let round = 0; round < 2; round++)
      for (const t of texts)
        for (const l of lits) expect(hasLiteral(t, l), `${JSON.stringify(t)} ${l}`).toBe(t.includes(l));
  });

  it("tests a case-insensitive literal through the given pattern, after ruling out absent letters", () => {
    expect(hasLiteralAnyCase("WANDB_API_KEY=…", "wandb", /wandb/i)).toBe(true);
    expect(hasLiteralAnyCase("WaNdB", "wandb", /wandb/i)).toBe(true);
    expect(hasLiteralAnyCase("wand b", "wandb", /wandb/i)).toBe(false);
    expect(hasLiteralAnyCase("step 1 loss", "wandb", /wandb/i)).toBe(false);
  });
});
