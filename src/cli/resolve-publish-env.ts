import { usageError } from "../errors.js";

/** Endpoints and credentials of the publish targets, resolved once from env and flags. */
export interface PublishEndpoints {
  hub?: { url: string; token: string };
  github?: { apiUrl: string; token: string };
}

const HF_TOKEN = /^hf_[A-Za-z0-9]{10,}$/;
// Classic (ghp_), OAuth (gho_), user-to-server (ghu_), server-to-server incl. Actions' GITHUB_TOKEN (ghs_),
// fine-grained (github_pat_), and the legacy 40-hex form GitHub Enterprise still issues.
const GH_TOKEN = /^(gh[opsu]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|[0-9a-f]{40})$/;

function cleanUrl(raw: string, variable: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw usageError("BAD_ENDPOINT", `${variable} is not a URL`, {
      hint: `set ${variable} to e.g. https://huggingface.co`,
      location: { field: variable },
    });
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw usageError("BAD_ENDPOINT", `${variable} must be an http(s) URL`, {
      hint: `set ${variable} to an https:// URL`,
      location: { field: variable },
    });
  }
  return raw.replace(/\/+$/, "");
}

/**
 * Resolves endpoints and tokens the way the ecosystem does: `HF_ENDPOINT`/`HF_TOKEN`,
 * `GITHUB_API_URL`/`GITHUB_TOKEN`, flags override. A missing or malformed token fails here,
 * before anything is uploaded, naming the variable and the rights it needs; the token itself is
 * never part of the message.
 */
export function resolvePublishEndpoints(params: {
  env: Record<string, string | undefined>;
  targets: readonly ("hf" | "github")[];
  flags?: { hubUrl?: string; hfToken?: string; githubApiUrl?: string; githubToken?: string };
  /** Dry runs and pulls of public repos need endpoints but no tokens; a token that is given must still be well-formed. */
  requireTokens?: boolean;
}): PublishEndpoints {
  const { env, flags = {} } = params;
  const requireTokens = params.requireTokens ?? true;
  const out: PublishEndpoints = {};
  if (params.targets.includes("hf")) {
    const url = cleanUrl(
      flags.hubUrl ?? env.HF_ENDPOINT ?? "https://huggingface.co",
      flags.hubUrl ? "--hub-url" : "HF_ENDPOINT",
    );
    const token = (flags.hfToken ?? env.HF_TOKEN ?? "").trim();
    if (requireTokens || token)
      assertToken(
        token,
        HF_TOKEN,
        flags.hfToken ? "--hf-token" : "HF_TOKEN",
        "a Hugging Face access token with write access to the target repo's namespace (fine-grained: repo write, or create repos in the org)",
        "hf_",
      );
    out.hub = { url, token };
  }
  if (params.targets.includes("github")) {
    const apiUrl = cleanUrl(
      flags.githubApiUrl ?? env.GITHUB_API_URL ?? "https://api.github.com",
      flags.githubApiUrl ? "--github-api-url" : "GITHUB_API_URL",
    );
    const token = (flags.githubToken ?? env.GITHUB_TOKEN ?? "").trim();
    if (requireTokens || token)
      assertToken(
        token,
        GH_TOKEN,
        flags.githubToken ? "--github-token" : "GITHUB_TOKEN",
        "a GitHub token with contents:write on the repository (in Actions: `permissions: contents: write`)",
        "ghp_, ghs_, github_pat_",
      );
    out.github = { apiUrl, token };
  }
  return out;
}

function assertToken(token: string, shape: RegExp, variable: string, rights: string, prefix: string): void {
  if (!token) {
    throw usageError("TOKEN_MISSING", `${variable} is not set`, {
      hint: `set ${variable} to ${rights}`,
      location: { field: variable },
    });
  }
  if (!shape.test(token)) {
    throw usageError(
      "TOKEN_MALFORMED",
      `${variable} does not look like a token: ${describeTokenProblem(token, prefix)} (expected ${prefix}…)`,
      {
        hint: `set ${variable} to ${rights}`,
        location: { field: variable },
      },
    );
  }
}

/** Known token lengths: Hugging Face `hf_` + 34, GitHub classic `gh?_` + 36, fine-grained `github_pat_` + 82. */
const TOKEN_LENGTHS: [RegExp, number][] = [
  [/^hf_/, 37],
  [/^gh[opsu]_/, 40],
  [/^github_pat_/, 93],
];

/**
 * What is wrong with a malformed token, without showing any of it: quotes or spaces pasted with
 * it, a prefix of another kind of token, or a length that no token of its kind has.
 */
export function describeTokenProblem(token: string, prefixes: string): string {
  if (/^["'`]|["'`]$/.test(token)) return "it is wrapped in quotes (remove them)";
  if (/\s/.test(token)) return "it contains whitespace (a line break or space was pasted with it)";
  if (/[^A-Za-z0-9_]/.test(token)) return "it contains characters no token has (only letters, digits and _)";
  const expectedPrefix = prefixes.split(", ").some((p) => token.startsWith(p));
  if (!expectedPrefix && !/^[0-9a-f]{40}$/.test(token))
    return `it does not start with ${prefixes.split(", ").join(" or ")}`;
  const known = TOKEN_LENGTHS.find(([re]) => re.test(token));
  if (known && token.length !== known[1]) {
    return `it is ${token.length} characters long; tokens of this kind have ${known[1]} (was it cut off?)`;
  }
  return `it is ${token.length} characters long, which is too short`;
}
