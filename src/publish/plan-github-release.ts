import { blockedError } from "../errors.js";
import type { ExistingAsset, GitHubReleasePlan, GitHubRemoteState, PlannedAsset, ReleaseBundle } from "./types.js";

/** GitHub refuses release assets of 2 GiB and more; weights go to the Hub anyway. */
export const MAX_ASSET_BYTES = 2 * 1024 ** 3 - 1;

/** Bundle files attached to the GitHub release, and the asset name each gets. */
const ASSET_NAMES: Record<string, string> = {
  "manifest.json": "manifest.json",
  SHA256SUMS: "SHA256SUMS",
  "eval-results.json": "eval-results.json",
  ".eval_results/eval-results.json": "eval-results.json",
  "README.md": "MODEL_CARD.md",
};
const SIGNATURE = /^(manifest\.json|SHA256SUMS|model)\.(sig|asc|sigstore\.json|bundle)$/;

/**
 * Plans the GitHub release: create or reuse the draft, which assets to upload, skip (same name,
 * size and digest) or replace. A published release is final: nothing is planned for it.
 */
export function planGitHubRelease(params: {
  bundle: ReleaseBundle;
  remote: GitHubRemoteState;
  apiUrl: string;
  repo: string;
  tag: string;
  prerelease: boolean;
  latest: boolean;
  notes: string;
  code?: { remote: string; files: number; branch: string };
}): GitHubReleasePlan {
  const { bundle, remote } = params;
  const roles = new Map(bundle.manifest.files.map((f) => [f.path, f.role]));
  const chosen = bundle.files.filter((f) => ASSET_NAMES[f.path] !== undefined || SIGNATURE.test(f.path));
  const existing = new Map<string, ExistingAsset>((remote.release?.assets ?? []).map((a) => [a.name, a]));
  const assets: PlannedAsset[] = [];
  for (const f of chosen) {
    const role = roles.get(f.path);
    if (role === "weights" || f.size > MAX_ASSET_BYTES) {
      throw blockedError(
        "ASSET_NOT_ALLOWED",
        `${f.path} (${f.size} bytes${role ? `, role ${role}` : ""}) cannot be a GitHub release asset`,
        {
          hint: "weights are published to the Hub only; GitHub assets must be under 2 GiB",
          location: { file: f.path },
        },
      );
    }
    const name = ASSET_NAMES[f.path] ?? f.path;
    const there = existing.get(name);
    const same =
      there !== undefined && there.size === f.size && (there.digest == null || there.digest === `sha256:${f.sha256}`);
    assets.push({
      name,
      path: f.path,
      size: f.size,
      sha256: f.sha256,
      contentType: contentTypeOf(name),
      action: there === undefined ? "upload" : same ? "skip" : "replace",
    });
  }
  const rel = remote.release;
  const action: GitHubReleasePlan["release"]["action"] = !rel
    ? "create-draft"
    : rel.draft
      ? "reuse-draft"
      : "published";
  const repoApi = `${params.apiUrl}/repos/${params.repo}`;
  const apiCalls: string[] = [];
  if (action !== "published") {
    if (params.code)
      apiCalls.push(
        `git push --atomic ${redactUrl(params.code.remote)} ${params.code.branch} refs/tags/${params.tag} (${params.code.files} file${params.code.files === 1 ? "" : "s"}, one squashed commit)`,
      );
    else if (!remote.tagExists) apiCalls.push(`POST ${repoApi}/git/refs {"ref":"refs/tags/${params.tag}"}`);
    apiCalls.push(
      action === "create-draft" ? `POST ${repoApi}/releases (draft)` : `PATCH ${repoApi}/releases/${rel?.id} (notes)`,
    );
    for (const a of assets) {
      if (a.action === "replace") apiCalls.push(`DELETE ${repoApi}/releases/assets/<id of ${a.name}>`);
      if (a.action !== "skip")
        apiCalls.push(`POST uploads/${params.repo}/releases/<id>/assets?name=${a.name} (${a.size} bytes)`);
    }
    apiCalls.push(
      `PATCH ${repoApi}/releases/<id> {"draft":false,"prerelease":${params.prerelease},"make_latest":"${params.latest}"}`,
    );
  }
  return {
    apiUrl: params.apiUrl,
    repo: params.repo,
    tag: params.tag,
    name: `${bundle.manifest.name} ${bundle.manifest.version}`,
    prerelease: params.prerelease,
    latest: params.latest,
    release: { action, id: rel?.id },
    notes: params.notes,
    assets: action === "published" ? assets.map((a) => ({ ...a, action: "skip" as const })) : assets,
    code: params.code,
    apiCalls,
  };
}

function contentTypeOf(name: string): string {
  if (name.endsWith(".json")) return "application/json";
  if (name.endsWith(".md")) return "text/markdown";
  return "text/plain";
}

/** Drops credentials from a git remote URL before it is shown anywhere. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/[^/@]*@/, "//***@");
}
