import { readFileSync } from "node:fs";
import path from "node:path";
import { deflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { stripImageMetadata } from "../../src/sanitize/strip-image-metadata.js";

const GPS = "GPSLatitude 35.5384 N 129.3114 E plant Kanary Motors Ulsan";

function crc32(buf: Buffer): number {
  let c = ~0;
  for (const byte of buf) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}
function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}
/** A 2x2 RGB PNG with text, EXIF and time chunks around the pixels. */
function png(): Buffer {
  const ihdr = Buffer.from([0, 0, 0, 2, 0, 0, 0, 2, 8, 2, 0, 0, 0]);
  const raw = Buffer.from([0, 255, 0, 0, 0, 255, 0, 0, 0, 0, 255, 255, 255, 255]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("sRGB", Buffer.from([0])),
    chunk("tEXt", Buffer.from(`Author\0${GPS}`, "latin1")),
    chunk("eXIf", Buffer.from(`MM\0*${GPS}`, "latin1")),
    chunk("IDAT", deflateSync(raw)),
    chunk("tIME", Buffer.from([7, 234, 12, 6, 10, 0, 0])),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}
function segment(marker: number, data: Buffer): Buffer {
  const h = Buffer.from([0xff, marker, 0, 0]);
  h.writeUInt16BE(data.length + 2, 2);
  return Buffer.concat([h, data]);
}
/** A JPEG-shaped stream: JFIF, EXIF, XMP, IPTC, a comment, coding segments, a scan, EOI and a trailer. */
function jpeg(): Buffer {
  return Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    segment(0xe0, Buffer.from("JFIF\0\x01\x01\0\0\x01\0\x01\0\0", "latin1")),
    segment(0xe1, Buffer.from(`Exif\0\0${GPS}`, "latin1")),
    segment(0xe1, Buffer.from(`http://ns.adobe.com/xap/1.0/\0<x:creator>${GPS}</x:creator>`, "latin1")),
    segment(0xed, Buffer.from(`Photoshop 3.0\0${GPS}`, "latin1")),
    segment(0xfe, Buffer.from(GPS, "latin1")),
    segment(0xdb, Buffer.alloc(65, 1)),
    segment(0xc0, Buffer.from([8, 0, 2, 0, 2, 1, 1, 0x11, 0])),
    segment(0xda, Buffer.from([1, 1, 0, 0, 0x3f, 0])),
    Buffer.from([0x12, 0xff, 0x00, 0x34, 0xff, 0xd0, 0x56]),
    Buffer.from([0xff, 0xd9]),
    Buffer.from(`PK\x03\x04 trailer ${GPS}`, "latin1"),
  ]);
}

describe("stripImageMetadata", () => {
  it("drops PNG text, EXIF and time chunks and keeps pixels and colour", () => {
    const r = stripImageMetadata(png())!;
    expect(r.removed).toEqual(["PNG tEXt", "PNG eXIf", "PNG tIME"]);
    const out = Buffer.from(r.bytes);
    expect(out.toString("latin1")).not.toContain("GPSLatitude");
    for (const kept of ["IHDR", "sRGB", "IDAT", "IEND"]) expect(out.includes(Buffer.from(kept))).toBe(true);
    expect(
      out.includes(chunk("IDAT", deflateSync(Buffer.from([0, 255, 0, 0, 0, 255, 0, 0, 0, 0, 255, 255, 255, 255])))),
    ).toBe(true);
  });

  it("drops JPEG EXIF, XMP, IPTC, comments and a trailer after EOI, keeping JFIF, tables and the scan", () => {
    const r = stripImageMetadata(jpeg())!;
    expect(r.removed).toEqual(["EXIF", "XMP", "IPTC", "JPEG comment", "data after the end of the image"]);
    const out = Buffer.from(r.bytes);
    expect(out.toString("latin1")).not.toContain("GPSLatitude");
    expect(out.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    expect(out.subarray(-2)).toEqual(Buffer.from([0xff, 0xd9]));
    expect(out.toString("latin1")).toContain("JFIF");
  });

  it("leaves the shipped sample image's pixels intact and refuses what is not a PNG or JPEG", () => {
    const sample = readFileSync(path.resolve(import.meta.dirname, "../../samples/inspection-vlm-example.png"));
    const r = stripImageMetadata(sample)!;
    expect(
      Buffer.from(r.bytes).includes(sample.subarray(sample.indexOf("IDAT") - 4, sample.indexOf("IDAT") + 100)),
    ).toBe(true);
    expect(stripImageMetadata(Buffer.from("\x80\x02cposix\nsystem\n", "latin1"))).toBeUndefined();
    expect(stripImageMetadata(png().subarray(0, 60))).toBeUndefined();
  });
});
