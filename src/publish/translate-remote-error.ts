import { type ReleaseError, conflictError, isReleaseError, remoteError } from "../errors.js";

/** Anything that looks like a token, in case a server echoes one back in a message. */
const TOKEN_LIKE =
  /\b(hf_[A-Za-z0-9]{6,}|gh[pousr]_[A-Za-z0-9]{6,}|github_pat_[A-Za-z0-9_]{6,}|Bearer\s+\S+|token\s+[A-Za-z0-9_]{20,})/g;

/** Removes token-shaped strings and URL credentials from a message. */
export function redactSecrets(text: string): string {
  return text.replace(TOKEN_LIKE, "[redacted]").replace(/\/\/[^/@\s]*:[^/@\s]*@/g, "//[redacted]@");
}

function statusOf(err: unknown): number | undefined {
  const e = err as { statusCode?: unknown; status?: unknown };
  if (typeof e?.statusCode === "number") return e.statusCode;
  if (typeof e?.status === "number") return e.status;
  return undefined;
}

/**
 * Turns an error from `@huggingface/hub` (HubApiError), octokit (RequestError) or fetch into a
 * ReleaseError. The original is not kept as `cause`: an octokit RequestError carries the request
 * with its Authorization header. Only status, method-free URL path and a redacted message remain.
 */
export function translateRemoteError(
  err: unknown,
  ctx: { service: "hub" | "github" | "git"; action: string; target: string },
): ReleaseError {
  if (isReleaseError(err)) return err;
  const status = statusOf(err);
  const raw = err instanceof Error ? err.message : String(err);
  const message = redactSecrets(raw).split("\n")[0]!.slice(0, 300);
  const where = `${ctx.service === "hub" ? "Hub" : ctx.service === "github" ? "GitHub" : "git"}: ${ctx.action} ${ctx.target}`;
  const details: Record<string, unknown> = {
    service: ctx.service,
    action: ctx.action,
    target: ctx.target,
    status: status || undefined,
  };
  const tokenVar = ctx.service === "hub" ? "HF_TOKEN" : "GITHUB_TOKEN";
  if (status === 401) {
    return remoteError("REMOTE_UNAUTHORIZED", `${where} failed: HTTP 401 (the token was refused)`, {
      hint: `check ${tokenVar}: it must be valid for ${ctx.service === "hub" ? "this Hub endpoint" : "this GitHub API URL"}`,
      details,
    });
  }
  if (status === 403) {
    return remoteError("REMOTE_FORBIDDEN", `${where} failed: HTTP 403 (${message})`, {
      hint:
        ctx.service === "hub"
          ? `${tokenVar} needs write access to the repo's namespace`
          : `${tokenVar} needs contents:write on the repository`,
      details,
    });
  }
  if (status === 404) {
    return remoteError("REMOTE_NOT_FOUND", `${where} failed: HTTP 404 (${message})`, {
      hint: "check the repo id in the config and that the token can see it",
      details,
    });
  }
  if (status === 409 || status === 412) {
    return conflictError("REMOTE_CONFLICT", `${where} failed: HTTP ${status} (${message})`, {
      hint: "the remote changed while publishing (a concurrent publish?); run again to re-plan against the new state",
      details,
    });
  }
  if (status !== undefined) {
    return remoteError("REMOTE_FAILED", `${where} failed: HTTP ${status} (${message})`, {
      hint:
        status === 429 || status >= 500
          ? "the service is overloaded or down; run again later: the publish resumes where it stopped"
          : "see the message; run with --json for details",
      details,
    });
  }
  const code = (err as { cause?: { code?: unknown } })?.cause?.code;
  return remoteError(
    "REMOTE_UNREACHABLE",
    `${where} failed: ${message}${typeof code === "string" ? ` (${code})` : ""}`,
    {
      hint: "check the endpoint URL and the network; run again to resume",
      details,
    },
  );
}
