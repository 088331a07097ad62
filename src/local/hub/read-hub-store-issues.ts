import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import type { CommitObject, RepoRefs } from "./hub-store.js";

/**
 * A consistency check of a local Hub data dir (an fsck): every ref points at a stored commit,
 * every commit reachable from a ref has its parents and every object of its tree, with the
 * recorded size. Returns the problems found, empty when the store is consistent. Used by the
 * crash tests, and handy after an unclean shutdown.
 */
export async function readHubStoreIssues(dataDir: string): Promise<string[]> {
  const issues: string[] = [];
  const reposRoot = join(dataDir, "repos");
  const list = async (d: string) => readdir(d).catch(() => [] as string[]);
  for (const type of await list(reposRoot)) {
    for (const ns of await list(join(reposRoot, type))) {
      for (const name of await list(join(reposRoot, type, ns))) {
        const dir = join(reposRoot, type, ns, name);
        const where = `${type}/${ns}/${name}`;
        let refs: RepoRefs;
        try {
          JSON.parse(await readFile(join(dir, "repo.json"), "utf8"));
          refs = JSON.parse(await readFile(join(dir, "refs.json"), "utf8")) as RepoRefs;
        } catch (err) {
          issues.push(`${where}: unreadable repo.json or refs.json (${(err as Error).message})`);
          continue;
        }
        const heads = [
          ...Object.entries(refs.branches).map(([n, id]) => [`refs/heads/${n}`, id] as const),
          ...Object.entries(refs.tags).map(([n, t]) => [`refs/tags/${n}`, t.target] as const),
          ...Object.entries(refs.prs).map(([n, id]) => [`refs/pr/${n}`, id] as const),
        ];
        const seen = new Set<string>();
        const todo: { from: string; id: string }[] = heads.map(([ref, id]) => ({ from: ref, id }));
        while (todo.length) {
          const { from, id } = todo.pop()!;
          if (seen.has(id)) continue;
          seen.add(id);
          let c: CommitObject;
          try {
            c = JSON.parse(await readFile(join(dir, "commits", `${id}.json`), "utf8")) as CommitObject;
          } catch {
            issues.push(`${where}: ${from} points at missing or unreadable commit ${id}`);
            continue;
          }
          for (const [path, e] of Object.entries(c.tree)) {
            const size = await stat(join(dataDir, "objects", e.sha256.slice(0, 2), e.sha256)).then(
              (s) => s.size,
              () => undefined,
            );
            if (size !== e.size)
              issues.push(
                `${where}: commit ${id} file ${path} needs object ${e.sha256} of ${e.size} bytes, found ${size ?? "none"}`,
              );
          }
          for (const p of c.parents) todo.push({ from: `commit ${id}`, id: p });
        }
      }
    }
  }
  return issues;
}
