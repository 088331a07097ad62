import { getEventListeners } from "node:events";
import { describe, expect, it } from "vitest";
import { createPartOrderFetch } from "../../src/publish/hub-upload-fetch.js";
import { isLoopbackHost, isLoopbackUrl } from "../../src/publish/is-loopback-url.js";

/**
 * The part scheduler between `@huggingface/hub` and the network. The inner fetch here is a
 * recorder whose requests the test finishes one by one, so what is in flight at each moment is
 * exact. The library's own use of it (real multipart uploads over HTTP) is covered by the publish
 * tests against the Hub stand-in.
 */
function recorder() {
  const open: { url: string; finish: (ok?: boolean) => void }[] = [];
  const started: string[] = [];
  const inner = ((input: string | URL | Request) => {
    const url = String(input).replace(LOCAL, "");
    started.push(url);
    return new Promise<Response>((resolve, reject) => {
      open.push({
        url,
        finish: (ok = true) => (ok ? resolve(new Response(null, { status: 200 })) : reject(new Error("reset"))),
      });
    });
  }) as typeof fetch;
  const finish = (url: string, ok = true) => {
    const i = open.findIndex((o) => o.url === url);
    if (i < 0) throw new Error(`${url} is not in flight`);
    open.splice(i, 1)[0]!.finish(ok);
  };
  return { inner, open, started, finish };
}

/** Two turns of the event loop: one for a finished request's callbacks, one for the scheduler's decision. */
const tick = async () => {
  for (let i = 0; i < 2; i++) await new Promise((r) => setImmediate(r));
};
/** Upload URLs of a stand-in on this machine (the recorder shows them without this prefix). */
const LOCAL = "http://127.0.0.1:8123/lfs/";
const part = (path: string, index: number, numParts: number, signal?: AbortSignal, base = LOCAL) =>
  [
    `${base}${path}#${index + 1}`,
    { method: "PUT", signal, progressHint: { path, part: index, numParts } } as RequestInit,
  ] as const;

describe("createPartOrderFetch", () => {
  it("sends the parts of each file one at a time and in order while several files upload", async () => {
    const r = recorder();
    const f = createPartOrderFetch(r.inner);
    // The library's burst: five parts of each of three files, in one turn of the event loop.
    const done = ["a", "b", "c"].flatMap((p) => [0, 1, 2, 3, 4].map((i) => f(...part(p, i, 5))));
    await tick();
    expect(r.open.map((o) => o.url)).toEqual(["a#1", "b#1", "c#1"]);
    r.finish("b#1");
    await tick();
    expect(r.open.map((o) => o.url)).toEqual(["a#1", "c#1", "b#2"]);
    // Drain: finish whatever is in flight until nothing is left.
    while (r.open.length > 0) {
      r.finish(r.open[0]!.url);
      await tick();
      const perFile = new Map<string, number>();
      for (const o of r.open) perFile.set(o.url[0]!, (perFile.get(o.url[0]!) ?? 0) + 1);
      if (perFile.size > 1) expect(Math.max(...perFile.values())).toBe(1);
    }
    await Promise.all(done);
    for (const p of ["a", "b", "c"]) {
      const order = r.started.filter((u) => u.startsWith(`${p}#`));
      expect(order).toEqual([1, 2, 3, 4, 5].map((n) => `${p}#${n}`));
    }
  });

  it("gives a file uploading alone the library's five parallel parts", async () => {
    const r = recorder();
    const f = createPartOrderFetch(r.inner);
    const done = [0, 1, 2, 3, 4, 5, 6].map((i) => f(...part("big", i, 7)));
    await tick();
    expect(r.open.map((o) => o.url)).toEqual(["big#1", "big#2", "big#3", "big#4", "big#5"]);
    r.finish("big#2");
    await tick();
    expect(r.open.map((o) => o.url)).toEqual(["big#1", "big#3", "big#4", "big#5", "big#6"]);
    while (r.open.length > 0) {
      r.finish(r.open[0]!.url);
      await tick();
    }
    await Promise.all(done);
  });

  it("widens the last file once the others are done", async () => {
    const r = recorder();
    const f = createPartOrderFetch(r.inner);
    const done = [
      f(...part("small", 0, 2)),
      f(...part("small", 1, 2)),
      ...[0, 1, 2, 3].map((i) => f(...part("big", i, 4))),
    ];
    await tick();
    expect(r.open.map((o) => o.url)).toEqual(["small#1", "big#1"]);
    r.finish("small#1");
    await tick();
    r.finish("small#2");
    await tick();
    expect(r.open.map((o) => o.url)).toEqual(["big#1", "big#2", "big#3", "big#4"]);
    for (const u of ["big#1", "big#2", "big#3", "big#4"]) r.finish(u);
    await Promise.all(done);
  });

  it("leaves parts to other machines in the library's order: five at once per file", async () => {
    const r = recorder();
    const f = createPartOrderFetch(r.inner);
    const remote = "https://s3.example.com/bucket/";
    const done = ["a", "b"].flatMap((p) => [0, 1, 2, 3, 4].map((i) => f(...part(p, i, 5, undefined, remote))));
    expect(r.started).toHaveLength(10);
    for (const o of [...r.open]) r.finish(o.url);
    await Promise.all(done);
  });

  it("passes every other request straight through", async () => {
    const r = recorder();
    const f = createPartOrderFetch(r.inner);
    const batch = f("https://hub/batch", { method: "POST" });
    const single = f(...part("one-piece.bin", 0, 1));
    expect(r.started).toEqual(["https://hub/batch", "one-piece.bin#1"]);
    r.finish("https://hub/batch");
    r.finish("one-piece.bin#1");
    await Promise.all([batch, single]);
  });

  it("rejects a waiting part when its signal aborts, and a failed part frees its slot", async () => {
    const r = recorder();
    const f = createPartOrderFetch(r.inner);
    const ac = new AbortController();
    const first = f(...part("a", 0, 3, ac.signal));
    const second = f(...part("a", 1, 3, ac.signal));
    const other = f(...part("b", 0, 2));
    const otherNext = f(...part("b", 1, 2));
    await tick();
    expect(r.open.map((o) => o.url)).toEqual(["a#1", "b#1"]);
    ac.abort();
    await expect(second).rejects.toMatchObject({ name: "AbortError" });
    r.finish("a#1", false);
    await expect(first).rejects.toThrow("reset");
    r.finish("b#1");
    await tick();
    expect(r.open.map((o) => o.url)).toEqual(["b#2"]);
    r.finish("b#2");
    await Promise.all([other, otherNext]);
    // A fetch that throws synchronously rejects its part and frees the slot for the next.
    let calls = 0;
    const throwing = createPartOrderFetch(((input: string | URL | Request, init?: RequestInit) => {
      if (calls++ === 0) throw new TypeError("bad init");
      return r.inner(input, init);
    }) as typeof fetch);
    const bad = throwing(...part("d", 0, 2));
    const good = throwing(...part("d", 1, 2));
    await expect(bad).rejects.toThrow("bad init");
    await tick();
    expect(r.open.map((o) => o.url)).toEqual(["d#2"]);
    r.finish("d#2");
    await good;
    // Aborted before it was queued: rejected at once, never sent.
    await expect(f(...part("c", 0, 2, ac.signal))).rejects.toMatchObject({ name: "AbortError" });
    expect(r.started).not.toContain("c#1");
  });

  it("holds one abort listener per signal however many parts wait, and prints no warning", async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on("warning", onWarning);
    try {
      const r = recorder();
      const f = createPartOrderFetch(r.inner);
      const ac = new AbortController();
      // Four files of 20 parts: 76 parts wait at once, all on the library's one signal.
      const parts = ["a", "b", "c", "d"].flatMap((p) =>
        Array.from({ length: 20 }, (_, i) => f(...part(p, i, 20, ac.signal))),
      );
      await tick();
      expect(r.open).toHaveLength(4);
      expect(getEventListeners(ac.signal, "abort")).toHaveLength(1);
      // Parts leave the queue as their turn comes; the listener goes with the last waiting one.
      for (let n = 0; n < 19; n++) {
        for (const o of [...r.open]) r.finish(o.url);
        await tick();
      }
      expect(getEventListeners(ac.signal, "abort")).toHaveLength(0);
      for (const o of [...r.open]) r.finish(o.url);
      await Promise.all(parts);
      // Waiting again, then aborted: every waiting part is rejected by the one listener.
      const again = ["e", "f"].flatMap((p) => Array.from({ length: 12 }, (_, i) => f(...part(p, i, 12, ac.signal))));
      await tick();
      expect(getEventListeners(ac.signal, "abort")).toHaveLength(1);
      ac.abort();
      const settled = await Promise.allSettled(again.slice(1, 12).concat(again.slice(13)));
      expect(settled.every((s) => s.status === "rejected")).toBe(true);
      expect(getEventListeners(ac.signal, "abort")).toHaveLength(0);
      for (const o of [...r.open]) r.finish(o.url);
      await Promise.allSettled(again);
      await new Promise((res) => setImmediate(res));
      expect(warnings.map((w) => w.name)).not.toContain("MaxListenersExceededWarning");
    } finally {
      process.off("warning", onWarning);
    }
  });
});

describe("isLoopbackHost", () => {
  it("is true for this machine's addresses only (what serve binds without --allow-remote)", () => {
    for (const h of ["localhost", "127.0.0.1", "127.8.9.10", "::1", "[::1]"]) expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ["0.0.0.0", "10.0.0.7", "127.999.0.1", "localhost.example.com", "::", "example.com"])
      expect(isLoopbackHost(h), h).toBe(false);
  });
});

describe("isLoopbackUrl", () => {
  it("is true for this machine only", () => {
    for (const u of ["http://127.0.0.1:8123/x", "http://127.3.2.1/", "http://localhost:1/", "http://[::1]:80/a"])
      expect(isLoopbackUrl(u)).toBe(true);
    for (const u of [
      "https://huggingface.co/api",
      "http://10.0.0.7/",
      "http://127.0.0.1.example.com/",
      "http://localhost.example.com/",
      "not a url",
    ])
      expect(isLoopbackUrl(u)).toBe(false);
  });
});
