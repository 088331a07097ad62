import { PLACEHOLDER, shannonEntropy } from "./rule-helpers.js";

/**
 * What a key name says about its value: `password` (any non-placeholder value is a secret),
 * `key` (an API or access key: a random-looking value is a secret) or `token` (a credential only
 * when the value is credential-shaped: `pad_token: "<pad>"` is vocabulary, `hf_token: "…"` is not).
 */
export type CredentialKeyKind = "password" | "key" | "token";

const PASSWORD_WORDS = new Set(["password", "passwd", "pass", "pwd", "passphrase", "passcode", "secret", "secrets"]);
const KEY_WORDS = new Set(["apikey", "credential", "credentials", "creds", "secretkey", "accesskey", "privatekey"]);
/** A word before `key` that makes it a credential (`api_key`, `wandb_key`), not a dict key or a key code. */
const KEY_QUALIFIERS = new Set([
  "api",
  "access",
  "secret",
  "private",
  "auth",
  "client",
  "master",
  "signing",
  "encryption",
  "account",
  "storage",
  "service",
  "license",
  "licence",
  "app",
  "subscription",
  "admin",
  "session",
  "shared",
  "consumer",
  "webhook",
  "sas",
  "ssh",
  "deploy",
  "bot",
  "user",
  "personal",
  "wandb",
  "comet",
  "neptune",
  "openai",
  "anthropic",
  "hf",
  "huggingface",
  "hub",
  "github",
  "gitlab",
  "stripe",
  "slack",
  "npm",
  "pypi",
  "docker",
  "aws",
  "gcp",
  "google",
  "azure",
  "mlflow",
]);
/** `pat`: a personal access token (`GITHUB_PAT`, `AZURE_DEVOPS_PAT`). */
const TOKEN_WORDS = new Set([
  "token",
  "auth",
  "authorization",
  "bearer",
  "apitoken",
  "authtoken",
  "accesstoken",
  "pat",
]);
/**
 * Words before `token` that name a vocabulary entry (`pad_token`, `image_token`, `eot_token`), never
 * a credential; `hf_token`, `hub_token`, `auth_token`, `access_token` are not among them.
 */
const VOCABULARY_WORDS = new Set(
  (
    "pad eos bos unk sep cls mask start end image img video audio vision boi eoi boa eoa think tool im fim " +
    "additional special default added next prev new chat system user assistant begin eot eom padding decoder " +
    "encoder prefix suffix middle sos box quad ref object vocab sample first last extra boundary split separator " +
    "placeholder sink reasoning answer response sentence word control classification question context blank space " +
    "newline label entity pause stop think_end turn role media frame patch point region"
  ).split(" "),
);

/** Splits `wandbApiKey`, `WANDB_API_KEY`, `db-password`, `os.environ["X"]` into lower-case words. */
export function keyWords(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 0);
}

/**
 * Classifies a key name by its last word (so `password_file`, `token_id`, `secret_name` and
 * `max_tokens` are not credentials). Keys ending in `hf_token`, `hub_token`, `auth_token` are.
 */
export function classifyCredentialKey(key: string): CredentialKeyKind | undefined {
  const words = keyWords(key);
  const last = words[words.length - 1];
  if (last === undefined) return undefined;
  if (PASSWORD_WORDS.has(last)) return "password";
  if (KEY_WORDS.has(last)) return "key";
  if (last === "key" && words.length >= 2 && KEY_QUALIFIERS.has(words[words.length - 2]!)) return "key";
  if (TOKEN_WORDS.has(last)) {
    const before = words[words.length - 2];
    return before !== undefined && VOCABULARY_WORDS.has(before) ? undefined : "token";
  }
  return undefined;
}

/** True when `key` names a credential (see `classifyCredentialKey`). */
export function isCredentialKey(key: string): boolean {
  return classifyCredentialKey(key) !== undefined;
}

/** Special-token spellings that tokenizer configs assign to `*_token` keys. */
const VOCABULARY_SHAPE = /^(?:<[^>]*>|\[[^\]]*\]|<\|.*\|>|▁.*|Ġ.*|.*\{\{.*|.*\{%.*)$/s;

/**
 * Whether `value` assigned to a key of `kind` is a secret: not a placeholder, not prose, and for
 * `key` and `token` kinds random-looking (entropy and character-class gates keep `eos_token:
 * "</s>"`, `api_key: "your-key-here"` and `auth_token: true` out).
 */
export function isCredentialValue(kind: CredentialKeyKind, raw: string): boolean {
  const value = raw.trim();
  if (value.length === 0 || value.length > 1024) return false;
  if (PLACEHOLDER.test(value) || VOCABULARY_SHAPE.test(value)) return false;
  // Documentation values: AWS's `…EXAMPLE` keys, `bP88Q~xxxxxxxx…` (one character filling most of it).
  if (value.includes("EXAMPLE") || isMostlyOneCharacter(value)) return false;
  // Prose and code, not a credential: two spaces, or a call / template expression.
  if ((value.match(/\s/g)?.length ?? 0) >= 2) return false;
  if (/^[\w.]+\(.*\)$/.test(value)) return false;
  if (kind === "password") return value.length >= 4;
  if (/\s/.test(value)) return false;
  const minLength = kind === "token" ? 8 : 12;
  if (value.length < minLength) return false;
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/].filter((re) => re.test(value)).length;
  if (classes < 2) return false;
  // A path or URL is not a key (paths have their own rules).
  if (/^(?:[./~]|[A-Za-z]:[\\/]|https?:)/.test(value)) return false;
  return shannonEntropy(value) >= 3;
}

function isMostlyOneCharacter(value: string): boolean {
  if (value.length < 8) return false;
  const counts = new Map<string, number>();
  for (const c of value) counts.set(c, (counts.get(c) ?? 0) + 1);
  return Math.max(...counts.values()) > value.length * 0.5;
}
