import { describe, expect, it } from "vitest";
import { maskRunHosts } from "../../src/sanitize/mask-run-hosts.js";
import { renderSafeJson, renderSafeText } from "../../src/sanitize/render-safe-text.js";

describe("maskRunHosts", () => {
  it("masks the host of TensorBoard event files and run folders, wherever the name stands", () => {
    expect(maskRunHosts("runs/events.out.tfevents.1733480000.gpu-node-07.4711.0")).toBe(
      "runs/events.out.tfevents.1733480000.[host]",
    );
    expect(maskRunHosts("runs/Dec06_13-05-55_dgx-b200-rack3/events.out.tfevents.1.dgx-b200-rack3.1.0")).toBe(
      "runs/Dec06_13-05-55_[host]/events.out.tfevents.1.[host]",
    );
    // In a sentence, quoted, and as a run folder at the start of a relative path.
    expect(maskRunHosts("dropped runs/events.out.tfevents.1.node7.local: TensorBoard logs")).toBe(
      "dropped runs/events.out.tfevents.1.[host]: TensorBoard logs",
    );
    expect(maskRunHosts(`"Jan31_01-02-03_login02" and 'events.out.tfevents.9.h'`)).toBe(
      `"Jan31_01-02-03_[host]" and 'events.out.tfevents.9.[host]'`,
    );
  });

  it("masks the host of a PyTorch profiler trace and a core dump", () => {
    expect(maskRunHosts("dropped profile/gpu-node-07_4711.1733480000123.pt.trace.json: trace")).toBe(
      "dropped profile/[host]_4711.1733480000123.pt.trace.json: trace",
    );
    expect(maskRunHosts("core.node7.cluster.local.4711")).toBe("core.[host].4711");
    expect(maskRunHosts("dropped ckpt/core.gpu-12.99: core dump")).toBe("dropped ckpt/core.[host].99: core dump");
    for (const t of ["core.4711", "src/core.py", "hub.core.utils"]) expect(maskRunHosts(t)).toBe(t);
  });

  it("is idempotent and leaves other text alone", () => {
    const once = maskRunHosts("a/Dec06_13-05-55_x/events.out.tfevents.1.y b/h_1.2.pt.trace.json core.h.3");
    expect(maskRunHosts(once)).toBe(once);
    for (const t of ["checkpoint-500/model.safetensors", "at 13-05-55_utc", "events.out.tfevents", "v1.2.3"])
      expect(maskRunHosts(t)).toBe(t);
  });

  it("applies to everything printed and published: renderSafeText and renderSafeJson", () => {
    const name = "runs/events.out.tfevents.1.advcanary-host.1.0";
    expect(renderSafeText(`dropped ${name}`)).not.toContain("advcanary-host");
    expect(renderSafeJson({ path: name, [name]: 1 })).not.toContain("advcanary-host");
  });
});
