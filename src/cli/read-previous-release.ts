import { stat } from "node:fs/promises";
import path from "node:path";
import { usageError } from "../errors.js";
import type { BundleSnapshot } from "../trust/plan-release-diff.js";
import type { CliContext } from "./context.js";

/** `org/name@version` (a Hub repo and a released version), as pull takes it. */
const RELEASE_REF = /^[A-Za-z0-9][\w.-]*\/[\w.-]+@v?\d+\.\d+\.\d+\S*$/;

/**
 * Reads one side of a comparison: a bundle folder, or a published `org/name@version` (pulled
 * into a temporary folder and verified first).
 *
 * @throws ReleaseError `RELEASE_NOT_FOUND` (usage) when the argument is neither.
 */
export async function readPreviousRelease(ref: string, ctx: Pick<CliContext, "cwd" | "env" | "signal">): Promise<BundleSnapshot> {
  const { readBundleSnapshot } = await import("../trust/read-bundle-snapshot.js");
  const dir = path.resolve(ctx.cwd, ref);
  if (await stat(dir).then((s) => s.isDirectory(), () => false)) return readBundleSnapshot({ dir, ...(ctx.signal ? { signal: ctx.signal } : {}) });
  if (RELEASE_REF.test(ref)) {
    throw usageError("RELEASE_PULL_UNAVAILABLE", `${ref} is a published version, but this build cannot pull releases yet`, {
      hint: `download it first (model-release pull ${ref} --to old) and pass the folder`,
    });
  }
  throw usageError("RELEASE_NOT_FOUND", `${ref} is neither a bundle folder nor org/name@version`, {
    hint: "pass a folder staged by build or downloaded with pull, or a published version like acme/robot-coder@1.2.0",
  });
}
