/**
 * Removes the metadata of a PNG or JPEG, keeping the pixels and how they render. The example
 * image of a vision release is often a photo from a customer's plant: EXIF carries GPS
 * coordinates, camera serial numbers, owner names and timestamps, XMP and IPTC carry authors and
 * descriptions, PNG text chunks whatever a tool wrote. None of it is needed to run the example.
 *
 * Kept: JPEG APP0 (JFIF) and APP2 (ICC colour profile) and every coding segment; PNG critical
 * chunks and the colour and transparency chunks. Removed: JPEG APP1 (EXIF, XMP), APP3-APP15
 * (IPTC and vendor blocks), COM; PNG tEXt, zTXt, iTXt, eXIf, tIME and any other ancillary chunk.
 * Returns undefined for anything that is not a well-formed PNG or JPEG.
 */
export function stripImageMetadata(bytes: Uint8Array): { bytes: Uint8Array; removed: string[] } | undefined {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length >= 8 && b.subarray(0, 8).equals(PNG_SIGNATURE)) return stripPng(b);
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8) return stripJpeg(b);
  return undefined;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Ancillary chunks that say how to render the pixels, nothing about who or where. */
const PNG_KEEP = new Set(["tRNS", "cHRM", "gAMA", "iCCP", "sBIT", "sRGB", "bKGD", "pHYs", "hIST", "cICP"]);

function stripPng(b: Buffer): { bytes: Uint8Array; removed: string[] } | undefined {
  const out: Buffer[] = [PNG_SIGNATURE];
  const removed: string[] = [];
  let pos = 8;
  while (pos + 12 <= b.length) {
    const len = b.readUInt32BE(pos);
    const type = b.toString("latin1", pos + 4, pos + 8);
    const end = pos + 12 + len;
    if (!/^[A-Za-z]{4}$/.test(type) || end > b.length) return undefined;
    const critical = type.charCodeAt(0) < 0x61;
    if (critical || PNG_KEEP.has(type)) out.push(b.subarray(pos, end));
    else removed.push(`PNG ${type}`);
    pos = end;
    if (type === "IEND") return { bytes: Buffer.concat(out), removed: [...new Set(removed)] };
  }
  return undefined; // no IEND: truncated
}

function stripJpeg(b: Buffer): { bytes: Uint8Array; removed: string[] } | undefined {
  const out: Buffer[] = [b.subarray(0, 2)];
  const removed: string[] = [];
  let pos = 2;
  while (pos + 4 <= b.length) {
    if (b[pos] !== 0xff) return undefined;
    const marker = b[pos + 1]!;
    if (marker === 0xff) {
      pos++; // fill byte
      continue;
    }
    const len = b.readUInt16BE(pos + 2);
    const end = pos + 2 + len;
    if (len < 2 || end > b.length) return undefined;
    if (marker === 0xda) {
      // Start of scan: the entropy-coded image (and, progressive, its later scans) is kept up to
      // the end-of-image marker. In coded data 0xFF is followed by 0x00 or a restart marker, so
      // the first FF D9 is the end; anything after it (a polyglot trailer) is not an image.
      const eoi = b.indexOf(EOI, pos + 2);
      if (eoi < 0) return undefined;
      out.push(b.subarray(pos, eoi + 2));
      if (eoi + 2 < b.length) removed.push("data after the end of the image");
      return { bytes: Buffer.concat(out), removed: [...new Set(removed)] };
    }
    const drop = marker === 0xe1 || (marker >= 0xe3 && marker <= 0xef) || marker === 0xfe;
    if (drop) removed.push(jpegSegmentName(marker, b.subarray(pos + 4, Math.min(end, pos + 34))));
    else out.push(b.subarray(pos, end));
    pos = end;
  }
  return undefined; // no image data
}

const EOI = Buffer.from([0xff, 0xd9]);

function jpegSegmentName(marker: number, head: Buffer): string {
  if (marker === 0xfe) return "JPEG comment";
  if (marker === 0xe1) return head.toString("latin1").startsWith("Exif") ? "EXIF" : "XMP";
  if (marker === 0xed) return "IPTC";
  return `JPEG APP${marker - 0xe0}`;
}
