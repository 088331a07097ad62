import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { planSignatureSigner, renderVerifyCommands } from "../trust/plan-signature-signer.js";
import { parseCardSummary, parseEvalRows, renderReleaseNotes } from "./render-release-notes.js";
import type { ReleaseBundle } from "./types.js";
import type { VersionTagPlan } from "./version-policy.js";

/**
 * The GitHub release notes of a staged bundle: the card's summary (or the config's), the
 * evaluation table, SHA256SUMS, the diff against the previous release and the signature's verify
 * commands, read from the bundle's files.
 */
export async function readReleaseNotes(params: {
  bundle: ReleaseBundle;
  hubUrl: string;
  policy: VersionTagPlan;
  summary?: string;
  onWarning?: (message: string) => void;
}): Promise<string> {
  const { bundle, policy } = params;
  const { manifest } = bundle;
  const card = await readOptionalText(join(bundle.dir, "README.md"));
  const evalsText =
    (await readOptionalText(join(bundle.dir, "eval-results.json"))) ??
    (await readOptionalText(join(bundle.dir, ".eval_results", "eval-results.json")));
  let evalJson: unknown;
  try {
    evalJson = evalsText ? JSON.parse(evalsText) : undefined;
  } catch {
    params.onWarning?.("eval-results.json is not valid JSON: the release notes have no evaluation table");
  }
  const summary = params.summary ?? (card ? parseCardSummary(card) : undefined);
  return renderReleaseNotes({
    name: manifest.name,
    version: manifest.version,
    tag: manifest.tag,
    hubUrl: params.hubUrl,
    hubRepo: manifest.hub.repo,
    repoType: manifest.hub.repoType,
    contentDigest: manifest.contentDigest,
    summary,
    evals: parseEvalRows(evalJson),
    previousVersion: policy.previous,
    sha256sums: (await readOptionalText(join(bundle.dir, "SHA256SUMS"))) ?? "",
    ...(await readTrustNotes(bundle.dir, manifest.hub.repo)),
  });
}

/** The build's diff against the previous release (private state) and the signature's verify commands, for the notes. */
async function readTrustNotes(dir: string, hubRepo: string): Promise<{ changes?: string; verifyCommands?: string[] }> {
  const changes = await readOptionalText(join(dir, ".model-release", "changes.md"));
  const sig = await readOptionalText(join(dir, "model.sig"));
  let verifyCommands: string[] | undefined;
  if (sig) {
    try {
      verifyCommands = renderVerifyCommands({
        dir: `./${hubRepo.split("/")[1] ?? "model"}`,
        signer: planSignatureSigner(sig),
      });
    } catch {
      verifyCommands = undefined;
    }
  }
  return { ...(changes ? { changes } : {}), ...(verifyCommands ? { verifyCommands } : {}) };
}

export async function readOptionalText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch {
    return undefined;
  }
}
