import type { Finding } from "../../findings.js";
import { isReleaseError, type ReleaseError } from "../../errors.js";
import { readPickleOps, pickleOpString } from "./read-pickle-ops.js";
import { classifyPickleGlobal, describeDangerousGlobal, type PickleGlobalVerdict } from "./classify-pickle-global.js";

export interface PickleGlobal {
  module: string;
  name: string;
  /** Byte offset of the importing opcode within the scanned bytes. */
  offset: number;
  /** GLOBAL, INST, STACK_GLOBAL or EXT1/2/4. */
  op: string;
  verdict: PickleGlobalVerdict;
}

export interface PickleScan {
  /** Every import, in stream order (repeats included). */
  globals: PickleGlobal[];
  /** One finding per distinct dangerous or unknown import, plus `pickle-invalid` on parse errors. */
  findings: Finding[];
  /** How many complete pickles were read. */
  pickles: number;
  /** Offset just past the last STOP read. */
  end: number;
}

export interface ScanPickleParams {
  /** Checkpoint-relative path, used in findings and errors. */
  file: string;
  bytes: Uint8Array;
  /** For archive members: the member name (`model/data.pkl`), shown in findings. */
  member?: string;
  /** Read at most this many consecutive pickles (legacy torch files hold 5, then raw data). */
  maxPickles?: number;
}

/** Memo entries remembered per pickle (see `scanPickle`). */
const MAX_MEMO_ENTRIES = 100_000;

/** Imports that reach a global via the memo or computed strings (picklescan `_list_globals`). */
const MEMO_STORE = new Set(["MEMOIZE", "PUT", "BINPUT", "LONG_BINPUT"]);
const MEMO_LOAD = new Set(["GET", "BINGET", "LONG_BINGET"]);

/**
 * Lists every import a pickle makes (GLOBAL, INST, STACK_GLOBAL resolved through the memo, EXT*)
 * without executing anything, classifies each against the state-dict allowlist, and turns
 * dangerous and unknown ones into blocking findings. Reads consecutive pickles to the end of the
 * bytes (or `maxPickles`). A parse error does not throw: the imports seen so far are kept and a
 * blocking `pickle-invalid` finding says where the stream broke.
 */
export function scanPickle(params: ScanPickleParams): PickleScan {
  const { file, bytes, member } = params;
  const where = member ? `${file}:${member}` : file;
  const globals: PickleGlobal[] = [];
  const findings: Finding[] = [];
  let pickles = 0;
  let pos = 0;
  try {
    while (pos < bytes.length && (params.maxPickles === undefined || pickles < params.maxPickles)) {
      // Values the last two stack slots hold when they are known strings (undefined = anything
      // else). STACK_GLOBAL over anything but two strings is unresolvable, hence dangerous.
      let top: (string | undefined)[] = [];
      const memo = new Map<number | bigint, string | undefined>();
      let memoOverflow = false;
      for (const op of readPickleOps(bytes, { file: where, start: pos })) {
        const s = pickleOpString(op);
        if (s !== undefined) top = [top.at(-1), s];
        else if (MEMO_STORE.has(op.name)) {
          // A pickle of millions of strings must not hold them all: past the cap the memo is no
          // longer tracked, and every later read from it is unknown, so a STACK_GLOBAL through
          // it resolves to "?", which is dangerous (fail closed).
          if (memo.size >= MAX_MEMO_ENTRIES) memoOverflow = true;
          else memo.set(op.name === "MEMOIZE" ? memo.size : (op.arg as number | bigint), top.at(-1));
        } else if (MEMO_LOAD.has(op.name))
          top = [top.at(-1), memoOverflow ? undefined : memo.get(op.arg as number | bigint)];
        else if (op.name === "FRAME" || op.name === "PROTO") {
          // no stack effect
        } else {
          if (op.name === "GLOBAL" || op.name === "INST") {
            const [module, name] = op.arg as readonly [string, string];
            globals.push({ module, name, offset: op.offset, op: op.name, verdict: classifyPickleGlobal(module, name) });
          } else if (op.name === "STACK_GLOBAL") {
            const name = top.at(-1);
            const module = top.at(-2);
            const m = module ?? "?";
            const n = name ?? "?";
            globals.push({ module: m, name: n, offset: op.offset, op: op.name, verdict: classifyPickleGlobal(m, n) });
          } else if (op.name.startsWith("EXT")) {
            // copyreg's extension registry maps the code to any global; we cannot know which.
            globals.push({
              module: "?",
              name: `extension code ${String(op.arg)}`,
              offset: op.offset,
              op: op.name,
              verdict: "dangerous",
            });
          }
          top = [top.at(-1), undefined];
          if (op.name === "STOP") pos = op.offset + 1;
        }
      }
      pickles++;
    }
  } catch (err) {
    if (!isReleaseError(err) || err.category !== "input") throw err;
    findings.push(invalidPickleFinding(file, member, err));
  }

  const seen = new Set<string>();
  for (const g of globals) {
    if (g.verdict === "safe") continue;
    const key = `${g.module}\0${g.name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const dotted = g.module === "?" ? g.name : `${g.module}.${g.name}`;
    const inMember = member ? ` in ${member}` : "";
    findings.push(
      g.verdict === "dangerous"
        ? {
            rule: "unsafe-pickle-global",
            severity: "block",
            file,
            offset: g.offset,
            excerpt: `${g.op} ${dotted}`,
            message: `Pickle${inMember} imports ${dotted}, which ${describeDangerousGlobal(g.module, g.name)} (${g.op} at byte ${g.offset}). Never load this file; publish weights as safetensors.`,
          }
        : {
            rule: "unknown-pickle-global",
            severity: "block",
            file,
            offset: g.offset,
            excerpt: `${g.op} ${dotted}`,
            message: `Pickle${inMember} imports ${dotted}, which is not part of a plain state dict (${g.op} at byte ${g.offset}); loading it would run code from that module.`,
          },
    );
  }
  return { globals, findings, pickles, end: pos };
}

/** The blocking finding for a pickle that cannot be read to the end. */
export function invalidPickleFinding(file: string, _member: string | undefined, err: ReleaseError): Finding {
  return {
    rule: "pickle-invalid",
    severity: "block",
    file,
    ...(err.location?.offset !== undefined ? { offset: err.location.offset } : {}),
    excerpt: err.code,
    message:
      `${stripFilePrefix(err.message, file)}. ${err.code.startsWith("PICKLE_") ? "A pickle that cannot be fully read cannot be shown to be safe." : (err.hint ?? "")}`.trim(),
  };
}

/** Error messages start with `file:` (or `file:member:`); a finding already carries the file. */
export function stripFilePrefix(message: string, file: string): string {
  return message.startsWith(`${file}:`) ? message.slice(file.length + 1).trimStart() : message;
}
