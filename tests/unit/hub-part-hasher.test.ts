import { createHash, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createPartHasher, type PartIntake } from "../../src/local/hub/create-part-hasher.js";

/**
 * The stand-in's running hash of a multipart upload. Parts are bytes in memory here; `readPart`
 * is the disk read the stand-in does for parts that arrived ahead of their turn, and the tests
 * record which parts it had to read back.
 */
const CHUNK = 1000;
const object = randomBytes(4 * CHUNK + 123);
const PARTS = Math.ceil(object.length / CHUNK);
const partBytes = (n: number, data: Uint8Array = object) => data.subarray((n - 1) * CHUNK, n * CHUNK);
const expected = createHash("sha256").update(object).digest("hex");

function setup(disk: Map<number, Uint8Array> = new Map(), failRead?: number) {
  const readBack: number[] = [];
  const hasher = createPartHasher({
    parts: PARTS,
    async readPart(n, update) {
      readBack.push(n);
      await new Promise((r) => setTimeout(r, 1));
      if (n === failRead) throw new Error("EIO");
      const bytes = disk.get(n)!;
      // In two reads, as the stand-in reads in bounded chunks.
      update(bytes.subarray(0, 300));
      update(bytes.subarray(300));
    },
  });
  /** Sends part n: begin, its bytes in three chunks, "on disk", end. */
  const send = (n: number, data: Uint8Array = partBytes(n)): PartIntake => {
    const intake = hasher.begin(n);
    for (let i = 0; i < data.length; i += 400) intake.update(data.subarray(i, i + 400));
    disk.set(n, data);
    return intake;
  };
  return { hasher, send, readBack, disk };
}

describe("multipart running hash (stand-in)", () => {
  it("parts in order are hashed as they arrive and never read back", async () => {
    const { hasher, send, readBack } = setup();
    for (let n = 1; n <= PARTS; n++) {
      const intake = send(n);
      expect(intake.live).toBe(true);
      intake.end(true);
    }
    expect(await hasher.digest()).toBe(expected);
    expect(readBack).toEqual([]);
  });

  it("parts arriving together: the next one is hashed live, the others are read back in order", async () => {
    const { hasher, send, readBack } = setup();
    const intakes = [1, 2, 3, 4, 5].map((n) => send(n));
    expect(intakes.map((i) => i.live)).toEqual([true, false, false, false, false]);
    for (const n of [4, 2, 5, 1, 3]) intakes[n - 1]!.end(true);
    expect(await hasher.digest()).toBe(expected);
    expect(readBack).toEqual([2, 3, 4, 5]);
  });

  it("parts in reverse order are folded in once the first arrives", async () => {
    const { hasher, send, readBack } = setup();
    for (let n = PARTS; n >= 1; n--) send(n).end(true);
    expect(await hasher.digest()).toBe(expected);
    expect(readBack).toEqual([2, 3, 4, 5]);
  });

  it("a live part whose upload fails is rolled back, and its retry is hashed live", async () => {
    const { hasher, send, readBack } = setup();
    send(1).end(true);
    const failed = hasher.begin(2);
    failed.update(partBytes(2).subarray(0, 500)); // the connection drops half-way
    failed.end(false);
    for (let n = 2; n <= PARTS; n++) send(n).end(true);
    expect(await hasher.digest()).toBe(expected);
    expect(readBack).toEqual([]);
  });

  it("a part sent again before its turn is read back with its last bytes", async () => {
    const { hasher, send, readBack } = setup();
    send(3, randomBytes(CHUNK)).end(true);
    send(3).end(true); // the retry with the right bytes replaces the first upload on disk
    for (const n of [1, 2, 4, 5]) send(n).end(true);
    expect(await hasher.digest()).toBe(expected);
    expect(readBack).toEqual([3, 4, 5]);
  });

  it("cannot vouch once a part that was already hashed is sent again", async () => {
    const { hasher, send } = setup();
    send(1).end(true);
    send(2).end(true);
    send(1).end(true); // same bytes or not: the running hash can no longer tell
    for (let n = 3; n <= PARTS; n++) send(n).end(true);
    expect(await hasher.digest()).toBeUndefined();
  });

  it("cannot vouch when a read back fails, or while parts are missing or still arriving", async () => {
    const broken = setup(new Map(), 3);
    for (let n = PARTS; n >= 1; n--) broken.send(n).end(true);
    expect(await broken.hasher.digest()).toBeUndefined();

    const missing = setup();
    for (const n of [1, 2, 4, 5]) missing.send(n).end(true);
    expect(await missing.hasher.digest()).toBeUndefined();

    const arriving = setup();
    for (let n = 1; n < PARTS; n++) arriving.send(n).end(true);
    arriving.send(PARTS); // not ended
    expect(await arriving.hasher.digest()).toBeUndefined();
  });

  it("wrong bytes give another digest (the caller refuses the object, as the Hub does)", async () => {
    const { hasher, send } = setup();
    for (let n = 1; n <= PARTS; n++) send(n, n === 2 ? randomBytes(CHUNK) : partBytes(n)).end(true);
    const digest = await hasher.digest();
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    expect(digest).not.toBe(expected);
  });
});
