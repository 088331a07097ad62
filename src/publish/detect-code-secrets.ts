import type { Detection } from "../sanitize/detect-secrets.js";

/**
 * What code says that a text detector cannot see: the placement rules of the code export. The
 * sanitizer's engine finds values by their shape; these rules find values by where code puts
 * them (an environment variable set in Python, a Kubernetes secret, a YAML or shell assignment to
 * a credential name, a password in a URL, a host after `ssh`, `rsync`, `scp` or `srun -w`).
 */

// A key that names a credential, by its last word: `WANDB_API_KEY`, `HF_TOKEN`, `db.pass`.
const CREDENTIAL_KEY =
  /(?:^|[^A-Za-z0-9])(?:[A-Za-z0-9]+[_.-])*(?:pass(?:word|wd|phrase)?|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|secret[_-]?key|private[_-]?key|credentials?|auth)$/i;
// Tokenizer vocabulary and counters, not credentials: `pad_token`, `max_new_tokens`.
const VOCABULARY_KEY =
  /(?:^|[_.-])(?:pad|eos|bos|unk|sep|cls|mask|max|min|num|n|special|chat|added|extra|new|image|video|audio|start|end|stop|think|sys|user|assistant|default)[_-]?(?:new[_-]?)?tokens?$/i;
// Values that stand for a secret without being one.
const PLACEHOLDER =
  /^(?:<[^>]*>|\$\{?[A-Za-z_][\w]*\}?|\$\([^)]*\)|\{\{[^}]*\}\}|%\([^)]*\)s|\*+|x+|\.\.\.|…|null|none|true|false|undefined|changeme|redacted|example|your[_-].*|xxx.*|pass|password|passwd|secret|token|pw|pwd|user)$/i;
// A literal that can be a secret: no spacing, no template, regex or call syntax around it.
const LITERAL = /^[^\s`$[\]{}()<>*\\|^!;,]+$/;

interface KeyValue {
  key: string;
  value: string;
  /** Offset of the value in the scanned text. */
  start: number;
}

// key = "value", key: value, key="value", export KEY=value, os.environ["KEY"] = "value",
// os.environ.setdefault("KEY", "value"), os.putenv("KEY", "value"), {"key": "value"}.
const ASSIGNMENTS: RegExp[] = [
  /(?:os\.)?environ(?:\.setdefault\(|\[)\s*["']([\w.-]+)["']\s*(?:\]\s*=|,)\s*[rbuf]?["']([^"'\n]+)["']/g,
  /os\.putenv\(\s*["']([\w.-]+)["']\s*,\s*[rbuf]?["']([^"'\n]+)["']/g,
  /(?<![\w.-])["']?([A-Za-z_][\w.-]*)["']?[ \t]*(?::|=|:=)[ \t]*(?![ \t])([^\s"'#,;}\])][^\s"'#,;}\]]*)/g,
  /(?<![\w.-])["']?([A-Za-z_][\w.-]*)["']?[ \t]*(?::|=|:=)[ \t]*[rbuf]?(["'])((?:(?!\2)[^\n\\]|\\.)+)\2/g,
];

function* keyValues(text: string): Generator<KeyValue> {
  for (const re of ASSIGNMENTS) {
    re.lastIndex = 0;
    for (const m of text.matchAll(re)) {
      const key = m[1]!;
      const value = m.length === 4 ? m[3]! : m[2]!;
      if (!value) continue;
      yield { key, value, start: m.index + m[0].lastIndexOf(value) };
    }
  }
}

// Hosts in the commands that take them: ssh (also -J jump hosts), rsync/scp sources and targets,
// Slurm node lists, torchrun rendezvous endpoints.
const HOST = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*";
const HOST_CONTEXTS: RegExp[] = [
  new RegExp(`\\bssh\\b(?:[ \\t]+-[A-Za-z][ \\t]*(?!-)\\S*)*[ \\t]+(?:[\\w.-]+@)?(${HOST})`, "g"),
  new RegExp(`(?:\\s-J|ProxyJump)[ \\t=]*(?:[\\w.-]+@)?(${HOST})`, "g"),
  new RegExp(`\\b(?:rsync|scp)\\b[^\\n]*?[ \\t](?:[\\w.-]+@)?(${HOST}):`, "g"),
  new RegExp(
    `(?:\\s-w|--nodelist|--rdzv[_-]endpoint|--master[_-]addr|MASTER_ADDR|--host(?:name)?)[ \\t=]+["']?(${HOST})`,
    "g",
  ),
  new RegExp(`(?<![\\w.-])[\\w.-]+@(${HOST}):[~/]`, "g"),
];
// Cluster node names carry no domain: a node word and a number, joined by hyphens.
const CLUSTER_NODE =
  /(?<![\w.-])(?:dgx|gpu|node|compute|worker|login|hpc|nid|trn|p5|slurm)[a-z0-9]*-[a-z0-9-]*\d(?![\w-])/gi;
const PUBLIC_HOSTS =
  /^(?:localhost|github\.com|gitlab\.com|huggingface\.co|hf\.co|bitbucket\.org|pypi\.org|\d+(?:\.\d+)*)$/i;

/** Credentials in URLs: `postgres://user:pass@host`, `https://user:token@github.com`. */
const URL_CREDENTIALS = /\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@"'<>]+:([^\s@/"'<>]+)@/gi;

/** Placement rules over a (scan view of a) code file. Pure; offsets into `text`. */
export function detectCodeSecrets(text: string): Detection[] {
  const out: Detection[] = [];
  const push = (rule: string, message: string, start: number, end: number) =>
    out.push({ rule, severity: "block", start, end, message });
  for (const kv of keyValues(text)) {
    if (!CREDENTIAL_KEY.test(kv.key) || VOCABULARY_KEY.test(kv.key)) continue;
    const v = kv.value.trim();
    if (v.length < 6 || PLACEHOLDER.test(v) || !LITERAL.test(v)) continue;
    // One lower-case word is prose or a mode name; an upper-case snake name is a variable's name.
    if (/^[a-z]+$/.test(v) || /^[A-Z][A-Z0-9]*_[A-Z0-9_]*$/.test(v)) continue;
    // Unquoted, a value must look like a token (letters and digits, no member access): on the right
    // of `=` in code, anything else is a variable or an expression.
    const quoted = /["']/.test(text.slice(kv.start - 1, kv.start));
    if (!quoted && !(/^[A-Za-z0-9+/=_~-]{8,}$/.test(v) && /\d/.test(v) && /[A-Za-z]/.test(v))) continue;
    push(
      "code-credential-assignment",
      "credential assigned to a credential-named key",
      kv.start,
      kv.start + kv.value.length,
    );
  }
  for (const m of text.matchAll(URL_CREDENTIALS)) {
    const pw = m[1]!;
    if (PLACEHOLDER.test(pw) || !LITERAL.test(pw)) continue;
    const start = m.index + m[0].lastIndexOf(pw);
    push("url-credentials", "password in a URL", start, start + pw.length);
  }
  for (const re of HOST_CONTEXTS) {
    re.lastIndex = 0;
    for (const m of text.matchAll(re)) {
      const host = m[1]!;
      // A host has a digit, a dot or a hyphen; a bare word after `ssh` is prose.
      if (PUBLIC_HOSTS.test(host) || !/[\d.-]/.test(host)) continue;
      const start = m.index + m[0].lastIndexOf(host);
      push("code-host", "host name in a remote command", start, start + host.length);
    }
  }
  CLUSTER_NODE.lastIndex = 0;
  for (const m of text.matchAll(CLUSTER_NODE))
    push("cluster-node", "cluster node name", m.index, m.index + m[0].length);
  return out;
}

// ANSI escape sequences (CSI and OSC), also as written in source or JSON: `\x1b[0;32m`, `\u001b[...`.
const ANSI = /(?:\u001b|\\u001b|\\x1b|\\033|\\e)(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\))/g;

/**
 * The text the detectors see, offset for offset: ANSI escapes become spaces (a coloured
 * traceback's `\u001b[0;32m/fsx/…` starts a path after `m`), and a colon between a host and an
 * absolute path (`gpu-node17:/fsx/…`) becomes a space, so path rules see the path's start. Pure.
 */
export function renderScanView(text: string): string {
  return text.replace(ANSI, (m) => " ".repeat(m.length)).replace(/(?<=[\w\]])[:](?=\/(?!\/))/g, " ");
}

/**
 * A one-line excerpt that cannot hold any part of a secret: the line of the finding with every
 * detection replaced by its rule, every string literal emptied and every long or digit-bearing
 * run of token characters elided (the other half of a split token is such a run). Pure.
 */
export function renderCodeExcerpt(text: string, d: Detection, all: readonly Detection[]): string {
  const lineStart = text.lastIndexOf("\n", d.start - 1) + 1;
  let lineEnd = text.indexOf("\n", d.start);
  if (lineEnd === -1) lineEnd = text.length;
  let out = "";
  let pos = lineStart;
  const rules: string[] = [];
  for (const x of [...all].filter((x) => x.end > lineStart && x.start < lineEnd).sort((a, b) => a.start - b.start)) {
    if (x.start < pos) continue;
    rules.push(x.rule);
    out += `${text.slice(pos, Math.max(pos, x.start))}\u0000${rules.length - 1}\u0001`;
    pos = Math.min(lineEnd, x.end);
  }
  out += text.slice(pos, lineEnd);
  out = out
    .replace(/(["'`])(?:(?!\1)[^\\\u0000]|\\.)*\1/g, (q) => `${q[0]}…${q[0]}`)
    .replace(/[A-Za-z0-9+/=_.:~-]{12,}|[A-Za-z0-9+/=_.:~-]*\d[A-Za-z0-9+/=_.:~-]*/g, (w) => (w.length >= 6 ? "…" : w))
    .replace(/\u0000(\d+)\u0001/g, (_m, i: string) => `[REDACTED:${rules[Number(i)]}]`)
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, " ")
    .trim();
  return out.length > 120 ? `${out.slice(0, 119)}…` : out;
}
