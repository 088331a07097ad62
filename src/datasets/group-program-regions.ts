import type { ProgramDialect, Region } from "./scan-program-regions.js";

/** A run of editable regions read as one text: comment lines in a row, or strings joined by `+`. */
export interface RegionGroup {
  kind: "comment" | "string" | "header";
  /** Program offsets of the editable bodies (after the comment character, inside the quotes). */
  segments: { start: number; end: number }[];
  /** What stands between two segments in the joined text: a space between lines, nothing between literals. */
  separator: string;
  /** A string assigned to a credential name (`password='…'`): secret whatever it looks like. */
  credential?: boolean;
}

const CREDENTIAL_BEFORE =
  /(?:^|[^A-Za-z0-9])(?:[A-Za-z0-9]+_)?(?:password|passwd|pwd|passphrase|secret|token|api_?key|ftp_?pass|credentials?)\s*[=:]\s*[A-Za-z]{0,2}$/i;
// Between two literals of one concatenation: `+` (DRL, HRScript) or Python's implicit joining.
const CONCAT = /^\s*\+?\s*$/;

/**
 * Groups the comment, string and header regions of a program for detection: a name split over
 * two comment lines or over `"Vantor " + "Castings"` is found in the joined text. Pure.
 */
export function groupProgramRegions(params: {
  text: string;
  regions: readonly Region[];
  dialect: ProgramDialect;
}): RegionGroup[] {
  const { text, regions, dialect } = params;
  const groups: RegionGroup[] = [];
  let last: { group: RegionGroup; region: Region } | undefined;
  for (const r of regions) {
    if (r.kind === "code") continue;
    if (r.kind === "header") {
      groups.push({ kind: "header", segments: [{ start: r.start, end: r.end }], separator: "" });
      last = undefined;
      continue;
    }
    if (r.kind === "comment") {
      const seg = { start: r.start + 1, end: r.end };
      if (last?.group.kind === "comment" && last.region.line === r.line - 1) last.group.segments.push(seg);
      else {
        const group: RegionGroup = { kind: "comment", segments: [seg], separator: " " };
        groups.push(group);
        last = { group, region: r };
        continue;
      }
      last.region = r;
      continue;
    }
    const body = text.slice(r.start, r.end);
    const q = dialect === "drl" && (body.startsWith('"""') || body.startsWith("'''")) && body.length >= 6 ? 3 : 1;
    const closed = body.length >= 2 * q && body.endsWith(body.slice(0, q));
    const seg = { start: r.start + q, end: closed ? r.end - q : r.end };
    if (last?.group.kind === "string" && CONCAT.test(text.slice(last.region.end, r.start))) {
      last.group.segments.push(seg);
      last.region = r;
      continue;
    }
    const group: RegionGroup = {
      kind: "string",
      segments: [seg],
      separator: "",
      credential: CREDENTIAL_BEFORE.test(text.slice(Math.max(0, r.start - 48), r.start)),
    };
    groups.push(group);
    last = { group, region: r };
  }
  return groups;
}
