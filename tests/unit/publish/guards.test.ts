import { describe, expect, it } from "vitest";
import { planReleaseSanity } from "../../../src/bundle/plan-release-sanity.js";
import { createRetryingFetch } from "../../../src/publish/create-retrying-fetch.js";
import { planPublishPreflight } from "../../../src/publish/plan-publish-preflight.js";
import { planPullUpdate } from "../../../src/publish/plan-pull-update.js";
import { planConfirmedSteps, planJournalKeys, type PublishJournal } from "../../../src/publish/publish-journal.js";
import type { GitHubReleasePlan, HubPublishPlan } from "../../../src/publish/types.js";

const llama = {
  model_type: "llama",
  architectures: ["LlamaForCausalLM"],
  hidden_size: 64,
  intermediate_size: 128,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  num_key_value_heads: 4,
  vocab_size: 512,
  tie_word_embeddings: false,
};
function llamaTensors(p: { hidden: number; layers: number; vocab: number; inter: number; lmHead?: boolean }) {
  const t: { name: string; shape: number[] }[] = [{ name: "model.embed_tokens.weight", shape: [p.vocab, p.hidden] }];
  for (let i = 0; i < p.layers; i++) {
    for (const m of ["q", "k", "v", "o"])
      t.push({ name: `model.layers.${i}.self_attn.${m}_proj.weight`, shape: [p.hidden, p.hidden] });
    t.push({ name: `model.layers.${i}.mlp.gate_proj.weight`, shape: [p.inter, p.hidden] });
    t.push({ name: `model.layers.${i}.mlp.up_proj.weight`, shape: [p.inter, p.hidden] });
    t.push({ name: `model.layers.${i}.mlp.down_proj.weight`, shape: [p.hidden, p.inter] });
  }
  if (p.lmHead !== false) t.push({ name: "lm_head.weight", shape: [p.vocab, p.hidden] });
  return t;
}
const sanity = (
  configJson: Record<string, unknown>,
  tensors: { name: string; shape: number[] }[],
  baseModel = "meta-llama/Llama-3.1-8B",
) =>
  planReleaseSanity({
    tensors,
    hasWeights: tensors.length > 0,
    configJson,
    baseModel,
    baseModelRelation: "finetune",
    adapter: false,
  });

describe("planReleaseSanity", () => {
  it("passes weights that match config.json, and tied embeddings without lm_head", () => {
    expect(sanity(llama, llamaTensors({ hidden: 64, layers: 2, vocab: 512, inter: 128 }))).toEqual([]);
    expect(
      sanity(
        { ...llama, tie_word_embeddings: true },
        llamaTensors({ hidden: 64, layers: 2, vocab: 512, inter: 128, lmHead: false }),
      ),
    ).toEqual([]);
  });

  it("names a wrong width, layer count, vocabulary and a parameter count far from config.json", () => {
    const wide = sanity(
      { ...llama, hidden_size: 128 },
      llamaTensors({ hidden: 64, layers: 2, vocab: 512, inter: 128 }),
    );
    expect(wide.map((f) => [f.rule, f.pointer])).toContainEqual(["config-shape-mismatch", "/hidden_size"]);
    const layers = sanity(
      { ...llama, num_hidden_layers: 4 },
      llamaTensors({ hidden: 64, layers: 2, vocab: 512, inter: 128 }),
    );
    expect(layers.map((f) => f.message)).toContain("the weights have 2 layers, config.json num_hidden_layers is 4");
    const vocab = sanity(
      { ...llama, vocab_size: 1000 },
      llamaTensors({ hidden: 64, layers: 2, vocab: 512, inter: 128 }),
    );
    expect(vocab.map((f) => f.pointer)).toContain("/vocab_size");
    // Shapes that agree where they are looked at, but a much bigger MLP than config.json says.
    const big = sanity(llama, llamaTensors({ hidden: 64, layers: 2, vocab: 512, inter: 2048 }));
    expect(big.map((f) => f.message)).toEqual([
      expect.stringMatching(/^the weights hold .* parameters, config\.json describes about/),
    ]);
  });

  it("skips shapes for adapters, and checks the base model's family (distills and Llama Vision included)", () => {
    expect(
      planReleaseSanity({
        tensors: [{ name: "base_model.model.layers.0.self_attn.q_proj.lora_A.weight", shape: [8, 64] }],
        hasWeights: true,
        configJson: llama,
        baseModel: "meta-llama/Llama-3.1-8B",
        baseModelRelation: "adapter",
        adapter: true,
      }),
    ).toEqual([]);
    const qwenVl = { model_type: "qwen2_5_vl", architectures: ["Qwen2_5_VLForConditionalGeneration"] };
    expect(sanity(qwenVl, [], "meta-llama/Llama-3.2-90B-Vision-Instruct").map((f) => f.rule)).toEqual([
      "base-model-family",
    ]);
    expect(sanity(qwenVl, [], "Qwen/Qwen2.5-VL-7B-Instruct")).toEqual([]);
    expect(sanity({ model_type: "qwen2" }, [], "deepseek-ai/DeepSeek-R1-Distill-Qwen-32B")).toEqual([]);
    expect(sanity({ model_type: "llama" }, [], "deepseek-ai/DeepSeek-R1-Distill-Qwen-32B").map((f) => f.rule)).toEqual([
      "base-model-family",
    ]);
    expect(sanity({ model_type: "mllama" }, [], "meta-llama/Llama-3.2-11B-Vision-Instruct")).toEqual([]);
    expect(sanity({ model_type: "something-new" }, [], "acme/unknown-base")).toEqual([]);
  });
});

const hubPlan = (over: Partial<HubPublishPlan> = {}): HubPublishPlan => ({
  hubUrl: "https://hub.example",
  repo: "acme/m",
  repoType: "model",
  private: false,
  createRepo: false,
  branch: "main",
  parentCommit: "c1",
  commit: { title: "t", add: [], change: [], delete: [], unchanged: [], uploadBytes: 0 },
  tag: { name: "v1.0.0", action: "create" },
  apiCalls: [],
  ...over,
});
const ghPlan = (over: Partial<GitHubReleasePlan> = {}): GitHubReleasePlan => ({
  apiUrl: "https://api.example",
  repo: "acme/m",
  tag: "v1.0.0",
  name: "m 1.0.0",
  prerelease: false,
  latest: true,
  release: { action: "create-draft" },
  notes: "",
  assets: [],
  apiCalls: [],
  ...over,
});

describe("planPublishPreflight", () => {
  it("fails a read token, a non-member, a missing repo without github.create and an empty repo without code", () => {
    const checks = planPublishPreflight({
      dryRun: false,
      hub: { repo: "acme/m", plan: hubPlan(), access: { tokenValid: true, user: "bob", orgs: [{ name: "other" }] } },
      github: {
        repo: "acme/m",
        plan: ghPlan(),
        create: false,
        access: { tokenValid: true, login: "bob", repoExists: false },
      },
    });
    expect(checks.filter((c) => c.status === "fail").map((c) => c.error?.code)).toEqual([
      "HUB_NO_WRITE_ACCESS",
      "GITHUB_REPO_MISSING",
      "GITHUB_NOTHING_TO_TAG",
    ]);
  });

  it("needs a flag to delete every previous weight file or to change the architecture", () => {
    const plan = hubPlan({
      commit: {
        title: "t",
        add: [{ path: "model.safetensors", size: 1, sha256: "a" }],
        change: [],
        delete: [{ path: "model-00001-of-00002.safetensors", size: 1 }],
        unchanged: [],
        uploadBytes: 1,
      },
    });
    const facts = { dryRun: true, hub: { repo: "acme/m", plan, architectureChange: { from: "A", to: "B" } } };
    expect(
      planPublishPreflight(facts)
        .filter((c) => c.status === "fail")
        .map((c) => c.error?.code),
    ).toEqual(["WEIGHTS_ALL_REPLACED", "ARCHITECTURE_CHANGED"]);
    expect(
      planPublishPreflight({ ...facts, allowWeightReplacement: true, allowArchitectureChange: true }).filter(
        (c) => c.status === "fail",
      ),
    ).toEqual([]);
  });
});

describe("the journal", () => {
  it("is keyed by endpoint, repo and content digest; the lock by endpoint and repo", () => {
    const a = planJournalKeys({
      name: "m",
      tag: "v1",
      contentDigest: "d1",
      hub: { url: "http://127.0.0.1:1", repo: "acme/m" },
    });
    const b = planJournalKeys({
      name: "m",
      tag: "v1",
      contentDigest: "d1",
      hub: { url: "https://huggingface.co", repo: "acme/m" },
    });
    const c = planJournalKeys({
      name: "m",
      tag: "v1",
      contentDigest: "d2",
      hub: { url: "http://127.0.0.1:1", repo: "acme/m" },
    });
    expect(a.journal).not.toBe(b.journal);
    expect(a.journal).not.toBe(c.journal);
    expect(a.lock).toBe(c.lock);
    expect(a.journal).toMatch(/^m@v1-[0-9a-f]{12}$/);
  });

  it("keeps only the steps the remote confirms", () => {
    const journal: PublishJournal = {
      schema: "model-release/publish-journal@1",
      tag: "k",
      contentDigest: "d",
      runId: "r",
      steps: { "hub-commit": { at: "t", commit: "c9" }, "hub-tag": { at: "t" }, "github-tag": { at: "t" } },
    };
    expect(planConfirmedSteps(journal, { tag: "v1", hub: { exists: false, files: [], tags: [] } }).dropped).toEqual([
      "hub-commit",
      "hub-tag",
      "github-tag",
    ]);
    const held = planConfirmedSteps(journal, {
      tag: "v1",
      hub: { exists: true, head: "c9", files: [], tags: [{ name: "v1", commit: "c9" }] },
      github: { tagExists: true },
    });
    expect([Object.keys(held.confirmed), held.dropped]).toEqual([["hub-commit", "hub-tag", "github-tag"], []]);
  });
});

describe("planPullUpdate", () => {
  const record = {
    schema: "model-release/pull@1" as const,
    hubUrl: "h",
    repo: "acme/m",
    repoType: "model",
    tag: "v1",
    commit: "c",
    files: ["a", "b"],
  };
  it("downloads into an empty folder, refuses a foreign one, updates its own and never overwrites the user's", () => {
    expect(planPullUpdate({ to: "/d", local: [], repo: "acme/m", remote: ["a"] })).toEqual({
      update: false,
      remove: [],
    });
    expect(() => planPullUpdate({ to: "/d", local: ["README.md"], repo: "acme/m", remote: ["README.md"] })).toThrow(
      expect.objectContaining({ code: "PULL_TARGET_NOT_EMPTY" }),
    );
    expect(() =>
      planPullUpdate({ to: "/d", local: ["a"], record: { ...record, repo: "acme/x" }, repo: "acme/m", remote: ["a"] }),
    ).toThrow(expect.objectContaining({ code: "PULL_TARGET_NOT_EMPTY" }));
    expect(
      planPullUpdate({ to: "/d", local: ["a", "b", "notes"], record, repo: "acme/m", remote: ["a", "c"] }),
    ).toEqual({
      update: true,
      remove: ["b"],
    });
    expect(() => planPullUpdate({ to: "/d", local: ["a", "c"], record, repo: "acme/m", remote: ["a", "c"] })).toThrow(
      expect.objectContaining({ code: "PULL_WOULD_OVERWRITE" }),
    );
  });
});

describe("createRetryingFetch with the run's signal", () => {
  it("aborts a request in flight and starts no retry after the signal", async () => {
    const run = new AbortController();
    let calls = 0;
    const inner = ((_input: unknown, init?: RequestInit) => {
      calls++;
      return new Promise<Response>((_resolve, reject) =>
        init?.signal?.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError"))),
      );
    }) as typeof fetch;
    const f = createRetryingFetch({ fetch: inner, signal: run.signal, baseDelayMs: 1 });
    const pending = f("http://x/");
    run.abort();
    await expect(pending).rejects.toMatchObject({ name: "AbortError" });
    await expect(f("http://x/")).rejects.toMatchObject({ name: "AbortError" });
    expect(calls).toBe(1);
  });
});
