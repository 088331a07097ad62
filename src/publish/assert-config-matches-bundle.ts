import { usageError } from "../errors.js";
import type { Manifest } from "../bundle/types.js";

/** What a release config says about the release it builds: compared with a bundle's manifest. */
export interface ConfigIdentity {
  /** The config file, for the error's location. */
  file: string;
  name: string;
  hubRepo: string;
  githubRepo?: string;
}

/**
 * A release config passed to `publish` decides the new Hub repo's visibility and which code is
 * pushed to GitHub. Passed with the bundle of another release (another name or repos), it would
 * publish that code, or a private model in public, under this release's tag. Throws
 * `CONFIG_BUNDLE_MISMATCH` (exit 2) naming every field that differs. Pure.
 */
export function assertConfigMatchesBundle(manifest: Manifest, config: ConfigIdentity): void {
  // Repo ids are case-insensitive on both services; a release name is what the build wrote.
  const fold = (v: string | undefined, ci: boolean) => (ci ? v?.toLowerCase() : v);
  const differs = [
    { field: "name", config: config.name, bundle: manifest.name, ci: false },
    { field: "hub.repo", config: config.hubRepo, bundle: manifest.hub.repo, ci: true },
    { field: "github.repo", config: config.githubRepo, bundle: manifest.github?.repo, ci: true },
  ]
    .filter((d) => fold(d.config, d.ci) !== fold(d.bundle, d.ci))
    .map((d) => ({ field: d.field, config: d.config ?? "(none)", bundle: d.bundle ?? "(none)" }));
  if (differs.length === 0) return;
  throw usageError(
    "CONFIG_BUNDLE_MISMATCH",
    `${config.file} is not the config this bundle was built from: ${differs
      .map((d) => `${d.field} is ${d.config} in the config, ${d.bundle} in the bundle`)
      .join("; ")}`,
    {
      hint: "pass the config the bundle was built from, or build the bundle again with this config",
      location: { file: config.file, field: differs[0]!.field },
      details: { differs },
    },
  );
}
