import { blockedError } from "../errors.js";

// Accepted spellings: BEGIN-INTERNAL, BEGIN_INTERNAL, BEGIN INTERNAL (any case), ending the word
// there. Copybara writes the hyphen; people write the others, and a marker that is not recognised
// publishes the block it was meant to hide.
const MARKER = /(?<![\w-])(BEGIN|END)[-_ ]INTERNAL(?![\w-])/gi;
// Anything that looks like it wants to be a marker but is not an accepted one: refused, never guessed.
const LOOKS_LIKE_MARKER =
  /(?<![\w])(?:BEGIN|END|START|STOP)[-_ ]?(?:INTERNAL|CONFIDENTIAL|PRIVATE)[\w-]*|(?<![\w])INTERNAL[-_ ]?(?:BEGIN|END|START|STOP)\b/gi;

export interface StripState {
  /** 1-based line where the open block began, or -1 outside a block. */
  openedAt: number;
}

/**
 * Copybara's "remove confidential blocks" recipe: every line from one holding a BEGIN marker to
 * the next line holding an END marker, both included. An unterminated block, an END without a
 * BEGIN, a nested BEGIN and a marker in an unknown spelling are errors, not "strip to the end":
 * a typo must not decide what is published. `state` carries an open block across the cells of a
 * notebook.
 */
export function stripInternalBlocks(
  text: string,
  file = "<input>",
  opts: { state?: StripState; lineOffset?: number; final?: boolean } = {},
): { text: string; removedLines: number } {
  const state = opts.state ?? { openedAt: -1 };
  const lineOffset = opts.lineOffset ?? 0;
  const lines = text.split("\n");
  const out: string[] = [];
  let removed = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const at = lineOffset + i + 1;
    const markers = [...line.matchAll(MARKER)].map((m) => m[1]!.toUpperCase());
    const accepted = new Set([...line.matchAll(MARKER)].map((m) => m.index));
    for (const m of line.matchAll(LOOKS_LIKE_MARKER))
      if (!accepted.has(m.index) || m[0].length !== /^(?:BEGIN|END)[-_ ]INTERNAL/i.exec(m[0])?.[0].length)
        throw blockedError(
          "INTERNAL_MARKER_UNKNOWN",
          `${file}:${at}: an internal-block marker in an unknown spelling`,
          {
            hint: "write BEGIN-INTERNAL and END-INTERNAL (also accepted: BEGIN_INTERNAL, BEGIN INTERNAL)",
            location: { file, line: at },
          },
        );
    if (markers.length === 0) {
      if (state.openedAt >= 0) removed++;
      else out.push(line);
      continue;
    }
    removed++;
    for (const m of markers) {
      if (m === "BEGIN") {
        if (state.openedAt >= 0)
          throw blockedError(
            "INTERNAL_BLOCK_UNBALANCED",
            `${file}:${at}: BEGIN-INTERNAL inside the block opened on line ${state.openedAt}`,
            {
              hint: "internal blocks do not nest: close the first one with END-INTERNAL",
              location: { file, line: at },
            },
          );
        state.openedAt = at;
      } else {
        if (state.openedAt < 0)
          throw blockedError("INTERNAL_BLOCK_UNBALANCED", `${file}:${at}: END-INTERNAL without a BEGIN-INTERNAL`, {
            hint: "pair every END-INTERNAL with a BEGIN-INTERNAL above it",
            location: { file, line: at },
          });
        state.openedAt = -1;
      }
    }
  }
  if ((opts.final ?? true) && state.openedAt >= 0) {
    throw blockedError("INTERNAL_BLOCK_UNBALANCED", `${file}:${state.openedAt}: BEGIN-INTERNAL is never closed`, {
      hint: "add an END-INTERNAL line where the internal block ends",
      location: { file, line: state.openedAt },
    });
  }
  return { text: out.join("\n"), removedLines: removed };
}
