import { blockedError } from "../errors.js";
import { stripInternalBlocks, type StripState } from "./strip-internal-blocks.js";

export type NotebookOutputs = "strip" | "keep";

interface Cell {
  cell_type?: string;
  source?: string | string[];
  outputs?: unknown[];
  execution_count?: number | null;
  [k: string]: unknown;
}

/**
 * A Jupyter notebook as exported. Outputs are where paths, host names and tokens hide (tracebacks,
 * `!nvidia-smi`, printed configs), so every output is dropped unless the config asks to keep them;
 * kept outputs are part of the text that is scanned like code. Internal blocks are stripped per
 * cell (a block may span cells); a cell whose source was inside a block loses its outputs too, and
 * disappears when nothing of it is left. Pure.
 *
 * @throws ReleaseError `NOTEBOOK_INVALID` (blocked) for a notebook that is not JSON with cells,
 *   and those of `stripInternalBlocks`.
 */
export function prepareNotebook(params: { text: string; path: string; outputs: NotebookOutputs }): {
  text: string;
  removedLines: number;
  outputsDropped: number;
} {
  const { path } = params;
  let nb: { cells?: Cell[] };
  try {
    nb = JSON.parse(params.text) as { cells?: Cell[] };
  } catch {
    nb = {};
  }
  if (typeof nb !== "object" || nb === null || !Array.isArray(nb.cells))
    throw blockedError("NOTEBOOK_INVALID", `${path} is not a Jupyter notebook (JSON with a cells list)`, {
      hint: "save the notebook again in Jupyter, or leave it out of github.code.paths",
      location: { file: path },
    });
  const state: StripState = { openedAt: -1 };
  let removedLines = 0;
  let outputsDropped = 0;
  let line = 0;
  const cells: Cell[] = [];
  for (const cell of nb.cells) {
    const source = Array.isArray(cell.source) ? cell.source.join("") : String(cell.source ?? "");
    const wasOpen = state.openedAt >= 0;
    const stripped = stripInternalBlocks(source, path, { state, lineOffset: line, final: false });
    line += source.split("\n").length;
    const touched = wasOpen || stripped.removedLines > 0;
    removedLines += stripped.removedLines;
    const out: Cell = { ...cell };
    if (touched) out.source = splitLines(stripped.text);
    if (Array.isArray(cell.outputs)) {
      if (params.outputs === "strip" || touched) {
        outputsDropped += cell.outputs.length;
        out.outputs = [];
        if ("execution_count" in out) out.execution_count = null;
      }
    }
    if (touched && stripped.text.trim() === "") continue;
    cells.push(out);
  }
  if (state.openedAt >= 0)
    throw blockedError(
      "INTERNAL_BLOCK_UNBALANCED",
      `${path}: BEGIN-INTERNAL in cell source line ${state.openedAt} is never closed`,
      {
        hint: "add an END-INTERNAL line where the internal block ends",
        location: { file: path },
      },
    );
  return { text: `${JSON.stringify({ ...nb, cells }, null, 1)}\n`, removedLines, outputsDropped };
}

/** Jupyter's on-disk form of a source: lines that keep their newline, the last without. */
function splitLines(text: string): string[] {
  const parts = text.split("\n");
  return parts.map((p, i) => (i < parts.length - 1 ? `${p}\n` : p)).filter((p) => p !== "");
}
