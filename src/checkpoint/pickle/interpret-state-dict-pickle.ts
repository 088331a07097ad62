/**
 * A symbolic interpreter for the tiny subset of pickle that `torch.save(state_dict)` writes:
 * dicts and OrderedDicts of strings to tensors, tensors rebuilt by `torch._utils._rebuild_tensor_v2`
 * over persistent-id storages. It never imports or calls anything: GLOBAL only resolves to
 * allowlisted names, and REDUCE is interpreted for three known callables. Anything else stops
 * with a blocking `PICKLE_NOT_STATE_DICT` error naming the opcode and byte offset.
 */
import { blockedError } from "../../errors.js";
import { readPickleOps, type PickleOp } from "./read-pickle-ops.js";
import { classifyPickleGlobal } from "./classify-pickle-global.js";

/** Torch storage class → safetensors dtype and element size in bytes. */
export const TORCH_STORAGE_DTYPES: Readonly<Record<string, { dtype: string; itemsize: number }>> = {
  FloatStorage: { dtype: "F32", itemsize: 4 },
  DoubleStorage: { dtype: "F64", itemsize: 8 },
  HalfStorage: { dtype: "F16", itemsize: 2 },
  BFloat16Storage: { dtype: "BF16", itemsize: 2 },
  LongStorage: { dtype: "I64", itemsize: 8 },
  IntStorage: { dtype: "I32", itemsize: 4 },
  ShortStorage: { dtype: "I16", itemsize: 2 },
  CharStorage: { dtype: "I8", itemsize: 1 },
  ByteStorage: { dtype: "U8", itemsize: 1 },
  BoolStorage: { dtype: "BOOL", itemsize: 1 },
};

/** Deeper nesting than this is not a state dict; the bound keeps validation recursion shallow. */
const MAX_NESTING = 64;
/** A state dict's stack holds a handful of items per tensor being built; more is an attack. */
const MAX_STACK_ITEMS = 1_000_000;

export interface StorageRef {
  kind: "storage";
  /** Torch storage class name, e.g. `FloatStorage`. */
  storageType: string;
  /** Archive key: `data/<key>` in zip checkpoints, a root key in legacy files. */
  key: string;
  location: string;
  /** Size of the storage in elements. */
  numel: number;
}

export interface TensorRef {
  kind: "tensor";
  storage: StorageRef;
  /** In elements. */
  storageOffset: number;
  shape: number[];
  stride: number[];
  /** Byte offset of the REDUCE that built it. */
  offset: number;
}

interface GlobalRef {
  kind: "global";
  module: string;
  name: string;
}
interface DictValue {
  kind: "dict";
  entries: Map<unknown, Value>;
  offset: number;
}
interface Mark {
  kind: "mark";
}
type Value =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | Value[]
  | { tuple: Value[] }
  | GlobalRef
  | DictValue
  | StorageRef
  | TensorRef
  | Mark;

function isObj<K extends string>(v: Value | undefined, kind: K): v is Extract<Value, { kind: K }> {
  return (
    typeof v === "object" &&
    v !== null &&
    !Array.isArray(v) &&
    !(v instanceof Uint8Array) &&
    "kind" in v &&
    v.kind === kind
  );
}
const isTuple = (v: Value | undefined): v is { tuple: Value[] } => typeof v === "object" && v !== null && "tuple" in v;
const isInt = (v: Value | undefined): v is number => typeof v === "number" && Number.isSafeInteger(v);

export interface InterpretPickleParams {
  file: string;
  member?: string;
  bytes: Uint8Array;
  start?: number;
}

/**
 * Interprets one pickle of the state-dict subset and returns its value and the offset after
 * STOP. Throws `ReleaseError` blocked `PICKLE_NOT_STATE_DICT` for anything outside the subset,
 * input errors from the opcode reader for malformed bytes.
 */
export function interpretStateDictPickle(params: InterpretPickleParams): { value: unknown; end: number } {
  const where = params.member ? `${params.file}:${params.member}` : params.file;
  const stack: Value[] = [];
  const marks: number[] = [];
  const memo = new Map<number, Value>();
  const storages = new Map<string, StorageRef>();

  const refuse = (op: PickleOp, what: string) =>
    blockedError(
      "PICKLE_NOT_STATE_DICT",
      `${where}: not a plain state dict: ${what} (${op.name} at byte ${op.offset})`,
      {
        hint: "Only dicts of tensors can be converted without running the pickle. Load it with torch in a sandbox, keep model.state_dict(), and save that with safetensors.",
        location: { file: params.file, offset: op.offset },
      },
    );
  const pop = (op: PickleOp): Value => {
    if (stack.length <= (marks.at(-1) ?? 0)) throw refuse(op, "stack underflow");
    return stack.pop()!;
  };
  const popMark = (op: PickleOp): Value[] => {
    const m = marks.pop();
    if (m === undefined) throw refuse(op, "no MARK to pop to");
    return stack.splice(m);
  };
  const setItem = (op: PickleOp, d: Value | undefined, k: Value, v: Value) => {
    if (!isObj(d, "dict")) throw refuse(op, "item assignment on something that is not a dict");
    if (typeof k !== "string" && !isInt(k)) throw refuse(op, "a dict key that is not a string or integer");
    if (d.entries.has(k)) throw refuse(op, `duplicate key ${JSON.stringify(k)}`);
    d.entries.set(k, v);
  };
  const asIntTuple = (op: PickleOp, v: Value, what: string): number[] => {
    if (!isTuple(v) || !v.tuple.every((x) => isInt(x) && x >= 0))
      throw refuse(op, `${what} is not a tuple of non-negative integers`);
    return v.tuple as number[];
  };

  for (const op of readPickleOps(params.bytes, { file: where, start: params.start ?? 0 })) {
    if (stack.length > MAX_STACK_ITEMS) throw refuse(op, "stack deeper than a state dict needs");
    switch (op.name) {
      case "PROTO":
      case "FRAME":
        break;
      case "STOP": {
        if (stack.length !== 1 || marks.length) throw refuse(op, "the stream does not end with exactly one value");
        return { value: stack[0], end: op.offset + 1 };
      }
      case "MARK":
        marks.push(stack.length);
        break;
      case "EMPTY_DICT":
        stack.push({ kind: "dict", entries: new Map(), offset: op.offset });
        break;
      case "EMPTY_LIST":
        stack.push([]);
        break;
      case "EMPTY_TUPLE":
        stack.push({ tuple: [] });
        break;
      case "NONE":
        stack.push(null);
        break;
      case "NEWTRUE":
      case "NEWFALSE":
        stack.push(op.name === "NEWTRUE");
        break;
      case "BININT":
      case "BININT1":
      case "BININT2":
      case "INT":
      case "LONG":
      case "LONG1":
      case "LONG4":
      case "BINFLOAT":
      case "FLOAT":
        if (op.arg instanceof Uint8Array) throw refuse(op, "an integer too wide for a tensor shape");
        stack.push(op.arg as number | bigint);
        break;
      case "SHORT_BINUNICODE":
      case "BINUNICODE":
      case "BINUNICODE8":
      case "UNICODE":
      case "STRING":
        stack.push(op.arg as string);
        break;
      case "BINSTRING":
      case "SHORT_BINSTRING":
        stack.push(new TextDecoder("latin1").decode(op.arg as Uint8Array));
        break;
      case "SHORT_BINBYTES":
      case "BINBYTES":
      case "BINBYTES8":
        stack.push(op.arg as Uint8Array);
        break;
      case "TUPLE":
        stack.push({ tuple: popMark(op) });
        break;
      case "TUPLE1":
      case "TUPLE2":
      case "TUPLE3": {
        const n = Number(op.name.slice(-1));
        const items: Value[] = [];
        for (let i = 0; i < n; i++) items.unshift(pop(op));
        stack.push({ tuple: items });
        break;
      }
      case "LIST":
        stack.push(popMark(op));
        break;
      case "DICT": {
        const items = popMark(op);
        if (items.length % 2) throw refuse(op, "odd number of items for a dict");
        const d: DictValue = { kind: "dict", entries: new Map(), offset: op.offset };
        for (let i = 0; i < items.length; i += 2) setItem(op, d, items[i]!, items[i + 1]!);
        stack.push(d);
        break;
      }
      case "APPEND": {
        const v = pop(op);
        const l = stack.at(-1);
        if (!Array.isArray(l)) throw refuse(op, "APPEND to something that is not a list");
        l.push(v);
        break;
      }
      case "APPENDS": {
        const items = popMark(op);
        const l = stack.at(-1);
        if (!Array.isArray(l)) throw refuse(op, "APPENDS to something that is not a list");
        l.push(...items);
        break;
      }
      case "SETITEM": {
        const v = pop(op);
        const k = pop(op);
        setItem(op, stack.at(-1), k, v);
        break;
      }
      case "SETITEMS": {
        const items = popMark(op);
        if (items.length % 2) throw refuse(op, "odd number of items for SETITEMS");
        const d = stack.at(-1);
        for (let i = 0; i < items.length; i += 2) setItem(op, d, items[i]!, items[i + 1]!);
        break;
      }
      case "PUT":
      case "BINPUT":
      case "LONG_BINPUT":
      case "MEMOIZE": {
        if (stack.length === 0) throw refuse(op, "memoizing an empty stack");
        const key = op.name === "MEMOIZE" ? memo.size : (op.arg as number);
        if (!isInt(key)) throw refuse(op, "a memo key out of range");
        memo.set(key, stack.at(-1)!);
        break;
      }
      case "GET":
      case "BINGET":
      case "LONG_BINGET": {
        const v = memo.get(op.arg as number);
        if (v === undefined) throw refuse(op, `memo key ${String(op.arg)} read before it was written`);
        stack.push(v);
        break;
      }
      case "GLOBAL":
      case "STACK_GLOBAL": {
        let module: Value;
        let name: Value;
        if (op.name === "GLOBAL") [module, name] = op.arg as readonly [string, string];
        else {
          name = pop(op);
          module = pop(op);
        }
        if (typeof module !== "string" || typeof name !== "string") throw refuse(op, "an import with computed names");
        if (classifyPickleGlobal(module, name) !== "safe") throw refuse(op, `import of ${module}.${name}`);
        stack.push({ kind: "global", module, name });
        break;
      }
      case "BINPERSID": {
        const pid = pop(op);
        // Zip: ('storage', StorageType, key, location, numel); legacy adds view_metadata (must be None).
        if (!isTuple(pid) || pid.tuple[0] !== "storage" || (pid.tuple.length !== 5 && pid.tuple.length !== 6))
          throw refuse(op, "a persistent id that is not a torch storage");
        const [, type, key, location, numel, view] = pid.tuple;
        if (
          !isObj(type, "global") ||
          type.module !== "torch" ||
          typeof key !== "string" ||
          typeof location !== "string" ||
          !isInt(numel) ||
          numel < 0
        ) {
          throw refuse(op, "a malformed storage persistent id");
        }
        if (view !== undefined && view !== null) throw refuse(op, "a legacy storage view");
        if (!TORCH_STORAGE_DTYPES[type.name])
          throw refuse(op, `storage type torch.${type.name}, which safetensors cannot hold`);
        const known = storages.get(key);
        if (known && (known.storageType !== type.name || known.numel !== numel))
          throw refuse(op, `storage ${key} declared twice with different types or sizes`);
        const ref: StorageRef = known ?? { kind: "storage", storageType: type.name, key, location, numel };
        storages.set(key, ref);
        stack.push(ref);
        break;
      }
      case "REDUCE": {
        const args = pop(op);
        const fn = pop(op);
        if (!isObj(fn, "global") || !isTuple(args))
          throw refuse(op, "a call of something other than an allowlisted function");
        const a = args.tuple;
        const f = `${fn.module}.${fn.name}`;
        if (f === "collections.OrderedDict") {
          if (a.length !== 0) throw refuse(op, "OrderedDict called with arguments");
          stack.push({ kind: "dict", entries: new Map(), offset: op.offset });
        } else if (f === "torch._utils._rebuild_tensor_v2" || f === "torch._utils._rebuild_tensor") {
          const [storage, storageOffset, size, stride, , hooks] = a;
          if (a.length < 4 || a.length > 7 || !isObj(storage, "storage") || !isInt(storageOffset) || storageOffset < 0)
            throw refuse(op, "a tensor rebuild with unexpected arguments");
          if (hooks !== undefined && !(isObj(hooks, "dict") && hooks.entries.size === 0))
            throw refuse(op, "a tensor with backward hooks");
          const t: TensorRef = {
            kind: "tensor",
            storage,
            storageOffset,
            shape: asIntTuple(op, size!, "size"),
            stride: asIntTuple(op, stride!, "stride"),
            offset: op.offset,
          };
          if (t.shape.length !== t.stride.length) throw refuse(op, "a tensor whose size and stride differ in rank");
          stack.push(t);
        } else if (f === "torch._utils._rebuild_parameter") {
          const [data, , hooks] = a;
          if (!isObj(data, "tensor") || (hooks !== undefined && !(isObj(hooks, "dict") && hooks.entries.size === 0)))
            throw refuse(op, "a parameter rebuild with unexpected arguments");
          stack.push(data);
        } else throw refuse(op, `a call of ${f}`);
        break;
      }
      case "BUILD": {
        const state = pop(op);
        const target = stack.at(-1);
        // model.state_dict() is an OrderedDict with a `_metadata` attribute (module versions): harmless, dropped.
        if (!isObj(target, "dict") || !isObj(state, "dict"))
          throw refuse(op, "setting state on something that is not an OrderedDict");
        break;
      }
      default:
        throw refuse(op, `opcode ${op.name} is outside the state-dict subset`);
    }
    if (marks.length > MAX_NESTING) throw refuse(op, `nesting deeper than ${MAX_NESTING}`);
  }
  /* c8 ignore next */
  throw blockedError("PICKLE_NOT_STATE_DICT", `${where}: pickle ended without STOP`, {
    location: { file: params.file },
  });
}

/** The entries of a top-level dict value, or undefined when the value is not a dict. */
export function dictEntries(value: unknown): Map<unknown, unknown> | undefined {
  return isObj(value as Value, "dict") ? (value as DictValue).entries : undefined;
}

/** Describes a pickle value in a few words for error messages. */
export function describePickleValue(v: unknown): string {
  if (v === null) return "None";
  if (typeof v === "boolean") return "a bool";
  if (typeof v === "number" || typeof v === "bigint") return "a number";
  if (typeof v === "string") return "a string";
  if (v instanceof Uint8Array) return "bytes";
  if (Array.isArray(v)) return "a list";
  if (isTuple(v as Value)) return "a tuple";
  const k = (v as { kind?: string }).kind;
  return k === "dict"
    ? "a dict"
    : k === "tensor"
      ? "a tensor"
      : k === "storage"
        ? "a storage"
        : k === "global"
          ? "a class or function"
          : "an object";
}

export function isTensorRef(v: unknown): v is TensorRef {
  return isObj(v as Value, "tensor");
}
