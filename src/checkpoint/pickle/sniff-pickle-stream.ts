import { isReleaseError } from "../../errors.js";
import { readPickleOps } from "./read-pickle-ops.js";

/**
 * A prefix that has not reached STOP must hold at least this many well-formed opcodes to count
 * as a pickle. Text that happens to start with opcode letters breaks the stack discipline or
 * meets a byte that is no opcode within a few bytes; 16 well-nested opcodes do not happen by chance.
 */
const MIN_OPS_WITHOUT_STOP = 16;

/** A module or attribute path as GLOBAL/INST name them (`os`, `posix`, `builtins`, `Bdb.run`). */
const IDENT = /^[A-Za-z_][A-Za-z0-9_.]{0,199}$/;

/** Stack effect of an opcode: items popped, items pushed; "mark" ops pop to the topmost MARK. */
const EFFECT: Record<string, readonly [pop: number | "mark" | "mark+1", push: number]> = {
  MARK: [0, 0],
  STOP: [1, 0],
  POP: [1, 0],
  POP_MARK: ["mark", 0],
  DUP: [1, 2],
  APPEND: [2, 1],
  APPENDS: ["mark+1", 1],
  SETITEM: [3, 1],
  SETITEMS: ["mark+1", 1],
  ADDITEMS: ["mark+1", 1],
  BUILD: [2, 1],
  REDUCE: [2, 1],
  NEWOBJ: [2, 1],
  NEWOBJ_EX: [3, 1],
  STACK_GLOBAL: [2, 1],
  TUPLE: ["mark", 1],
  LIST: ["mark", 1],
  DICT: ["mark", 1],
  FROZENSET: ["mark", 1],
  INST: ["mark", 1],
  OBJ: ["mark", 1],
  TUPLE1: [1, 1],
  TUPLE2: [2, 1],
  TUPLE3: [3, 1],
  BINPERSID: [1, 1],
  MEMOIZE: [1, 1],
  PUT: [1, 1],
  BINPUT: [1, 1],
  LONG_BINPUT: [1, 1],
  READONLY_BUFFER: [1, 1],
  PROTO: [0, 0],
  FRAME: [0, 0],
};

/**
 * Whether `bytes` (the start of a file or member) is a pickle stream of any protocol, including
 * protocols 0 and 1, which have no PROTO header: `pickle.load` reads such a file whatever it is
 * named. The opcodes are read (never executed) and their stack effects simulated: a pickle is a
 * stream that reaches STOP with exactly one object on the stack and no open MARK, or (when the
 * prefix ends first) one that stays well nested for `MIN_OPS_WITHOUT_STOP` opcodes. Pure.
 *
 * @param complete whether `bytes` is the whole content (a prefix that ends before STOP is then
 *   not a pickle: `pickle.load` would fail on it).
 */
export function sniffPickleStream(bytes: Uint8Array, complete: boolean): boolean {
  if (bytes.length < 2) return false;
  // A stack of depths: each entry counts the items above one MARK (the first, above the bottom).
  const frames: number[] = [0];
  let ops = 0;
  let imports = false;
  try {
    for (const op of readPickleOps(bytes, { file: "sniff" })) {
      ops++;
      if ((op.name === "GLOBAL" || op.name === "INST") && (op.arg as readonly string[]).every((s) => IDENT.test(s)))
        imports = true;
      const top = frames.length - 1;
      const effect = EFFECT[op.name] ?? [0, 1];
      const [pop, push] = effect;
      if (op.name === "MARK") {
        frames.push(0);
        continue;
      }
      if (pop === "mark" || pop === "mark+1") {
        if (frames.length < 2) return false;
        frames.pop();
        // APPENDS/SETITEMS/ADDITEMS extend the container below the MARK (which must exist).
        if (pop === "mark+1" && frames[frames.length - 1]! < 1) return false;
        if (pop === "mark+1") frames[frames.length - 1]! -= 1;
        frames[frames.length - 1]! += push;
        continue;
      }
      if (frames[top]! < pop) return false;
      frames[top]! += push - pop;
      if (op.name === "STOP") return frames.length === 1 && frames[0] === 0 && ops >= 2;
    }
  } catch (err) {
    // An unknown opcode or a malformed argument: not a pickle, unless the prefix merely ran out,
    // or the well-nested part already imports something (a damaged payload still runs its
    // imports: `pickle.load` executes opcodes until the one that fails).
    if (imports) return true;
    return !complete && ops >= MIN_OPS_WITHOUT_STOP && isReleaseError(err) && err.code === "PICKLE_TRUNCATED";
  }
  return false;
}
