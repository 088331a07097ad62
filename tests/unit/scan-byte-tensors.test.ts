import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planScan } from "../../src/sanitize/plan-scan.js";

const TOKEN = "hf_ByteTensorCanary0123456789abcdefghiJK";
let tmp = "";
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), "byte-tensors-"));
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

/** Safetensors bytes with the given tensors' raw data (shape = [data length]). */
function shard(tensors: { name: string; dtype: string; data: Buffer }[]): Buffer {
  const header: Record<string, unknown> = { __metadata__: { format: "pt" } };
  let offset = 0;
  for (const t of tensors) {
    const width = t.dtype === "F32" ? 4 : 1;
    header[t.name] = { dtype: t.dtype, shape: [t.data.length / width], data_offsets: [offset, offset + t.data.length] };
    offset += t.data.length;
  }
  let json = JSON.stringify(header);
  json += " ".repeat((8 - (json.length % 8)) % 8);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([len, Buffer.from(json), ...tensors.map((t) => t.data)]);
}

/** A protocol-2 pickle that calls posix.system when loaded (never loaded here). */
const PAYLOAD = Buffer.from("\x80\x02cposix\nsystem\nq\x00X\x02\x00\x00\x00idq\x01\x85q\x02Rq\x03.", "latin1");

async function scan(tensors: { name: string; dtype: string; data: Buffer }[]) {
  const dir = path.join(tmp, `d${Math.random().toString(36).slice(2)}`);
  await mkdir(dir);
  await writeFile(path.join(dir, "config.json"), JSON.stringify({ model_type: "llama" }));
  await writeFile(path.join(dir, "model.safetensors"), shard(tensors));
  return planScan({ dir, secretlint: false });
}

describe("byte tensors in safetensors", () => {
  it("blocks a code-running pickle in a TransformerEngine-style _extra_state U8 tensor", async () => {
    const r = await scan([
      { name: "layers.0.weight", dtype: "F32", data: Buffer.alloc(64) },
      { name: "layers.0.self_attention._extra_state", dtype: "U8", data: PAYLOAD },
    ]);
    const f = r.blocking.filter((x) => x.rule === "unsafe-pickle-global");
    expect(f.map((x) => x.file)).toEqual(["model.safetensors"]);
    expect(f[0]!.message).toContain("tensor layers.0.self_attention._extra_state");
  });

  it("finds a token stored as bytes in an I8 tensor, and leaves float weights unread", async () => {
    const r = await scan([
      { name: "w", dtype: "F32", data: Buffer.concat([Buffer.from(TOKEN.padEnd(48, " ")), Buffer.alloc(16)]) },
      { name: "buf", dtype: "I8", data: Buffer.from(`note ${TOKEN} end`) },
    ]);
    const hits = r.findings.filter((x) => x.rule === "hf-token");
    expect(hits).toHaveLength(1);
    expect(hits[0]!.message).toContain("tensor buf");
    expect(JSON.stringify(r.findings)).not.toContain(TOKEN);
  });
  it("leaves packed 4-bit weights alone (random bytes are numbers), and reads a JSON quant_state", async () => {
    const packed = Buffer.alloc(4 * 1024 * 1024);
    let x = 12345;
    for (let i = 0; i < packed.length; i++) {
      x = (x * 1103515245 + 12345) & 0x7fffffff;
      packed[i] = x >> 16;
    }
    Buffer.from(" ops@example-corp.com ").copy(packed, 1_000_000);
    const quantState = Buffer.from(JSON.stringify({ quant_type: "nf4", blocksize: 64, note: TOKEN }));
    const r = await scan([
      { name: "mlp.down_proj.weight", dtype: "U8", data: packed },
      { name: "mlp.down_proj.weight.quant_state.bitsandbytes__nf4", dtype: "U8", data: quantState },
    ]);
    expect(r.findings.map((f) => f.rule)).toEqual(["hf-token"]);
    expect(r.findings[0]!.message).toContain("quant_state");
  });
});
