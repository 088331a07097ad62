import path from "node:path";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readPickleOps } from "../../src/checkpoint/pickle/read-pickle-ops.js";
import { scanPickle } from "../../src/checkpoint/pickle/scan-pickle.js";
import { extractPickleStrings } from "../../src/checkpoint/pickle/extract-pickle-strings.js";
import { interpretStateDictPickle } from "../../src/checkpoint/pickle/interpret-state-dict-pickle.js";
import { convertTorchToSafetensors } from "../../src/checkpoint/pickle/convert-torch-to-safetensors.js";
import { scanTorchFile } from "../../src/checkpoint/pickle/scan-torch-file.js";
import { openZip } from "../../src/checkpoint/zip/open-zip.js";
import { isReleaseError } from "../../src/errors.js";

const fixtures = path.resolve(import.meta.dirname, "../fixtures/pickles");
let plainZip: Buffer;
let plainPkl: Uint8Array;
let dir = "";
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "mr-fuzz-"));
  plainZip = await readFile(path.join(fixtures, "plain_state_dict.pt"));
  const z = await openZip(path.join(fixtures, "plain_state_dict.pt"));
  plainPkl = await z.readEntry(z.get("plain_state_dict/data.pkl")!);
  await z.close();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs fn; anything thrown must be a ReleaseError of the given categories. */
function onlyReleaseErrors(fn: () => unknown, categories: string[] = ["input"]): void {
  try {
    fn();
  } catch (err) {
    if (!isReleaseError(err) || !categories.includes(err.category)) throw err;
  }
}

/** Random bytes biased towards pickle opcodes, so the reader gets past the first byte. */
const opcodeBytes = fc
  .uint8Array({ maxLength: 300 })
  .map((b) =>
    Uint8Array.from(b, (x, i) =>
      i % 3 === 0
        ? [0x80, 0x28, 0x2e, 0x4b, 0x58, 0x63, 0x71, 0x68, 0x93, 0x94, 0x8c, 0x95, 0x8a, 0x8e, 0x75, 0x52][x % 16]!
        : x,
    ),
  );
const mutations = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 });
function mutate(bytes: Uint8Array, muts: [number, number][]): Uint8Array {
  const out = Uint8Array.from(bytes);
  for (const [i, v] of muts) out[i % out.length] = v;
  return out;
}

describe("pickle reader under random input", () => {
  it("readPickleOps only ever throws ReleaseError (input) on random bytes", () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 300 }), opcodeBytes), (bytes) => {
        onlyReleaseErrors(() => {
          let n = 0;
          for (const op of readPickleOps(bytes, { file: "fuzz" })) {
            expect(op.offset).toBeLessThan(bytes.length);
            n++;
          }
          // Every opcode is at least one byte: the walk is linear, it cannot loop.
          expect(n).toBeLessThanOrEqual(bytes.length);
        });
      }),
      { numRuns: 2000 },
    );
  });

  it("scanPickle and extractPickleStrings never throw; the interpreter throws only ReleaseErrors", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          opcodeBytes,
          mutations.map((m) => mutate(plainPkl, m)),
        ),
        (bytes) => {
          const scan = scanPickle({ file: "fuzz", bytes });
          for (const g of scan.globals) expect(["safe", "unknown", "dangerous"]).toContain(g.verdict);
          extractPickleStrings({ file: "fuzz", bytes });
          onlyReleaseErrors(() => interpretStateDictPickle({ file: "fuzz", bytes }), ["input", "blocked"]);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("a mutated torch zip is scanned and converted or refused, never crashes", async () => {
    let i = 0;
    await fc.assert(
      fc.asyncProperty(mutations, async (muts) => {
        const file = path.join(dir, `m${i++}.pt`);
        await writeFile(file, mutate(plainZip, muts));
        const scan = await scanTorchFile(file, { file: "m.pt" });
        expect(Array.isArray(scan.findings)).toBe(true);
        // Storage bytes are only read while writing, so damage there surfaces as a thrown input error.
        const r = await convertTorchToSafetensors({ source: file, dest: `${file}.safetensors` }).catch(
          (err: unknown) => {
            if (isReleaseError(err) && err.category === "input") return undefined;
            throw err;
          },
        );
        if (r && !r.written) expect(r.plan.findings.some((f) => f.severity === "block")).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it("walks a megabyte of random bytes in one linear pass", () => {
    const big = new Uint8Array(1024 * 1024);
    for (let j = 0; j < big.length; j++) big[j] = (j * 2654435761) >>> 24;
    onlyReleaseErrors(() => [...readPickleOps(big, { file: "big" })]);
    // A protocol-0 line argument without a newline stops at the named bound instead of scanning on.
    const line = new Uint8Array(2 * 1024 * 1024).fill(0x41);
    line[0] = 0x49; // INT, then 2 MiB with no newline
    let code = "";
    try {
      [...readPickleOps(line, { file: "line" })];
    } catch (err) {
      code = isReleaseError(err) ? err.code : "other";
    }
    expect(code).toBe("PICKLE_INVALID");
  });
});
