/**
 * Data shared by the publish stage: what a bundle offers, what the remotes hold, and the plans
 * that say what will change. Plans are plain data: printed by `--dry-run`, written by `--json`,
 * tested without I/O.
 */
import type { Manifest } from "../bundle/types.js";

export type HubRepoType = "model" | "dataset";

/** One file of the release as it will land in the Hub repo. */
export interface ReleaseFile {
  /** Repo-relative POSIX path. */
  path: string;
  size: number;
  sha256: string;
  /** Git blob sha1, known for small files; lets the plan see that a regular file is unchanged. */
  gitOid?: string;
  /** Where the bytes are read from when uploaded (bundle file or its source). */
  absPath: string;
}

/** A bundle as the publisher sees it: the manifest and every file to put on the Hub. */
export interface ReleaseBundle {
  dir: string;
  manifest: Manifest;
  /** manifest.files plus manifest.json, SHA256SUMS and signatures; sorted by path. */
  files: ReleaseFile[];
}

/** A file in the remote repo at the branch head. */
export interface RemoteFile {
  path: string;
  size: number;
  /** sha256 of an LFS file. */
  lfsSha256?: string;
  /** Git blob sha1. */
  gitOid?: string;
}

/** What the Hub holds for the release's repo, fetched once before planning. */
export interface HubRemoteState {
  exists: boolean;
  /** Head commit of the branch, when the repo exists. */
  head?: string;
  files: RemoteFile[];
  tags: { name: string; commit: string }[];
  /** When the release's tag exists: the content digest of the manifest at that tag (null when it has none). */
  taggedDigest?: string | null;
}

export interface PlannedFile {
  path: string;
  size: number;
  sha256: string;
}

/** What publishing to the Hub will do. */
export interface HubPublishPlan {
  hubUrl: string;
  repo: string;
  repoType: HubRepoType;
  private: boolean;
  createRepo: boolean;
  branch: string;
  /** The head the commit is based on; a concurrent change makes the commit fail (HTTP 412). */
  parentCommit?: string;
  /** Null when the tag already holds this exact content (nothing to do on the Hub). */
  commit: null | {
    title: string;
    add: PlannedFile[];
    change: PlannedFile[];
    delete: { path: string; size: number }[];
    unchanged: PlannedFile[];
    /** Bytes the commit may send (added and changed files; LFS objects the server has are skipped). */
    uploadBytes: number;
  };
  tag: { name: string; action: "create" | "exists" };
  apiCalls: string[];
}

/** A release asset on GitHub: never weights (assets are capped at 2 GiB). */
export interface PlannedAsset {
  name: string;
  path: string;
  size: number;
  sha256: string;
  contentType: string;
  action: "upload" | "skip" | "replace";
}

export interface ExistingAsset {
  id: number;
  name: string;
  size: number;
  /** `sha256:<hex>` as GitHub reports it, when known. */
  digest?: string | null;
}

/** What the GitHub repo holds for this tag. */
export interface GitHubRemoteState {
  tagExists: boolean;
  /** Tags of all releases in the repo (drafts included), for the version policy. */
  releaseTags?: string[];
  /** Commit the tag points at. */
  tagCommit?: string;
  release?: {
    id: number;
    draft: boolean;
    prerelease: boolean;
    assets: ExistingAsset[];
    htmlUrl: string;
    /** The content digest the release notes state, when they state one. */
    contentDigest?: string;
  };
}

export interface GitHubReleasePlan {
  apiUrl: string;
  repo: string;
  tag: string;
  name: string;
  prerelease: boolean;
  latest: boolean;
  release: { action: "create-draft" | "reuse-draft" | "published" | "update-draft"; id?: number };
  notes: string;
  assets: PlannedAsset[];
  code?: { remote: string; files: number; branch: string };
  apiCalls: string[];
}
