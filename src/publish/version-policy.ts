import semver from "semver";
import { conflictError, usageError } from "../errors.js";
import { renderTag } from "../config/render-tag.js";

/** The version a release publishes and the tag it gets. */
export interface VersionTagPlan {
  version: string;
  tag: string;
  /** `1.2.0-rc.1` and the like: tagged, never "latest". */
  prerelease: boolean;
  /** Whether this release becomes the "latest" release on GitHub. */
  latest: boolean;
  /** Highest version already released under this tag format, if any. */
  previous?: string;
}

/**
 * Parses a strict semver version. A leading `v` is accepted (tags are often typed that way) and
 * dropped; loose forms (`1.2`, `01.2.3`, `=1.2.3`) are refused because a version is forever.
 */
export function parseReleaseVersion(input: string): string {
  const bare = input.startsWith("v") ? input.slice(1) : input;
  const parsed = semver.valid(bare, { loose: false });
  if (parsed === null || parsed !== bare) {
    throw usageError("BAD_VERSION", `'${input}' is not a strict semantic version`, {
      hint: "use MAJOR.MINOR.PATCH with an optional prerelease, e.g. 1.2.0 or 1.2.0-rc.1",
      location: { field: "version" },
    });
  }
  return parsed;
}

export { renderTag };

/**
 * The version a tag names under `tagFormat`, or undefined when the tag does not follow the
 * format (tags of other releases in a shared repo, hand-made tags).
 */
export function parseVersionFromTag(tagFormat: string, name: string, tag: string): string | undefined {
  const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const pattern = tagFormat
    .split("{version}")
    .map((part) => escapeRegExp(part).replaceAll(escapeRegExp("{name}"), escapeRegExp(name)))
    .join("(.+)");
  const match = new RegExp(`^${pattern}$`).exec(tag);
  const version = match?.[1];
  if (version === undefined || semver.valid(version) !== version) return undefined;
  return version;
}

/**
 * Decides the tag of a new release against the tags that exist. Throws when the version is not
 * greater than the latest released one (unless it is a prerelease or `allowOlder`). A tag that
 * exists is not an error here: whether it is the same release is decided by content digest.
 */
export function planVersionTag(params: {
  version: string;
  name: string;
  tagFormat: string;
  existingTags: readonly string[];
  allowOlder?: boolean;
}): VersionTagPlan {
  const version = parseReleaseVersion(params.version);
  const tag = renderTag(params.tagFormat, { name: params.name, version });
  const prerelease = semver.prerelease(version) !== null;
  const released = params.existingTags
    .map((t) => parseVersionFromTag(params.tagFormat, params.name, t))
    .filter((v): v is string => v !== undefined && v !== version);
  const stable = released.filter((v) => semver.prerelease(v) === null);
  const previous = semver.rsort([...stable])[0] ?? semver.rsort([...released])[0];
  const latestStable = semver.rsort([...stable])[0];
  const exists = params.existingTags.includes(tag);
  if (!exists && !prerelease && !params.allowOlder && latestStable !== undefined && !semver.gt(version, latestStable)) {
    throw conflictError(
      "VERSION_NOT_NEWER",
      `version ${version} is not greater than the latest release ${latestStable}`,
      {
        hint: `choose a version above ${latestStable}, publish a prerelease (e.g. ${semver.inc(latestStable, "prerelease", "rc")}), or pass --allow-older for a backport`,
        details: { version, latest: latestStable },
      },
    );
  }
  // A backport (--allow-older) below the latest stable must not take "latest" away from it.
  const latest = !prerelease && (latestStable === undefined || semver.gt(version, latestStable));
  return { version, tag, prerelease, latest, previous };
}
