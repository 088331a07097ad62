/** The records of the local Hub's store (hub-store.ts describes the layout and write order). */

export type RepoType = "model" | "dataset" | "space";

export interface RepoKey {
  type: RepoType;
  namespace: string;
  name: string;
}

export interface RepoMeta extends RepoKey {
  id: string;
  private: boolean;
  createdAt: string;
  /** Gated access (settings): absent or false means open. */
  gated?: false | "auto" | "manual";
}

/** One file in a commit's tree. For LFS files `gitOid` is the sha1 of the pointer text. */
export interface TreeEntry {
  size: number;
  sha256: string;
  gitOid: string;
  lfs: boolean;
}

export interface CommitObject {
  id: string;
  parents: string[];
  tree: Record<string, TreeEntry>;
  author: string;
  title: string;
  message: string;
  date: string;
}

export interface TagRecord {
  target: string;
  message?: string;
  createdAt: string;
}

/** A discussion or pull request; PR `num` shares its number with `refs/pr/<num>`. */
export interface DiscussionRecord {
  num: number;
  title: string;
  author: string;
  isPullRequest: boolean;
  status: "open" | "closed" | "merged" | "draft";
  createdAt: string;
  /** For a PR: the branch it targets and the commit it started from (the merge base). */
  base?: string;
  baseCommit?: string;
  mergeCommitId?: string;
  events: DiscussionEvent[];
}

export interface DiscussionEvent {
  id: string;
  type: "comment" | "status-change" | "commit";
  author: string;
  createdAt: string;
  data: Record<string, unknown>;
}

export interface RepoRefs {
  branches: Record<string, string>;
  tags: Record<string, TagRecord>;
  prs: Record<string, string>;
  nextPr: number;
  /** Kept beside the refs so a PR and its discussion are created by the same atomic rename. */
  discussions?: Record<string, DiscussionRecord>;
}
