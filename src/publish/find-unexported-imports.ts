import type { Finding } from "../findings.js";

const PY_FROM = /^[ \t]*from[ \t]+(\.*)([\w.]*)[ \t]+import[ \t]+\(?([\w*, \t]+)/gm;
const PY_IMPORT = /^[ \t]*import[ \t]+([\w.]+(?:[ \t]*,[ \t]*[\w.]+)*)/gm;
const JS_IMPORT = /(?:\bfrom[ \t]+|\bimport[ \t]*\(?[ \t]*|\brequire\([ \t]*)["'](\.{1,2}\/[^"']+)["']/g;

function lineOf(text: string, offset: number): number {
  let n = 1;
  for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) n++;
  return n;
}

function normalize(parts: string[]): string | undefined {
  const out: string[] = [];
  for (const p of parts) {
    if (p === "" || p === ".") continue;
    if (p === "..") {
      if (out.length === 0) return undefined;
      out.pop();
    } else out.push(p);
  }
  return out.join("/");
}

/**
 * Warnings for exported Python and JavaScript/TypeScript files that import a module of the source
 * folder that the export leaves out: the published code would not run. The warning names the
 * importing file and line, never the module (its name may be why it stayed out). Pure.
 */
export function findUnexportedImports(params: {
  exported: readonly { path: string; text: string }[];
  excluded: ReadonlySet<string>;
}): Finding[] {
  const out: Finding[] = [];
  const warn = (file: string, text: string, offset: number) =>
    out.push({
      rule: "import-not-exported",
      severity: "warn",
      file,
      line: lineOf(text, offset),
      message:
        "imports a module of the source folder that the export leaves out (add it to github.code.paths or remove the import)",
    });
  const missing = (candidates: (string | undefined)[]) =>
    candidates.some((c) => c !== undefined && params.excluded.has(c));
  for (const f of params.exported) {
    const dir = f.path.split("/").slice(0, -1);
    if (/\.pyi?$/.test(f.path) || f.path.endsWith(".ipynb")) {
      // Roots a module can resolve from: the export's root and every folder above the file.
      const roots = dir.map((_, i) => dir.slice(0, i)).concat([dir]);
      const py = (base: string[], mod: string[]) => [
        normalize([...base, ...mod]) && `${normalize([...base, ...mod])}.py`,
        normalize([...base, ...mod, "__init__.py"]),
      ];
      for (const m of f.text.matchAll(PY_FROM)) {
        const dots = m[1]!.length;
        const mod = m[2] ? m[2].split(".") : [];
        const names = m[3]!
          .split(",")
          .map((s) => s.trim().split(/\s+/)[0]!)
          .filter((s) => /^\w+$/.test(s));
        const bases = dots > 0 ? [normalize([...dir, ...Array(dots - 1).fill("..")])?.split("/") ?? null] : roots;
        for (const base of bases) {
          if (base === null) continue;
          const b = base.filter(Boolean);
          if (missing([...py(b, mod), ...names.flatMap((n) => py(b, [...mod, n]))])) {
            warn(f.path, f.text, m.index);
            break;
          }
        }
      }
      for (const m of f.text.matchAll(PY_IMPORT))
        for (const mod of m[1]!.split(",").map((s) => s.trim().split(".")))
          if (roots.some((r) => missing(py(r, mod)))) warn(f.path, f.text, m.index);
    }
    if (/\.(?:[cm]?[jt]sx?)$/.test(f.path)) {
      for (const m of f.text.matchAll(JS_IMPORT)) {
        const target = normalize([...dir, ...m[1]!.split("/")]);
        if (target === undefined) continue;
        const stem = target.replace(/\.[cm]?js$/, "");
        const candidates = [
          target,
          ...["ts", "tsx", "js", "mjs", "cjs"].flatMap((e) => [`${stem}.${e}`, `${stem}/index.${e}`]),
        ];
        if (missing(candidates)) warn(f.path, f.text, m.index);
      }
    }
  }
  return out;
}
