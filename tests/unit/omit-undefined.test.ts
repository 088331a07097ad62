import { stringify } from "yaml";
import { describe, expect, it } from "vitest";
import { omitUndefined } from "../../src/omit-undefined.js";

describe("omitUndefined", () => {
  it("drops undefined members only, keeping the order and every other falsy value", () => {
    const out = omitUndefined({ a: 1, b: undefined, c: null, d: 0, e: "", f: false, g: undefined });
    expect(Object.keys(out)).toEqual(["a", "c", "d", "e", "f"]);
    expect("b" in out).toBe(false);
    expect(out).toStrictEqual({ a: 1, c: null, d: 0, e: "", f: false });
  });

  it("does not override defaults when spread over them, as a plain optional field would", () => {
    const defaults = { concurrency: 4, signal: "none" };
    const params = { concurrency: undefined as number | undefined, signal: "abort" };
    expect({ ...defaults, ...params }.concurrency).toBeUndefined();
    expect({ ...defaults, ...omitUndefined(params) }).toEqual({ concurrency: 4, signal: "abort" });
  });

  it("is shallow: nested objects are kept as they are", () => {
    const nested = { x: undefined };
    expect(omitUndefined({ n: nested }).n).toBe(nested);
    expect(stringify(omitUndefined({ license: "other", license_name: undefined }))).toBe("license: other\n");
  });
});
