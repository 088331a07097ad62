import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { data, Evaluator, Lexer, Parser } from "@actions/expressions";
import { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } from "@actions/workflow-parser";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const WORKFLOWS = path.resolve(import.meta.dirname, "..", "..", ".github", "workflows");

/** Evaluates one `${{ }}` expression the way the Actions runner does (GitHub's own evaluator). */
function evaluate(expression: string, contexts: Record<string, Record<string, string>>): string {
  const inner = expression.replace(/^\$\{\{\s*|\s*\}\}$/g, "");
  const { tokens } = new Lexer(inner).lex();
  const expr = new Parser(tokens, Object.keys(contexts), []).parse();
  const dict = new data.Dictionary(
    ...Object.entries(contexts).map(([key, values]) => ({
      key,
      value: new data.Dictionary(
        ...Object.entries(values).map(([k, v]) => ({ key: k, value: new data.StringData(v) })),
      ),
    })),
  );
  return new Evaluator(expr, dict).evaluate().coerceString();
}

describe("workflows parse with GitHub's own workflow parser", () => {
  for (const file of readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f))) {
    it(`${file}: schema and every expression are valid`, async () => {
      const content = readFileSync(path.join(WORKFLOWS, file), "utf8");
      const parsed = parseWorkflow({ name: file, content }, new NoOperationTraceWriter());
      expect(parsed.context.errors.getErrors().map((e) => e.message)).toEqual([]);
      expect(parsed.value).toBeDefined();
      const template = await convertWorkflowTemplate(parsed.context, parsed.value!);
      expect(template.errors ?? []).toEqual([]);
      expect(template.jobs.length).toBeGreaterThan(0);
    });
  }
});

describe("release.yml checks out the tag it releases", () => {
  const wf = parse(readFileSync(path.join(WORKFLOWS, "release.yml"), "utf8")) as {
    jobs: { release: { steps: { uses?: string; with?: Record<string, string> }[] } };
  };
  const checkoutRef = wf.jobs.release.steps.find((s) => s.uses?.startsWith("actions/checkout"))?.with?.ref ?? "";

  it("on a pushed tag: the pushed ref", () => {
    const ref = evaluate(checkoutRef, { inputs: {}, github: { ref: "refs/tags/robot-coder-v1.2.0" } });
    expect(ref).toBe("refs/tags/robot-coder-v1.2.0");
  });

  it("on workflow_dispatch from a branch: the tag named in the input, not the branch", () => {
    const ref = evaluate(checkoutRef, {
      inputs: { tag: "robot-coder-v1.2.0" },
      github: { ref: "refs/heads/main" },
    });
    expect(ref).toBe("refs/tags/robot-coder-v1.2.0");
  });
});

describe("release.yml refuses a manual run started from another ref than the tag", () => {
  const wf = parse(readFileSync(path.join(WORKFLOWS, "release.yml"), "utf8")) as {
    jobs: { release: { steps: { name?: string; if?: string }[] } };
  };
  const guard = wf.jobs.release.steps.find((s) => s.name?.startsWith("a manual re-run"))?.if ?? "";
  const run = (event: string, ref: string) =>
    evaluate(guard, { github: { event_name: event, ref }, inputs: { tag: "robot-coder-v1.2.0" } });

  it("stops a dispatch from a branch (the signing identity would name the branch)", () => {
    expect(run("workflow_dispatch", "refs/heads/main")).toBe("true");
  });
  it("lets a dispatch from the tag and a pushed tag through", () => {
    expect(run("workflow_dispatch", "refs/tags/robot-coder-v1.2.0")).toBe("false");
    expect(run("push", "refs/tags/robot-coder-v1.2.0")).toBe("false");
  });
});
