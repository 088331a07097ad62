import { mkdtemp, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { usageError } from "../errors.js";
import type { BundleSnapshot } from "../trust/plan-release-diff.js";
import type { CliContext } from "./context.js";

/** `org/name@version` (a Hub repo and a released version), as pull takes it. */
const RELEASE_REF = /^[A-Za-z0-9][\w.-]*\/[\w.-]+@v?\d+\.\d+\.\d+\S*$/;

/**
 * Reads one side of a comparison: a bundle folder, or a published `org/name@version` (pulled
 * from the Hub at $HF_ENDPOINT into a temporary folder, verified against its manifest, read and
 * removed; HF_TOKEN is used when set).
 *
 * @throws ReleaseError `RELEASE_NOT_FOUND` (usage) when the argument is neither.
 */
export async function readPreviousRelease(
  ref: string,
  ctx: Pick<CliContext, "cwd" | "env" | "signal">,
): Promise<BundleSnapshot> {
  const { readBundleSnapshot } = await import("../trust/read-bundle-snapshot.js");
  const dir = path.resolve(ctx.cwd, ref);
  if (
    await stat(dir).then(
      (s) => s.isDirectory(),
      () => false,
    )
  )
    return readBundleSnapshot({ dir, signal: ctx.signal });
  if (RELEASE_REF.test(ref)) {
    // Pulled (and verified against its manifest) into a temporary folder, read, then removed.
    const { pullRelease } = await import("../publish/pull-release.js");
    const { createRetryingFetch } = await import("../publish/create-retrying-fetch.js");
    const { resolvePublishEndpoints } = await import("./resolve-publish-env.js");
    const hub = resolvePublishEndpoints({ env: ctx.env, targets: ["hf"], requireTokens: false }).hub!;
    const tmp = await mkdtemp(path.join(os.tmpdir(), "model-release-diff-"));
    try {
      const pulled = await pullRelease(
        {
          hubUrl: hub.url,
          accessToken: hub.token || undefined,
          fetch: createRetryingFetch({}),
          signal: ctx.signal,
        },
        { ref, to: path.join(tmp, "bundle") },
      );
      return await readBundleSnapshot({ dir: pulled.dir, signal: ctx.signal });
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }
  throw usageError("RELEASE_NOT_FOUND", `${ref} is neither a bundle folder nor org/name@version`, {
    hint: "pass a folder staged by build or downloaded with pull, or a published version like acme/robot-coder@1.2.0",
  });
}
