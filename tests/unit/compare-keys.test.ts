import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compareKeys } from "../../src/card/compare-keys.js";

describe("compareKeys", () => {
  // The fast path must order exactly as localeCompare: rendered cards and review pages depend on it.
  it.each(["abcz09_", "ABZ019", "abz_", "abcXYZ_09-. é"])("orders like localeCompare over %j", (alphabet) => {
    const key = fc.string({ unit: fc.constantFrom(...alphabet), maxLength: 8 });
    fc.assert(
      fc.property(key, key, (a, b) => Math.sign(compareKeys(a, b)) === Math.sign(a.localeCompare(b))),
      { numRuns: 5000 },
    );
  });

  it("sorts hyperparameter names as localeCompare does", () => {
    const keys = [
      "lr",
      "learning_rate",
      "epochs",
      "warmup_steps",
      "batch_size",
      "seed",
      "bf16",
      "top_k2",
      "Adam_beta1",
    ];
    expect([...keys].sort(compareKeys)).toEqual([...keys].sort((a, b) => a.localeCompare(b)));
  });
});
