import { describe, expect, it } from "vitest";
import { createHashProgress } from "../../src/cli/render-hash-progress.js";

/** A terminal as the renderer sees it: what was written, and how wide it is. */
function fakeTty(columns = 200) {
  let text = "";
  return {
    stream: { columns, isTTY: true, write: (s: string) => (text += s) },
    text: () => text,
    /** What the terminal shows on its last line: `\r` returns, `\x1b[2K` erases it. */
    screen: () =>
      (text.split("\n").at(-1) ?? "")
        .split("\r")
        .at(-1)!
        .replace(/^\x1b\[2K/, ""),
  };
}

describe("build's hashing progress on a terminal", () => {
  it("shows bytes inside a large file with rate and time left, and clears each redraw", () => {
    const tty = fakeTty();
    let t = 0;
    const p = createHashProgress({ stderr: tty.stream, now: () => t });
    const GiB = 1024 ** 3;
    t = 2000;
    p.sink({ kind: "hashing", path: "model-00001-of-00002.safetensors", bytes: 1 * GiB, size: 3.2 * GiB });
    expect(tty.screen()).toBe("  hashed 0 files, 0 B · hashing 1: 1.0 GiB of 3.2 GiB · 512 MiB/s · 0:04 left");
    t = 4000;
    p.sink({ kind: "hashing", path: "model-00001-of-00002.safetensors", bytes: 2 * GiB, size: 3.2 * GiB });
    expect(tty.screen()).toBe("  hashed 0 files, 0 B · hashing 1: 2.0 GiB of 3.2 GiB · 512 MiB/s · 0:02 left");
    t = 6400;
    p.sink({ kind: "hashed", path: "model-00001-of-00002.safetensors", bytes: 3.2 * GiB, cached: false });
    p.finish();
    // The line that stays: files and bytes, in IEC units, nothing left over from a longer line.
    expect(tty.text().endsWith("\r\x1b[2K  hashed 1 file, 3.2 GiB\n")).toBe(true);
    // Every redraw returns and erases the line first.
    expect(
      tty
        .text()
        .split("\r")
        .slice(1)
        .every((d) => d.startsWith("\x1b[2K")),
    ).toBe(true);
    expect(tty.text()).not.toMatch(/GB|kB|MB/);
  });

  it("redraws at most ten times a second and fits the terminal's width", () => {
    const tty = fakeTty(40);
    let t = 0;
    const p = createHashProgress({ stderr: tty.stream, now: () => t });
    for (let i = 1; i <= 100; i++) {
      t = i; // 100 events within 0.1 s
      p.sink({ kind: "hashing", path: "a", bytes: i * 1024, size: 100 * 1024 });
    }
    expect(tty.text().split("\r").length - 1).toBe(1);
    expect(tty.screen().length).toBeLessThan(40);
  });

  it("prints nothing when nothing was hashed", () => {
    const tty = fakeTty();
    const p = createHashProgress({ stderr: tty.stream, now: () => 0 });
    p.finish();
    expect(tty.text()).toBe("");
  });
});
