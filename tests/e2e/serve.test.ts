import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const BIN = resolve(import.meta.dirname, "../../dist/cli/bin.js");
let data: string;

beforeAll(async () => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run \`npm run build\` before the e2e tests`);
  data = await mkdtemp(join(tmpdir(), "serve-e2e-"));
});
afterAll(async () => {
  await rm(data, { recursive: true, force: true });
});

interface Served {
  child: ChildProcessWithoutNullStreams;
  lines: AsyncIterator<string>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

function serve(args: string[]): Served {
  const child = spawn(process.execPath, [BIN, "serve", "--data", data, ...args], { stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((done) =>
    child.on("close", (code, signal) => done({ code, signal, stderr })),
  );
  return { child, lines: createInterface({ input: child.stdout })[Symbol.asyncIterator](), exit };
}

async function nextLine(s: Served): Promise<string> {
  const r = await s.lines.next();
  if (r.done) throw new Error(`serve exited before printing a line: ${(await s.exit).stderr}`);
  return r.value;
}

describe("model-release serve", () => {
  let firstEnv: Record<string, string>;

  it("prints one JSON ready line, answers both APIs with the printed tokens, and exits 0 on SIGTERM", async () => {
    const s = serve(["--json", "--org", "acme"]);
    const ready = JSON.parse(await nextLine(s)) as {
      event: string;
      env: Record<string, string>;
      github: { uploadsUrl: string };
    };
    expect(ready.event).toBe("ready");
    expect(Object.keys(ready.env)).toEqual(["HF_ENDPOINT", "HF_TOKEN", "GITHUB_API_URL", "GITHUB_TOKEN"]);
    expect(ready.env.HF_TOKEN).toMatch(/^hf_/);
    expect(ready.env.GITHUB_TOKEN).toMatch(/^ghp_/);
    firstEnv = ready.env;

    const me = await fetch(`${ready.env.GITHUB_API_URL}/user`, {
      headers: { authorization: `token ${ready.env.GITHUB_TOKEN}` },
    });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { login: string }).login).toBe("local");
    // The user may create repositories in the organization given with --org.
    const repo = await fetch(`${ready.env.GITHUB_API_URL}/orgs/acme/repos`, {
      method: "POST",
      headers: { authorization: `token ${ready.env.GITHUB_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "robot-coder" }),
    });
    expect(repo.status).toBe(201);
    const whoami = await fetch(`${ready.env.HF_ENDPOINT}/api/whoami-v2`, {
      headers: { authorization: `Bearer ${ready.env.HF_TOKEN}` },
    });
    expect(whoami.status).toBe(200);

    s.child.kill("SIGTERM");
    expect(JSON.parse(await nextLine(s))).toEqual({ event: "stopped" });
    expect(await s.exit).toMatchObject({ code: 0, signal: null });
  });

  it("prints the same env block after a restart (tokens persist) and stops on SIGINT", async () => {
    const s = serve([]);
    const env: Record<string, string> = {};
    for (let i = 0; i < 4; i++) {
      // `export NAME=value`, so `eval "$(model-release serve)"` reaches child processes.
      const line = await nextLine(s);
      expect(line).toMatch(/^export [A-Z_]+=\S+$/);
      const [k, ...v] = line.slice("export ".length).split("=");
      env[k!] = v.join("=");
    }
    expect(env.HF_TOKEN).toBe(firstEnv.HF_TOKEN);
    expect(env.GITHUB_TOKEN).toBe(firstEnv.GITHUB_TOKEN);
    const repo = await fetch(`${env.GITHUB_API_URL}/repos/acme/robot-coder`, {
      headers: { authorization: `token ${env.GITHUB_TOKEN}` },
    });
    expect(repo.status).toBe(200);
    s.child.kill("SIGINT");
    expect(await s.exit).toMatchObject({ code: 0, signal: null });
  });

  it("injects the faults of a --faults file", async () => {
    const file = join(data, "faults.json");
    await writeFile(
      file,
      JSON.stringify({
        github: [{ path: "^/api/v3/user$", nth: 1, action: { kind: "status", status: 429, retryAfterSeconds: 7 } }],
      }),
    );
    const s = serve(["--json", "--faults", file, "--github-repo", "acme/vision", "--github-repo", "local/tools"]);
    const { env } = JSON.parse(await nextLine(s)) as { env: Record<string, string> };
    const headers = { authorization: `token ${env.GITHUB_TOKEN}` };
    const first = await fetch(`${env.GITHUB_API_URL}/user`, { headers });
    expect([first.status, first.headers.get("retry-after")]).toEqual([429, "7"]);
    expect((await fetch(`${env.GITHUB_API_URL}/user`, { headers })).status).toBe(200);
    for (const repo of ["acme/vision", "local/tools"]) {
      const r = await fetch(`${env.GITHUB_API_URL}/repos/${repo}`, { headers });
      expect([repo, r.status, ((await r.json()) as { permissions: { push: boolean } }).permissions.push]).toEqual([
        repo,
        200,
        true,
      ]);
    }
    s.child.kill("SIGTERM");
    expect((await s.exit).code).toBe(0);
  });

  it("refuses an invalid faults file with exit code 2 and the field at fault", async () => {
    const file = join(data, "bad-faults.json");
    await writeFile(file, JSON.stringify({ github: [{ path: "^/x$", action: { kind: "status", status: 404 } }] }));
    const s = serve(["--faults", file]);
    const { code, stderr } = await s.exit;
    expect(code).toBe(2);
    expect(stderr).toContain("CONFIG_INVALID");
    expect(stderr).toContain("github.0.action.status");
  });

  it("refuses a non-loopback --host unless --allow-remote, and a busy port as a usage error naming it", async () => {
    const remote = serve(["--host", "0.0.0.0"]);
    const refused = await remote.exit;
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("SERVE_NOT_LOOPBACK");
    expect(refused.stderr).toContain("--allow-remote");

    const first = serve(["--json", "--data", join(data, "busy-a")]);
    const { hub } = JSON.parse(await nextLine(first)) as { hub: { url: string } };
    const port = Number(new URL(hub.url).port);
    const second = serve(["--port", String(port), "--data", join(data, "busy-b")]);
    const busy = await second.exit;
    expect(busy.code).toBe(2);
    expect(busy.stderr).toContain("PORT_IN_USE");
    expect(busy.stderr).toContain(`port ${port}`);
    first.child.kill("SIGTERM");
    await first.exit;

    const open = serve(["--json", "--host", "0.0.0.0", "--allow-remote", "--data", join(data, "remote")]);
    const { env: remoteEnv } = JSON.parse(await nextLine(open)) as { env: Record<string, string> };
    // URLs the Hub mints use the address the client reached it by, not the wildcard it listens on.
    const reached = `http://127.0.0.1:${new URL(remoteEnv.HF_ENDPOINT!).port}`;
    const created = await fetch(`${reached}/api/repos/create`, {
      method: "POST",
      headers: { authorization: `Bearer ${remoteEnv.HF_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "m" }),
    });
    expect(((await created.json()) as { url: string }).url).toBe(`${reached}/local/m`);
    open.child.kill("SIGTERM");
    expect((await open.exit).stderr).toContain("printed tokens can write");
  });

  it("--config creates the Hub org, GitHub owner and GitHub repo a shipped config names", async () => {
    const config = resolve(import.meta.dirname, "../../release-configs/robot-coder.yaml");
    const s = serve(["--json", "--config", config, "--data", join(data, "configs")]);
    const { env } = JSON.parse(await nextLine(s)) as { env: Record<string, string> };
    const gh = await fetch(`${env.GITHUB_API_URL}/repos/robot-release/robot-coder`, {
      headers: { authorization: `token ${env.GITHUB_TOKEN}` },
    });
    expect([gh.status, ((await gh.json()) as { permissions: { push: boolean } }).permissions.push]).toEqual([
      200,
      true,
    ]);
    const hub = await fetch(`${env.HF_ENDPOINT}/api/repos/create`, {
      method: "POST",
      headers: { authorization: `Bearer ${env.HF_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "robot-coder", organization: "robot-release" }),
    });
    expect(hub.status).toBe(200);
    s.child.kill("SIGTERM");
    expect((await s.exit).code).toBe(0);
  });

  it("without --config or --org, says how to publish a shipped config", async () => {
    const s = serve(["--data", join(data, "plain")]);
    await nextLine(s);
    s.child.kill("SIGTERM");
    expect((await s.exit).stderr).toMatch(/restart with --config <release config> \(or --org\/--github-repo\)/);
  });
});
