import { describe, expect, it } from "vitest";
import { parseGitCommitObject, parseGitTagObject } from "../../src/local/github/git-bare-repo.js";
import { paginate } from "../../src/local/github/github-http.js";
import { parseStandInFaults } from "../../src/local/read-stand-in-faults.js";
import { loadGitHubOpenApi, validateResponse } from "../lib/validate-openapi-response.js";

describe("git object parsers", () => {
  it("parses an annotated tag, keeping the message verbatim", () => {
    const text =
      "object 1111111111111111111111111111111111111111\ntype commit\ntag v1.2.0\ntagger Release Bot <bot@example.com> 1767323045 +0200\n\nrobot-coder 1.2.0\n\nnotes\n";
    expect(parseGitTagObject("abc", text)).toEqual({
      sha: "abc",
      tag: "v1.2.0",
      message: "robot-coder 1.2.0\n\nnotes\n",
      object: { sha: "1111111111111111111111111111111111111111", type: "commit" },
      tagger: { name: "Release Bot", email: "bot@example.com", date: "2026-01-02T03:04:05Z" },
    });
  });

  it("parses a merge commit with two parents", () => {
    const text = "tree aaaa\nparent p1\nparent p2\nauthor A <a@x> 0 +0000\ncommitter C <c@x> 60 -0100\n\nmerge\n";
    expect(parseGitCommitObject("s", text)).toMatchObject({
      tree: "aaaa",
      parents: ["p1", "p2"],
      author: { name: "A", email: "a@x", date: "1970-01-01T00:00:00Z" },
      committer: { name: "C", date: "1970-01-01T00:01:00Z" },
      message: "merge\n",
    });
  });
});

describe("paginate", () => {
  const items = Array.from({ length: 5 }, (_, i) => i);
  it("slices pages and links next/last like GitHub", () => {
    const { page, headers } = paginate(items, new URL("http://h/api/v3/repos/o/r/releases?per_page=2"));
    expect(page).toEqual([0, 1]);
    expect(headers.link).toBe(
      '<http://h/api/v3/repos/o/r/releases?per_page=2&page=2>; rel="next", <http://h/api/v3/repos/o/r/releases?per_page=2&page=3>; rel="last"',
    );
    const last = paginate(items, new URL("http://h/x?per_page=2&page=3"));
    expect(last.page).toEqual([4]);
    expect(last.headers.link).toContain('rel="prev"');
    expect(last.headers.link).not.toContain('rel="next"');
  });
  it("clamps nonsense per_page and page values", () => {
    expect(paginate(items, new URL("http://h/x?per_page=0&page=-3")).page).toEqual(items);
    expect(paginate(items, new URL("http://h/x?per_page=abc")).headers).toEqual({});
  });
});

describe("the OpenAPI response validator catches what it must", () => {
  const spec = loadGitHubOpenApi();
  const error = (status: number, body: unknown, path = "/repos/o/r/releases/tags/v1") =>
    validateResponse(spec, {
      method: "GET",
      path,
      status,
      contentType: "application/json",
      body: JSON.stringify(body),
    });

  it("accepts GitHub's error shape and rejects a wrong one", () => {
    expect(error(404, { message: "Not Found", documentation_url: "https://docs.github.com/rest" }).errors).toEqual([]);
    expect(error(404, { message: 404 }).errors).toEqual([
      "repos/get-release-by-tag 404 $.message: expected string, got 404",
    ]);
  });
  it("rejects a release without required fields, with a wrong type or a bad date", () => {
    const errors = error(200, { id: "7", draft: false, created_at: "yesterday" }).errors;
    expect(errors).toContain("repos/get-release-by-tag 200 $: missing required property upload_url");
    expect(errors).toContain('repos/get-release-by-tag 200 $.id: expected integer, got "7"');
    expect(errors).toContain("repos/get-release-by-tag 200 $.created_at: not a date-time: yesterday");
  });
  it("honours nullable and rejects null where it is not allowed", () => {
    const asset = {
      url: "http://h/a",
      browser_download_url: "http://h/d",
      id: 1,
      node_id: "n",
      name: "a",
      label: null,
      state: "uploaded",
      content_type: "x",
      size: 1,
      digest: null,
      download_count: 0,
      created_at: "2026-01-01T00:00:00Z",
      updated_at: "2026-01-01T00:00:00Z",
      uploader: null,
    };
    const path = "/repos/o/r/releases/assets/1";
    expect(error(200, asset, path).errors).toEqual([]);
    expect(error(200, { ...asset, name: null }, path).errors).toEqual([
      "repos/get-release-asset 200 $.name: null is not allowed",
    ]);
    expect(error(200, { ...asset, state: "gone" }, path).errors).toEqual([
      'repos/get-release-asset 200 $.state: "gone" not in enum ["uploaded","open"]',
    ]);
  });
  it("prefers literal path segments and reports undocumented operations", () => {
    expect(error(404, { message: "Not Found" }, "/repos/o/r/releases/latest").operationId).toBe(
      "repos/get-latest-release",
    );
    expect(error(200, {}, "/nope").errors).toEqual(["GET /nope: no operation in GitHub's OpenAPI description"]);
  });
});

describe("parseStandInFaults", () => {
  it("reads JSON and YAML rule files", () => {
    const rules = parseStandInFaults(
      '{"github": [{"path": "^/api/v3/user$", "nth": 2, "action": {"kind": "drop"}}]}',
      "f.json",
    );
    expect(rules).toEqual({ github: [{ path: "^/api/v3/user$", nth: 2, action: { kind: "drop" } }] });
    expect(
      parseStandInFaults("hub:\n  - path: ^/api/models\n    action: {kind: delay, ms: 50}\n", "f.yaml").hub,
    ).toHaveLength(1);
  });
  it("locates a bad rule to its line and field", () => {
    expect(() =>
      parseStandInFaults("github:\n  - path: '('\n    action: {kind: drop}\n", "f.yaml"),
    ).toThrowErrorMatchingInlineSnapshot(`
      [ReleaseError: f.yaml is not a valid config (1 problem):
        f.yaml:2:11 github.0.path: must be a valid regular expression]
    `);
  });
});
