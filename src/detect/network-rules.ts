import { hasLiteral } from "./text-has.js";
import { escapeRegExp } from "./rule-helpers.js";
import type { Rule } from "./types.js";

/**
 * Where the training cluster is: IP addresses, internal host names, user and cluster paths,
 * object storage URLs.
 */

const INTERNAL_TLDS = "internal|intranet|corp|lan|local|localdomain|home\\.arpa|private|cluster\\.local|svc";
// Shared mount points of training clusters: paths under them name projects, users and data sets.
const CLUSTER_ROOTS =
  "fsx|lustre|scratch|gpfs|nfs|mnt|data|datasets|shared|checkpoints|workspace|raid|beegfs|weka|projects|opt";

const CLUSTER_FS = /^\/(?:fsx|lustre|scratch|gpfs|nfs|beegfs|weka|raid)\//;

const CLUSTER_ROOT_GATE = new RegExp(`\\/(?:${CLUSTER_ROOTS})\\/`);

const OCTET = "(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";

export const NETWORK_RULES: Rule[] = [
  {
    id: "ip-address",
    family: "network",
    severity: "block",
    message: "IP address",
    // Dots and digits are everywhere in logs (`lr 0.0001`); only `.d.d.` can be inside an address.
    anchor: /\.\d{1,3}\.\d{1,3}\./g,
    // A full stop after the address ends a sentence or starts a file extension
    // (`job_0108_10.1.2.3.drl`); a digit after it makes a longer dotted number (a version).
    re: new RegExp(`(?<![\\d.])(?:${OCTET}\\.){3}${OCTET}(?!\\d|\\.\\d)`, "g"),
    // 0.0.0.0/8 is no host (and `0.4.9.1` is a version), 127/8 is loopback, 255.255.255.x a mask.
    accept: (ip) => !/^(?:0\.|127\.|255\.255\.255\.)/.test(ip),
  },
  {
    id: "ip-address",
    family: "network",
    severity: "block",
    message: "private IPv6 address (unique-local or link-local)",
    // fc00::/7 (fc.., fd..) and fe80::/10 (fe8., fe9., fea., feb.).
    // The first group has all four digits (`fd::1` is 00fd::1, not unique-local).
    gate: (t) => t.includes(":") && /[fF][cdCD][0-9a-fA-F]{2}:|[fF][eE][89abAB][0-9a-fA-F]:/.test(t),
    anchor: /(?:f[cd][0-9a-f]{2}|fe[89ab][0-9a-f]):/gi,
    re: /(?<![0-9A-Za-z:.])(?:f[cd][0-9a-f]{2}|fe[89ab][0-9a-f])(?::[0-9a-f]{0,4}){2,7}(?:%[\w.-]{1,32})?(?![0-9A-Za-z:])/gi,
    // `::` or at least four groups, and a digit after the prefix: `fd12:ab` in a hex dump is no address.
    accept: (v) => (v.includes("::") || v.split(":").length >= 4) && /[0-9a-f]/i.test(v.slice(5)),
  },
  {
    id: "internal-hostname",
    family: "network",
    severity: "block",
    message: "internal host name",
    anchor: new RegExp(`\\.(?:${INTERNAL_TLDS})`, "gi"),
    re: new RegExp(
      // A label never holds `_`: `sanitize.internal_domains` is a config field, not a host.
      `(?<![A-Za-z0-9.-])(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+(?:${INTERNAL_TLDS})(?![A-Za-z0-9_-])`,
      "gi",
    ),
    accept: (v, m, text) => !isAttributeAccess(v, text, m.index + m[0].length),
  },
  {
    id: "user-path",
    family: "path",
    severity: "block",
    message: "absolute path with a user name",
    gate: (t) =>
      (t.includes("/") || t.includes("\\")) &&
      /\/(?:home|Users|u|usr\/home)\/|:\\(?:Users|Documents and Settings)\\|\/root\//.test(t),
    re: /(?:(?<![\w.:/~-])\/(?:home|Users|u|usr\/home)\/[A-Za-z0-9._-]+|[A-Za-z]:\\(?:Users|Documents and Settings)\\[A-Za-z0-9._ -]+|(?<![\w.:/~-])\/root(?=\/))(?:[/\\][^\s"'<>|,;:)}\]]*)?/g,
  },
  {
    id: "unc-path",
    family: "path",
    severity: "block",
    message: "Windows network share path (names a file server)",
    // A UNC path: two backslashes, the server, one backslash, the share; or every backslash doubled,
    // as JSON and C strings write it. Regex escapes in a JSON string are neither: a backslash pair
    // on both sides of a word, or one-letter escapes (r, n, s, p).
    gate: (t) => t.includes("\\\\"),
    re: /(?<![\\\w])(?:\\\\[A-Za-z0-9][A-Za-z0-9.-]{1,62}\\(?!\\)|\\\\\\\\[A-Za-z0-9][A-Za-z0-9.-]{1,62}\\\\(?!\\))[A-Za-z0-9$_-][A-Za-z0-9$._-]+/g,
  },
  {
    id: "internal-path",
    family: "path",
    severity: "block",
    message: "path on a cluster file system",
    gate: (t) => t.includes("/") && CLUSTER_ROOT_GATE.test(t),
    re: new RegExp(`(?<![\\w.:/~-])\\/(?:${CLUSTER_ROOTS})\\/[^\\s"'<>|,;:)}\\]]+`, "g"),
    // Under a generic root (`/mnt`, `/data`, `/workspace`) one segment says nothing about the
    // cluster: `/mnt/data` and `/workspace/project` are in public chat templates (gpt-oss,
    // Devstral). Two segments (`/mnt/team7/run3`) or a cluster file system (`/fsx/x`) are a finding.
    accept: (p) =>
      CLUSTER_FS.test(p) ||
      p
        .replace(/\/+$/, "")
        .split("/")
        .filter((s) => s.length > 0).length >= 3,
  },
  {
    id: "bucket-url",
    family: "path",
    severity: "block",
    message: "object storage URL",
    gate: (t) => hasLiteral(t, "://"),
    re: /(?<![A-Za-z0-9])(?:s3a?|gs|abfss?|wasbs?|hdfs):\/\/[^\s"'<>|,;)}\]]+/g,
  },
];

/** Receivers that code reads attributes of: `self.local`, `args.private`, `config.internal`. */
const CODE_RECEIVERS = new Set([
  "self",
  "this",
  "cls",
  "obj",
  "args",
  "kwargs",
  "opts",
  "options",
  "config",
  "cfg",
  "conf",
  "settings",
  "params",
  "ctx",
]);

/**
 * Whether a built-in TLD match is code reading an attribute, not a host: a single label that is
 * a usual receiver (`self.local`), or a single letters-only label followed by an assignment, a
 * call, an index or a key's colon (`x.private = True`, `obj.internal(`, `hub.private: true`). Host names with a digit, a hyphen or
 * two labels (`gpu01.private`, `node-3.internal`, `a.b.corp`) are always hosts.
 */
function isAttributeAccess(v: string, text: string, end: number): boolean {
  const dot = v.indexOf(".");
  if (dot !== v.lastIndexOf(".")) return false;
  const label = v.slice(0, dot);
  if (!/^[A-Za-z]+$/.test(label)) return false;
  if (CODE_RECEIVERS.has(label.toLowerCase())) return true;
  // An assignment, a call, an index, or a key or label (`hub.private: true`, a config error's
  // field path); a host's port has no space after the colon (`hub.internal:8443`).
  return /^\s*(?:=(?!=)|\(|\[|:\s)/.test(text.slice(end, end + 8));
}

/**
 * The `internal-hostname` rule for configured suffixes (`sanitize.internal_domains`): every host
 * under one of them, and the domain itself. Matched case-insensitively on whole labels.
 */
export function internalDomainRule(domains: readonly string[]): Rule | undefined {
  const suffixes = domains
    .map((d) =>
      d
        .trim()
        .replace(/^\*?\.+/, "")
        .replace(/\.+$/, "")
        .toLowerCase(),
    )
    .filter((d) => d.length > 0)
    .sort((a, b) => b.length - a.length);
  if (suffixes.length === 0) return undefined;
  const alts = suffixes.map(escapeRegExp).join("|");
  return {
    id: "internal-hostname",
    family: "network",
    severity: "block",
    message: "host name under an internal domain",
    anchor: new RegExp(`(?:${alts})`, "gi"),
    re: new RegExp(
      `(?<![A-Za-z0-9.-])(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)*(?:${alts})(?![A-Za-z0-9-]|\\.[A-Za-z0-9])`,
      "gi",
    ),
  };
}
