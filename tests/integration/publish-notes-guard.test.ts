import { join } from "node:path";
import { repoExists } from "@huggingface/hub";
import { Octokit } from "octokit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProgressEvent } from "../../src/publish/progress.js";
import { publishRelease } from "../../src/publish/publish-release.js";
import { writeTestBundle } from "./helpers/publish-bundle.js";
import { startStandIns, type StandIns } from "./helpers/stand-ins.js";

/**
 * The GitHub release notes carry text that never went through the build (the summary given at
 * publish time, the diff against the previous release). A secret there must stop the whole
 * publish before anything is written to either service, and the error must not repeat it.
 */
let s: StandIns;
beforeAll(async () => {
  s = await startStandIns();
});
afterAll(async () => s?.close());

describe("publish refuses release notes that a rule flags", () => {
  it("blocks on a token or a configured customer in the summary: nothing on the Hub or GitHub, nothing printed", async () => {
    const token = "hf_Q7mX2pLk9RtV4nB8cZ1wY6sD3fG5hJ0aEu";
    const dir = join(s.root, "bundle");
    await writeTestBundle(dir, { version: "1.0.0", shards: 2 });
    const events: ProgressEvent[] = [];
    const err = await publishRelease({
      bundleDir: dir,
      targets: { hub: { url: s.hub.url, token: s.hfToken }, github: { apiUrl: s.gh.url, token: s.ghToken } },
      options: {
        hubPrivate: false,
        summary: `Robot coder, first release.\nFine-tuned for Kanary Motors; ask with ${token}.`,
        secretPatterns: [{ name: "customer-name", values: ["Kanary Motors"] }],
      },
      githubPace: false,
      retry: { baseDelayMs: 5 },
      onEvent: (e) => events.push(e),
    }).catch((e: unknown) => e);

    expect(err).toMatchObject({ code: "RELEASE_NOTES_BLOCKED" });
    const said = `${(err as Error).message}\n${JSON.stringify(err)}\n${JSON.stringify(events)}`;
    expect(said).toMatch(/release notes:\d+ \[hf-token\]/);
    expect(said).toContain("[customer-name]");
    for (const leak of [token, "Kanary"]) expect(said).not.toContain(leak);

    expect(
      await repoExists({
        repo: { type: "model", name: "acme/robot-coder" },
        hubUrl: s.hub.url,
        accessToken: s.hfToken,
      }),
    ).toBe(false);
    const gh = new Octokit({ baseUrl: s.gh.url, auth: s.ghToken });
    expect(await gh.paginate(gh.rest.repos.listReleases, { owner: "acme", repo: "robot-coder" })).toEqual([]);
    expect(await gh.paginate(gh.rest.repos.listTags, { owner: "acme", repo: "robot-coder" })).toEqual([]);
  });
});
