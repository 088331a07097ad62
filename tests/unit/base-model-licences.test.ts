import { describe, expect, it } from "vitest";
import { BASE_MODEL_LICENCES } from "../../src/card/base-model-licences.js";
import { planLicence } from "../../src/card/plan-licence.js";
import { isBlocking } from "../../src/findings.js";

const plan = (baseModel: string, requested = "apache-2.0", repo = "acme/robot-coder") =>
  planLicence({ baseModel, requested, repo });
/** Blocking rules only: `licence-text-missing` warnings are checked on their own below. */
const rules = (p: ReturnType<typeof plan>) =>
  p.findings.filter((f) => f.rule !== "licence-text-missing").map((f) => `${f.severity}:${f.rule}`);

describe("planLicence", () => {
  it("gpt-oss: Apache-2.0 allowed, NOTICE names the usage policy", () => {
    const p = plan("openai/gpt-oss-120b");
    expect(p.license).toBe("apache-2.0");
    expect(p.findings).toEqual([]);
    expect(p.notice).toContain("gpt-oss usage policy");
    expect(p.notice).toContain("https://huggingface.co/openai/gpt-oss-120b/blob/main/USAGE_POLICY");
    expect(plan("openai/gpt-oss-20b").base?.key).toBe("gpt-oss");
  });

  it("devstral-2: refuses Apache-2.0, writes the modified MIT licence and says why", () => {
    const p = plan("mistralai/Devstral-2-123B-Instruct-2512");
    expect(rules(p)).toEqual(["block:licence-incompatible"]);
    expect(p).toMatchObject({
      license: "other",
      license_name: "modified-mit",
      license_link: "https://huggingface.co/mistralai/Devstral-2-123B-Instruct-2512/blob/main/LICENSE",
    });
    expect(p.findings[0]!.message).toMatch(/revenue/);
    // Keeping the base's licence is accepted.
    expect(rules(plan("mistralai/Devstral-2-123B-Instruct-2512", "other"))).toEqual([]);
    expect(p.base?.conditions.join(" ")).toMatch(/USD 20 million/);
  });

  it("devstral small stays Apache-2.0", () => {
    expect(plan("mistralai/Devstral-Small-2507").findings).toEqual([]);
  });

  it("qwen2.5-vl-72b: license other/qwen, 'Built with Qwen' in card and NOTICE", () => {
    const p = plan("Qwen/Qwen2.5-VL-72B-Instruct");
    expect(rules(p)).toEqual(["block:licence-incompatible"]);
    expect(p).toMatchObject({ license: "other", license_name: "qwen" });
    expect(p.notice).toContain("Built with Qwen");
    expect(p.reasons.join(" ")).toContain('"Built with Qwen"');
    expect(p.findings[0]!.message).toMatchInlineSnapshot(
      `"license: apache-2.0 is not allowed for a fine-tune of Qwen/Qwen2.5-VL-72B-Instruct: Qwen2.5-VL-72B is released under the Qwen LICENSE AGREEMENT: a distributed fine-tune must prominently display 'Built with Qwen' or 'Improved using Qwen', and products above 100M monthly active users need a separate licence. It cannot be relabelled Apache-2.0. Set license: other (license_name: qwen) in the release config."`,
    );
  });

  it("qwen2.5-vl 7B and 32B are Apache-2.0; 3B is research-only", () => {
    expect(plan("Qwen/Qwen2.5-VL-7B-Instruct").findings).toEqual([]);
    expect(plan("Qwen/Qwen2.5-VL-32B-Instruct").findings).toEqual([]);
    const p3 = plan("Qwen/Qwen2.5-VL-3B-Instruct");
    expect(p3).toMatchObject({ license: "other", license_name: "qwen-research" });
    expect(rules(p3)).toEqual(["block:licence-incompatible"]);
    // Keeping the research licence ships its text, with the notice sentence §3.c asks for.
    const kept = plan("Qwen/Qwen2.5-VL-3B-Instruct", "other");
    expect(kept.findings).toEqual([]);
    expect(kept.files).toEqual([{ path: "LICENSE", template: "licences/qwen-research-LICENSE.txt" }]);
    expect(kept.notice).toContain(
      "Qwen is licensed under the Qwen RESEARCH LICENSE AGREEMENT, Copyright (c) Alibaba Cloud. All Rights Reserved.",
    );
  });

  it("qwen3 (coder) is Apache-2.0", () => {
    expect(plan("Qwen/Qwen3-Coder-30B-A3B-Instruct")).toMatchObject({ license: "apache-2.0", findings: [] });
  });

  it("llama-3.2: llama3.2 licence, and the name must start with Llama", () => {
    const p = plan("meta-llama/Llama-3.2-11B-Vision-Instruct", "apache-2.0", "acme/inspect-11b");
    expect(p.license).toBe("llama3.2");
    expect(rules(p)).toEqual(["block:licence-incompatible", "block:licence-name-rule"]);
    expect(p.findings[1]!.message).toContain("acme/Llama-inspect-11b");
    expect(p.notice).toContain("Llama 3.2 is licensed under the Llama 3.2 Community License");
    const ok = plan("meta-llama/Llama-3.2-11B-Vision-Instruct", "llama3.2", "acme/Llama-3.2-inspect-11b");
    expect(ok.findings).toEqual([]);
    expect(ok.license_link).toBeUndefined();
    expect(ok.files).toEqual([
      { path: "LICENSE", template: "licences/llama3_2-LICENSE.txt" },
      { path: "USE_POLICY.md", template: "licences/llama3_2-USE_POLICY.md" },
    ]);
    expect(ok.base?.conditions.join(" ")).toMatch(/European Union/);
  });

  it("deepseek-r1 distills: Qwen ones may be Apache-2.0, Llama ones keep the Llama terms", () => {
    expect(plan("deepseek-ai/DeepSeek-R1-Distill-Qwen-32B").findings).toEqual([]);
    expect(plan("deepseek-ai/DeepSeek-R1-Distill-Qwen-32B").notice).toContain("MIT");
    expect(rules(plan("deepseek-ai/DeepSeek-R1-Distill-Llama-70B"))).toEqual([
      "block:licence-incompatible",
      "block:licence-name-rule",
    ]);
  });

  it("DeepSeek-R1-Distill-Llama-70B is governed by Llama 3.3 (license: llama3.3), the 8B by Llama 3.1", () => {
    const p = plan("deepseek-ai/DeepSeek-R1-Distill-Llama-70B", "llama3.3", "acme/Llama-robot-coder-70b");
    expect(p.findings).toEqual([]);
    expect(p.license).toBe("llama3.3");
    expect(p.notice).toContain(
      "Llama 3.3 is licensed under the Llama 3.3 Community License, Copyright © Meta Platforms, Inc. All Rights Reserved.",
    );
    expect(p.notice).toContain("Built with Llama");
    expect(p.notice).toContain("https://www.llama.com/llama3_3/use-policy");
    expect(p.base?.forbidsHeavyMachinery).toBe(true);
    expect(p.files.map((f) => f.path)).toEqual(["LICENSE", "USE_POLICY.md", "LICENSE-DeepSeek-MIT.txt"]);
    expect(rules(plan("deepseek-ai/DeepSeek-R1-Distill-Llama-70B", "other", "acme/Llama-x"))).toEqual([
      "block:licence-incompatible",
    ]);
    const p8 = plan("deepseek-ai/DeepSeek-R1-Distill-Llama-8B", "llama3.1", "acme/Llama-robot-coder-8b");
    expect(p8).toMatchObject({ license: "llama3.1", findings: [] });
    expect(p8.notice).toContain("Llama 3.1 is licensed under the Llama 3.1 Community License");
  });

  it("every bundle gets a LICENSE: Apache text, the base's agreement, a generated MIT, or a pointer with a warning", () => {
    expect(plan("openai/gpt-oss-120b").files).toEqual([
      { path: "LICENSE", template: "licences/apache-2.0.txt" },
      { path: "USAGE_POLICY", template: "licences/gpt-oss-USAGE_POLICY" },
    ]);
    const mit = planLicence({
      baseModel: "deepseek-ai/DeepSeek-R1-Distill-Qwen-7B",
      requested: "mit",
      repo: "acme/x",
      holders: ["Acme Lab"],
      year: "2026",
    });
    expect(mit.files[0]).toMatchObject({ path: "LICENSE" });
    expect((mit.files[0] as { content: string }).content).toContain("Copyright (c) 2026 Acme Lab");
    const qwen = plan("Qwen/Qwen2.5-VL-72B-Instruct", "other");
    expect(qwen.findings.map((f) => `${f.severity}:${f.rule}`)).toEqual(["warn:licence-text-missing"]);
    expect((qwen.files[0] as { content: string }).content).toContain(
      "https://huggingface.co/Qwen/Qwen2.5-VL-72B-Instruct/blob/main/LICENSE",
    );
    // A checkpoint that carries the base's LICENSE publishes it instead, without a warning.
    const own = planLicence({
      baseModel: "Qwen/Qwen2.5-VL-72B-Instruct",
      requested: "other",
      repo: "acme/x",
      checkpointHasLicence: true,
    });
    expect(own.files).toEqual([]);
    expect(own.findings).toEqual([]);
  });

  it("dinov2 is Apache-2.0", () => {
    expect(plan("facebook/dinov2-large")).toMatchObject({ license: "apache-2.0", findings: [] });
  });

  it("an unknown base keeps the requested licence with a warning", () => {
    const p = plan("someone/model-x");
    expect(p.license).toBe("apache-2.0");
    expect(rules(p)).toEqual(["warn:licence-unknown-base"]);
    expect(p.findings.some(isBlocking)).toBe(false);
    expect(p.notice).toBeUndefined();
  });

  it("a licence that differs from a restrictive base's is refused too", () => {
    expect(rules(plan("Qwen/Qwen2.5-VL-72B-Instruct", "mit"))).toEqual(["block:licence-incompatible"]);
  });

  it("table rows do not overlap", () => {
    const ids = [
      "openai/gpt-oss-120b",
      "mistralai/Devstral-2-123B-Instruct-2512",
      "mistralai/Devstral-Small-2507",
      "Qwen/Qwen2.5-VL-72B-Instruct",
      "Qwen/Qwen2.5-VL-7B-Instruct",
      "Qwen/Qwen2.5-VL-3B-Instruct",
      "Qwen/Qwen3-8B",
      "meta-llama/Llama-3.2-1B",
      "deepseek-ai/DeepSeek-R1-Distill-Qwen-7B",
      "deepseek-ai/DeepSeek-R1-Distill-Llama-8B",
      "facebook/dinov2-base",
    ];
    for (const id of ids) expect(BASE_MODEL_LICENCES.filter((b) => b.match.test(id)).map((b) => b.key)).toHaveLength(1);
  });
});
