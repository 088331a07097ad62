import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { downloadFile } from "@huggingface/hub";
import type { HubClient } from "./hub-publisher.js";
import { translateRemoteError } from "./translate-remote-error.js";
import type { ReleaseBundle } from "./types.js";

/**
 * The architecture (`architectures[0]` and `model_type` of config.json) at the Hub repo's head
 * and in the bundle, when both are known and differ: publishing it needs an explicit flag.
 */
export async function fetchArchitectureChange(
  hub: HubClient,
  params: { bundle: ReleaseBundle; head: string },
): Promise<{ from: string; to: string } | undefined> {
  const { bundle } = params;
  const local = await readFile(join(bundle.dir, "config.json"), "utf8").catch(() => undefined);
  const mine = local ? architectureOf(local) : undefined;
  if (!mine) return undefined;
  const theirs = await fetchHubFileText(hub, {
    repo: bundle.manifest.hub.repo,
    repoType: bundle.manifest.hub.repoType,
    path: "config.json",
    revision: params.head,
  });
  const remote = theirs ? architectureOf(theirs) : undefined;
  return remote && mine !== remote ? { from: remote, to: mine } : undefined;
}

async function fetchHubFileText(
  hub: HubClient,
  p: { repo: string; repoType: ReleaseBundle["manifest"]["hub"]["repoType"]; path: string; revision: string },
): Promise<string | undefined> {
  try {
    const blob = await downloadFile({
      repo: { type: p.repoType, name: p.repo },
      path: p.path,
      revision: p.revision,
      hubUrl: hub.hubUrl,
      fetch: hub.fetch,
      xet: false,
      accessToken: hub.accessToken || undefined,
    });
    return blob ? await blob.text() : undefined;
  } catch (err) {
    throw translateRemoteError(err, {
      service: "hub",
      action: `download ${p.path} of`,
      target: `${p.repo}@${p.revision}`,
    });
  }
}

function architectureOf(configJson: string): string | undefined {
  try {
    const c = JSON.parse(configJson) as { architectures?: unknown; model_type?: unknown };
    const arch =
      Array.isArray(c.architectures) && typeof c.architectures[0] === "string" ? c.architectures[0] : undefined;
    const type = typeof c.model_type === "string" ? c.model_type : undefined;
    if (!arch && !type) return undefined;
    return [arch, type && `(${type})`].filter(Boolean).join(" ");
  } catch {
    return undefined;
  }
}
