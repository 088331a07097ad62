/**
 * Which imports a pickle may name. The allowlist is what a plain PyTorch state dict needs and
 * nothing more; the dangerous list is the union of picklescan's `_unsafe_globals`
 * (mmaitre314/picklescan@f15d54d) and modelscan's `unsafe_globals` (protectai/modelscan@8b8ed4b),
 * kept as a floor, plus a few obvious additions. Everything else is "unknown", which the release
 * policy treats as blocking too (see reference/release-security.md 2.6).
 */

export type PickleGlobalVerdict = "safe" | "unknown" | "dangerous";

/** Imports a plain state dict (torch.save of tensors in an (Ordered)dict) is made of. */
const SAFE_GLOBALS: Readonly<Record<string, readonly string[]>> = {
  collections: ["OrderedDict"],
  "torch._utils": ["_rebuild_tensor", "_rebuild_tensor_v2", "_rebuild_parameter"],
  torch: [
    "LongStorage",
    "FloatStorage",
    "HalfStorage",
    "QUInt2x4Storage",
    "QUInt4x2Storage",
    "QInt32Storage",
    "QInt8Storage",
    "QUInt8Storage",
    "ComplexFloatStorage",
    "ComplexDoubleStorage",
    "DoubleStorage",
    "BFloat16Storage",
    "BoolStorage",
    "CharStorage",
    "ShortStorage",
    "IntStorage",
    "ByteStorage",
  ],
};

const ANY = "*";
/** Builtins that run code, reach attributes or open files when a pickle calls them. */
const BUILTIN_CALLABLES: readonly string[] = [
  "eval",
  "compile",
  "getattr",
  "apply",
  "exec",
  "open",
  "breakpoint",
  "__import__",
  "setattr",
  "delattr",
  "globals",
  "locals",
  "vars",
  "input",
];
/** Dangerous imports: module → names, `*` for the whole module and its submodules. */
const DANGEROUS_GLOBALS: Readonly<Record<string, readonly string[]>> = {
  // Python 2 names the module `__builtin__`, and it also had `execfile`.
  __builtin__: [...BUILTIN_CALLABLES, "execfile"],
  builtins: BUILTIN_CALLABLES,
  "cloudpickle.cloudpickle": [
    "_builtin_type",
    "_make_function",
    "_function_setstate",
    "_make_cell",
    "_make_empty_cell",
    "subimport",
  ],
  types: ["CodeType", "FunctionType"],
  functools: ["partial"],
  logging: ["FileHandler"],
  _io: ["FileIO"],
  io: ["FileIO", "open"],
  _operator: ["attrgetter", "itemgetter", "methodcaller"],
  operator: ["attrgetter", "itemgetter", "methodcaller"],
  "code.InteractiveInterpreter": ["runcode"],
  code: ["InteractiveInterpreter.runcode"],
  doctest: ["debug_script"],
  ensurepip: ["_run_pip"],
  "idlelib.autocomplete": ["AutoComplete.get_entity", "AutoComplete.fetch_completions"],
  "idlelib.calltip": ["Calltip.fetch_tip", "get_entity"],
  "idlelib.debugobj": ["ObjectTreeItem.SetText"],
  "idlelib.pyshell": ["ModifiedInterpreter.runcode", "ModifiedInterpreter.runcommand"],
  "idlelib.run": ["Executive.runcode"],
  imaplib: ["IMAP4_stream"],
  "lib2to3.pgen2.grammar": ["Grammar.loads"],
  "lib2to3.pgen2.pgen": ["ParserGenerator.make_label"],
  pkgutil: ["resolve_name"],
  "torch._dynamo.guards": ["GuardBuilder.get"],
  "torch._inductor.codecache": ["compile_file"],
  "torch.fx.experimental.symbolic_shapes": ["ShapeEnv.evaluate_guards_expression"],
  "torch.jit.unsupported_tensor_ops": ["execWrapper"],
  "torch.serialization": ["load"],
  "torch.utils._config_module": ["ConfigModule.load_config"],
  "torch.utils.bottleneck.__main__": ["run_cprofile", "run_autograd_prof"],
  "torch.utils.collect_env": ["run"],
  "torch.utils.data.datapipes.utils.decoder": ["basichandlers"],
  trace: ["Trace.run", "Trace.runctx"],
  // Whole modules: importing anything from these can run code, touch files or the network.
  ...Object.fromEntries(
    [
      "aiohttp",
      "asyncio",
      "bdb",
      "commands",
      "ctypes",
      "httplib",
      "numpy.f2py",
      "numpy.testing._private.utils",
      "nt",
      "posix",
      "os",
      "requests.api",
      "runpy",
      "shutil",
      "socket",
      "ssl",
      "subprocess",
      "sys",
      "cProfile",
      "distutils.file_util",
      "pdb",
      "pickle",
      "_pickle",
      "pip",
      "pty",
      "profile",
      "pydoc",
      "test",
      "timeit",
      "urllib.request",
      "uuid",
      "venv",
      "webbrowser",
      "_osx_support",
      "_aix_support",
      "_pyrepl",
      // additions beyond the two scanners' lists
      "importlib",
      "marshal",
      "multiprocessing",
      "_posixsubprocess",
      "posixpath",
      "ntpath",
      "platform",
      "signal",
      "tempfile",
      "glob",
      "zipimport",
      "urllib3",
      "http.client",
      "ftplib",
      "smtplib",
      "telnetlib",
      "dill",
      "joblib",
      "torch.hub",
      "torch.ops",
      "torch._C._jit",
      "_thread",
      "threading",
    ].map((m) => [m, [ANY]] as const),
  ),
};

/** The module name and every parent (`a.b.c` → `a.b.c`, `a.b`, `a`). */
function withParents(module: string): string[] {
  const parts = module.split(".");
  return parts.map((_, i) => parts.slice(0, parts.length - i).join("."));
}

/**
 * Classifies one imported global. `?` as module marks an import the scanner could not resolve
 * (STACK_GLOBAL over computed operands, EXT* codes): always dangerous, as picklescan does.
 */
export function classifyPickleGlobal(module: string, name: string): PickleGlobalVerdict {
  if (module === "?" || name === "?") return "dangerous";
  for (const m of withParents(module)) {
    const names = DANGEROUS_GLOBALS[m];
    if (!names) continue;
    if (names.includes(ANY)) return "dangerous";
    // `getattr` chains like `os.path.join` arrive as name "path.join" in protocol 4 qualnames.
    if (m === module && (names.includes(name) || names.includes(name.split(".")[0]!))) return "dangerous";
  }
  // Python 2 pickles name builtins `__builtin__`; protocol 2+ maps them to `builtins` on load.
  if (SAFE_GLOBALS[module]?.includes(name)) return "safe";
  return "unknown";
}

/** Why a global is dangerous, for finding messages. */
export function describeDangerousGlobal(module: string, name: string): string {
  if (module === "?" || name === "?") return "an import the scanner cannot resolve (a common evasion trick)";
  if (
    /^(os|posix|nt|subprocess|pty|runpy|_posixsubprocess)(\.|$)/.test(module) ||
    ["eval", "exec", "compile", "__import__"].includes(name)
  ) {
    return "runs arbitrary code or shell commands when unpickled";
  }
  if (/^(socket|ssl|requests|aiohttp|urllib|http|httplib|ftplib|smtplib|webbrowser)/.test(module))
    return "opens network connections when unpickled";
  return "is on the picklescan/modelscan list of dangerous imports";
}
