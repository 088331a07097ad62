import { createHmac } from "node:crypto";
import type { DatasetConfig } from "./dataset-config-schema.js";

/**
 * A uniform number in [0, 1) from a key and a string (HMAC-SHA256): the same key and input, the
 * same number, on every machine; without the key, no one can compute it.
 */
export function keyedUnitHash(key: Uint8Array, s: string): number {
  const d = createHmac("sha256", key).update(s).digest();
  // 48 bits are exact in a double.
  return d.readUIntBE(0, 6) / 2 ** 48;
}

export function pickSplit(config: DatasetConfig, sourceId: string, unit: (s: string) => number): string {
  const u = unit(`split\u0000${config.sample.seed}\u0000${sourceId}`);
  let acc = 0;
  for (const s of config.splits) {
    acc += s.fraction;
    if (u < acc) return s.name;
  }
  return config.splits.at(-1)!.name;
}

/** `*` any run without `/`, `**` any run, `?` one character; the whole id must match. Pure. */
export function globToRegExp(glob: string): RegExp {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "*" && glob[i + 1] === "*") {
      re += ".*";
      i++;
    } else if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else re += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}
