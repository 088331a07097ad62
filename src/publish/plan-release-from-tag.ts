import { usageError } from "../errors.js";
import { parseVersionFromTag } from "./version-policy.js";

/**
 * Finds the release a pushed tag names (GitHub Actions: `GITHUB_REF_NAME`): the one config whose
 * `tag_format` parses the tag. `{name}-v{version}` formats are specific; a bare `v{version}`
 * matches only when a single config uses it. Pure.
 */
export function planReleaseFromTag(
  tag: string,
  configs: readonly { file: string; name: string; tagFormat: string }[],
): { file: string; version: string } {
  const matches = configs
    .map((c) => ({ c, version: parseVersionFromTag(c.tagFormat, c.name, tag) }))
    .filter((m): m is { c: (typeof configs)[number]; version: string } => m.version !== undefined);
  // Prefer formats that name the release: `robot-coder-v1.2.0` must not go to a `v{version}` config.
  const named = matches.filter((m) => m.c.tagFormat.includes("{name}"));
  const pick = named.length > 0 ? named : matches;
  if (pick.length === 1) return { file: pick[0]!.c.file, version: pick[0]!.version };
  if (pick.length === 0) {
    throw usageError(
      "TAG_MATCHES_NO_CONFIG",
      `tag ${tag} matches no release config (${configs.map((c) => `${c.name}: ${c.tagFormat}`).join(", ") || "none found"})`,
      {
        hint: "push a tag in a config's tag_format, e.g. robot-coder-v1.2.0, or pass --config and --version",
        location: { field: "--from-tag" },
      },
    );
  }
  throw usageError(
    "TAG_MATCHES_MANY_CONFIGS",
    `tag ${tag} matches several release configs: ${pick.map((m) => m.c.file).join(", ")}`,
    {
      hint: "give each release its own tag_format, e.g. '{name}-v{version}'",
      location: { field: "--from-tag" },
    },
  );
}
