import { conflictError } from "../errors.js";
import type { HubPublishPlan, HubRemoteState, HubRepoType, PlannedFile, ReleaseBundle, RemoteFile } from "./types.js";

/** Remote files that belong to the repo, not to a release: never deleted. */
const KEEP_REMOTE = new Set([".gitattributes"]);

/**
 * Plans the Hub side of a release: which files the one atomic commit adds, changes and deletes,
 * given the tree at the branch head, and whether the tag is created or already holds this exact
 * content. The repo is the release: any file at the head that the new release does not have is
 * deleted, so shards of a previous, larger release do not survive.
 *
 * Throws TAG_CONFLICT when the tag exists with different content: tags never move.
 */
export function planHubPublish(params: {
  bundle: ReleaseBundle;
  remote: HubRemoteState;
  hubUrl: string;
  repoType: HubRepoType;
  private: boolean;
  tag: string;
  branch?: string;
}): HubPublishPlan {
  const { bundle, remote, tag } = params;
  const repo = bundle.manifest.hub.repo;
  const branch = params.branch ?? "main";
  const api = `${params.hubUrl}/api/${params.repoType}s/${repo}`;
  const existingTag = remote.tags.find((t) => t.name === tag);
  const base = { hubUrl: params.hubUrl, repo, repoType: params.repoType, private: params.private, branch };

  if (existingTag) {
    if (remote.taggedDigest !== bundle.manifest.contentDigest) {
      throw conflictError(
        "TAG_CONFLICT",
        `tag ${tag} on ${repo} already exists with different content (manifest digest ${remote.taggedDigest ?? "missing"}, this bundle ${bundle.manifest.contentDigest})`,
        {
          hint: "tags never move: publish this content under a new version",
          details: { repo, tag, remoteDigest: remote.taggedDigest ?? null, localDigest: bundle.manifest.contentDigest },
        },
      );
    }
    return {
      ...base,
      createRepo: false,
      parentCommit: existingTag.commit,
      commit: null,
      tag: { name: tag, action: "exists" },
      apiCalls: [],
    };
  }

  const remoteByPath = new Map<string, RemoteFile>(remote.files.map((f) => [f.path, f]));
  const add: PlannedFile[] = [];
  const change: PlannedFile[] = [];
  const unchanged: PlannedFile[] = [];
  for (const file of bundle.files) {
    const planned = { path: file.path, size: file.size, sha256: file.sha256 };
    const there = remoteByPath.get(file.path);
    if (!there) add.push(planned);
    else if (sameContent(file, there)) unchanged.push(planned);
    else change.push(planned);
  }
  const wanted = new Set(bundle.files.map((f) => f.path));
  const del = remote.files
    .filter((f) => !wanted.has(f.path) && !KEEP_REMOTE.has(f.path))
    .map((f) => ({ path: f.path, size: f.size }))
    .sort((a, b) => a.path.localeCompare(b.path));

  const apiCalls: string[] = [];
  if (!remote.exists)
    apiCalls.push(
      `POST ${params.hubUrl}/api/repos/create (${params.private ? "private" : "public"} ${params.repoType})`,
    );
  const sending = [...add, ...change];
  if (sending.length > 0) {
    apiCalls.push(`POST ${api}/preupload/${branch} (${sending.length} files)`);
    apiCalls.push(
      `POST ${params.hubUrl}/${params.repoType === "dataset" ? "datasets/" : ""}${repo}.git/info/lfs/objects/batch (large files; objects the server has are skipped)`,
    );
  }
  const uploadBytes = sending.reduce((n, f) => n + f.size, 0);
  apiCalls.push(
    `POST ${api}/commit/${branch} (+${add.length} ~${change.length} -${del.length}, parentCommit ${remote.head ? remote.head.slice(0, 12) : "(new repo head)"})`,
  );
  apiCalls.push(`POST ${api}/tag/<commit> {"tag":"${tag}"}`);

  return {
    ...base,
    createRepo: !remote.exists,
    parentCommit: remote.head,
    commit: {
      title: `Release ${tag}`,
      add,
      change,
      delete: del,
      unchanged,
      uploadBytes,
    },
    tag: { name: tag, action: "create" },
    apiCalls,
  };
}

function sameContent(local: { size: number; sha256: string; gitOid?: string }, remote: RemoteFile): boolean {
  if (local.size !== remote.size) return false;
  if (remote.lfsSha256 !== undefined) return remote.lfsSha256 === local.sha256;
  return local.gitOid !== undefined && remote.gitOid === local.gitOid;
}
