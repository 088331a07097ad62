import { open } from "node:fs/promises";
import { inputError } from "../errors.js";
import { parseJsonStrings } from "./parse-json-strings.js";
import { MAX_HEADER_LENGTH as MAX_SAFETENSORS_HEADER } from "../checkpoint/parse-safetensors-header.js";

/** `__metadata__` keys that pass: what transformers, PEFT and the shard index write. */
export const ALLOWED_SAFETENSORS_METADATA: Readonly<Record<string, RegExp>> = {
  format: /^(?:pt|tf|flax|np|mlx|jax|paddle)$/,
  total_size: /^\d{1,20}$/,
};

export interface SafetensorsHeaderPlan {
  /** Undefined when the header is already clean. */
  rewrite?: {
    /** New 8-byte length prefix + JSON header. */
    header: Uint8Array;
    /** Byte offset of the tensor data in the source file. */
    dataOffset: number;
    dataLength: number;
    /** True when the new header was padded to the old length: tensor data keeps its offset. */
    inPlace: boolean;
    diff: string;
  };
  /** The header text after the rewrite (or as it is), for the scanner. */
  headerText: string;
}

/**
 * Reads a safetensors header and drops every `__metadata__` key that is not allowlisted (or
 * whose value is not of the allowed form). The new header is padded with spaces to the old
 * length when it fits, which the format allows, so the tensor data does not move.
 */
export async function planSafetensorsHeader(absPath: string, file: string): Promise<SafetensorsHeaderPlan> {
  const fh = await open(absPath, "r");
  try {
    const size = (await fh.stat()).size;
    const lenBuf = Buffer.alloc(8);
    await fh.read(lenBuf, 0, 8, 0);
    const n = Number(lenBuf.readBigUInt64LE(0));
    if (n > MAX_SAFETENSORS_HEADER || n + 8 > size) {
      throw inputError(
        "SAFETENSORS_HEADER_SIZE",
        `${file}: header length ${n} is out of bounds for a ${size}-byte file`,
        { location: { file, offset: 0 }, hint: "The file is truncated or not safetensors." },
      );
    }
    const headerBytes = Buffer.alloc(n);
    await fh.read(headerBytes, 0, n, 8);
    const headerText = headerBytes.toString("utf8");
    parseJsonStrings(headerText, file);
    const header = JSON.parse(headerText) as Record<string, unknown>;
    const meta = header.__metadata__;
    if (meta === undefined) return { headerText };
    const removed: string[] = [];
    const kept: Record<string, string> = {};
    if (meta !== null && typeof meta === "object" && !Array.isArray(meta)) {
      for (const [k, v] of Object.entries(meta as Record<string, unknown>)) {
        const allowed = ALLOWED_SAFETENSORS_METADATA[k];
        if (allowed && typeof v === "string" && allowed.test(v)) kept[k] = v;
        else removed.push(k);
      }
    } else removed.push("(not a string map)");
    if (removed.length === 0) return { headerText };
    const next: Record<string, unknown> = {};
    if (Object.keys(kept).length > 0) next.__metadata__ = kept;
    for (const [k, v] of Object.entries(header)) if (k !== "__metadata__") next[k] = v;
    let json = JSON.stringify(next);
    const inPlace = Buffer.byteLength(json) <= n;
    if (inPlace) json += " ".repeat(n - Buffer.byteLength(json));
    else json += " ".repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
    const body = Buffer.from(json, "utf8");
    const out = Buffer.alloc(8 + body.length);
    out.writeBigUInt64LE(BigInt(body.length), 0);
    body.copy(out, 8);
    const oldMeta = meta as Record<string, unknown>;
    const diff =
      [`--- ${file} __metadata__ (checkpoint)`, `+++ ${file} __metadata__ (published)`]
        .concat(
          removed.map((k) => {
            // Values are not shown: free-form metadata is where dataset paths and names hide.
            const v = typeof oldMeta?.[k] === "string" ? (oldMeta[k] as string) : JSON.stringify(oldMeta?.[k] ?? null);
            return `- /__metadata__/${k}: (${v.length} characters removed)`;
          }),
        )
        .join("\n") +
      `\n  # metadata keys outside the allowlist (${Object.keys(ALLOWED_SAFETENSORS_METADATA).join(", ")}) removed; ${inPlace ? "header padded to its old length, tensor data not copied" : "header grew, the shard is copied"}\n`;
    return { headerText: json, rewrite: { header: out, dataOffset: 8 + n, dataLength: size - 8 - n, inPlace, diff } };
  } finally {
    await fh.close();
  }
}
