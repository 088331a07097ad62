import { createHash } from "node:crypto";
import type { CommitObject, TreeEntry } from "./hub-store-types.js";

/**
 * The git objects of a Hub commit, computed without git: nested trees from the flat path map
 * and the commit text. The Hub's commit ids are git commit ids, so the stand-in's are too: what
 * the API returns as `sha` is what `git clone` then shows, and `git checkout <sha>` works.
 */

export interface GitObject {
  type: "tree" | "commit";
  content: Buffer;
}

/** sha1 of `<type> <len>\0<content>`: a git object id. */
export function gitObjectId(type: string, content: Buffer): string {
  return createHash("sha1").update(`${type} ${content.length}\0`).update(content).digest("hex");
}

interface Dir {
  files: Map<string, string>;
  dirs: Map<string, Dir>;
}

/** Tree objects for a flat tree, children before parents; returns the root tree id. */
export function renderGitTrees(tree: Record<string, Pick<TreeEntry, "gitOid">>): {
  root: string;
  objects: Map<string, GitObject>;
} {
  const top: Dir = { files: new Map(), dirs: new Map() };
  for (const [path, e] of Object.entries(tree)) {
    const parts = path.split("/");
    let d = top;
    for (const p of parts.slice(0, -1)) {
      let next = d.dirs.get(p);
      if (!next) {
        next = { files: new Map(), dirs: new Map() };
        d.dirs.set(p, next);
      }
      d = next;
    }
    d.files.set(parts.at(-1)!, e.gitOid);
  }
  const objects = new Map<string, GitObject>();
  const write = (d: Dir): string => {
    const entries: { name: string; sortKey: string; mode: string; id: string }[] = [];
    for (const [name, sub] of d.dirs) entries.push({ name, sortKey: `${name}/`, mode: "40000", id: write(sub) });
    for (const [name, id] of d.files) entries.push({ name, sortKey: name, mode: "100644", id });
    // git orders entries bytewise, comparing a directory's name as if it ended with "/".
    entries.sort((a, b) => Buffer.compare(Buffer.from(a.sortKey), Buffer.from(b.sortKey)));
    const content = Buffer.concat(
      entries.flatMap((e) => [Buffer.from(`${e.mode} ${e.name}\0`), Buffer.from(e.id, "hex")]),
    );
    const id = gitObjectId("tree", content);
    objects.set(id, { type: "tree", content });
    return id;
  };
  return { root: write(top), objects };
}

/** The commit object text: author and committer are the Hub user, dated by the commit's date. */
export function renderGitCommit(c: Omit<CommitObject, "id">, treeId: string): Buffer {
  const when = `${Math.floor(Date.parse(c.date) / 1000)} +0000`;
  const who = `${c.author} <${c.author}@users.noreply.huggingface.co>`;
  const message = c.message ? `${c.title}\n\n${c.message}` : c.title;
  return Buffer.from(
    `tree ${treeId}\n${c.parents.map((p) => `parent ${p}\n`).join("")}author ${who} ${when}\ncommitter ${who} ${when}\n\n${message}\n`,
  );
}

/** The git commit id of a commit (what the store uses as its id). */
export function gitCommitId(c: Omit<CommitObject, "id">): string {
  return gitObjectId("commit", renderGitCommit(c, renderGitTrees(c.tree).root));
}
