// Measures the situations of issue 12 against the built CLI of a checkout and the local stand-ins.
// Usage: node bench/measure-release-guards.mjs [repo root, default this checkout]
// Prints one JSON line per situation: exit code(s), the message, and the state of both stand-ins.
// Not part of `npm run bench` (no timings): a before/after table for the issue, run by hand.
import { spawn } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { cp, mkdir, mkdtemp, readFile, readdir, writeFile } from "node:fs/promises";
import { createServer, request as httpRequest } from "node:http";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";

const ROOT = resolve(process.argv[2] ?? new URL("..", import.meta.url).pathname);
const BIN = join(ROOT, "dist/cli/bin.js");
const { startHubServer } = await import(join(ROOT, "dist/local/hub/start-hub-server.js"));
const { startGitHubServer } = await import(join(ROOT, "dist/local/github/start-github-server.js"));

const work = await mkdtemp(join(tmpdir(), "guards-measure-"));
const hub = await startHubServer({ dataDir: join(work, "hub") });
const gh = await startGitHubServer({ dataDir: join(work, "github") });
const { token: hfToken } = await hub.createUser({ name: "alice", orgs: ["acme"] });
gh.createAccount({ login: "alice" });
const ghToken = gh.ensureToken("alice");
const env = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  HF_ENDPOINT: hub.url,
  HF_TOKEN: hfToken,
  GITHUB_API_URL: gh.url,
  GITHUB_TOKEN: ghToken,
  MODEL_RELEASE_CACHE_DIR: join(work, "cache"),
};

function cli(args, opts = {}) {
  const child = spawn(process.execPath, [BIN, ...args], { env: opts.env ?? env, cwd: work });
  let stdout = "";
  let stderr = "";
  const started = Date.now();
  let signalledAt;
  child.stderr.on("data", (c) => (stderr += c));
  createInterface({ input: child.stdout }).on("line", (line) => {
    stdout += `${line}\n`;
    if (opts.signalWhen?.(line) && signalledAt === undefined) {
      signalledAt = Date.now();
      setTimeout(() => child.kill(opts.signal ?? "SIGINT"), opts.afterMs ?? 300);
      // The "needed SIGKILL": give up after 20 s.
      setTimeout(() => child.kill("SIGKILL"), 20_000).unref();
    }
  });
  return new Promise((done) =>
    child.on("close", (code, signal) =>
      done({
        code,
        signal,
        stdout,
        stderr,
        lastError:
          stderr
            .trim()
            .split("\n")
            .filter((l) => /^(error|interrupted)/.test(l))
            .at(-1) ?? "",
        stopMs: signalledAt ? Date.now() - signalledAt - (opts.afterMs ?? 300) : undefined,
        ms: Date.now() - started,
      }),
    ),
  );
}
const startOf = (step) => (l) => l.includes(`"step":"${step}","status":"start"`);

async function hubState(repo, tag) {
  const r = await fetch(`${hub.url}/api/models/${repo}/refs`, { headers: { authorization: `Bearer ${hfToken}` } });
  if (r.status !== 200) return "no repo";
  const refs = await r.json();
  return refs.tags.some((t) => t.name === tag) ? `tag ${tag}` : `no tag ${tag} (${refs.branches.length} branch)`;
}
async function ghState(repo, tag) {
  const r = await fetch(`${gh.url}/repos/${repo}/releases`, { headers: { authorization: `Bearer ${ghToken}` } });
  if (r.status !== 200) return `no repo (${r.status})`;
  const rel = (await r.json()).filter((x) => x.tag_name === tag);
  return rel.length === 0 ? "no release" : rel.map((x) => (x.draft ? "draft" : "PUBLIC release")).join("+");
}

const demo = await readFile(join(ROOT, "release-configs/demo.yaml"), "utf8");
const codeDir = join(ROOT, "samples/demo-code");
async function config(name, extra = (t) => t) {
  const file = join(work, `${name}.yaml`);
  await writeFile(
    file,
    extra(
      demo
        .replace(/^name: .*$/m, `name: ${name}`)
        .replaceAll("demo-org/robot-coder-demo", `acme/${name}`)
        .replace(/source: \.\.\/samples\/demo-code/, `source: ${codeDir}`)
        .replaceAll("../samples/", `${ROOT}/samples/`),
    ),
  );
  return file;
}
const out = (row) => console.log(JSON.stringify(row));

// Baseline: demo 1.0.0 published completely.
await gh.createRepo({ owner: "acme", name: "demo", members: ["alice"] });
const cfg = await config("demo");
const base = await cli(["release", "--config", cfg, "--version", "1.0.0", "--no-cache"]);
out({
  baseline: base.code,
  err: base.lastError,
  hub: await hubState("acme/demo", "v1.0.0"),
  gh: await ghState("acme/demo", "v1.0.0"),
});

// 1. An empty folder.
await mkdir(join(work, "empty"));
const b1 = await cli([
  "build",
  "--config",
  cfg,
  "--version",
  "2.0.0",
  "--checkpoint",
  join(work, "empty"),
  "--out",
  join(work, "s1"),
]);
const files1 = await readdir(join(work, "s1")).catch(() => []);
const p1 = b1.code === 0 ? await cli(["publish", join(work, "s1"), "--dry-run", "--config", cfg]) : undefined;
out({
  situation: 1,
  build: b1.code,
  files: files1.length,
  err: b1.lastError,
  dryRun: p1?.code,
  deletes: p1 ? p1.stdout.split("\n").filter((l) => /^ {2}- .*\.safetensors/.test(l)).length : 0,
  hub: await hubState("acme/demo", "v2.0.0"),
});

// 2. Weights that do not match config.json; a Qwen2.5-VL checkpoint with a Llama vision base model.
const ck2 = join(work, "ck2");
await cp(join(ROOT, "samples/demo-checkpoint"), ck2, { recursive: true });
const c2 = JSON.parse(await readFile(join(ck2, "config.json"), "utf8"));
await writeFile(
  join(ck2, "config.json"),
  JSON.stringify({ ...c2, hidden_size: c2.hidden_size * 2, num_hidden_layers: c2.num_hidden_layers + 4 }),
);
const b2a = await cli([
  "build",
  "--config",
  cfg,
  "--version",
  "2.1.0",
  "--checkpoint",
  ck2,
  "--out",
  join(work, "s2a"),
]);
const ck2b = join(work, "ck2b");
await cp(join(ROOT, "samples/demo-checkpoint"), ck2b, { recursive: true });
await writeFile(
  join(ck2b, "config.json"),
  JSON.stringify({ ...c2, model_type: "qwen2_5_vl", architectures: ["Qwen2_5_VLForConditionalGeneration"] }),
);
const cfg2b = await config("demo", (t) =>
  t
    .replace(/^base_model: .*$/m, "base_model: meta-llama/Llama-3.2-90B-Vision-Instruct")
    .replace(/^license: .*$/m, "license: llama3.2")
    // The Llama licence wants the model name to start with "Llama": isolate the family check.
    .replaceAll("acme/demo", "acme/Llama-demo")
    .replace(/^ {2}allow_findings:\n(?: {4}.*\n)+/m, ""),
);
const b2b = await cli([
  "build",
  "--config",
  cfg2b,
  "--version",
  "2.2.0",
  "--checkpoint",
  ck2b,
  "--out",
  join(work, "s2b"),
]);
out({ situation: "2a shapes", build: b2a.code, err: b2a.lastError });
out({
  situation: "2b family",
  build: b2b.code,
  err: b2b.stderr.trim().split("\n").slice(0, 4).join(" / ").slice(0, 300),
});

// 3. Ctrl-C during the Hub commit, during the GitHub draft; SIGTERM during the GitHub step.
const cfg3 = await config("demo");
for (const [label, version, rule, step, signal] of [
  ["3a SIGINT in hub commit", "1.1.0", { target: hub, method: "POST", path: "/commit/" }, "hub-commit", "SIGINT"],
  ["3b SIGINT in github draft", "1.2.0", { target: gh, method: "POST", path: "/releases$" }, "github-draft", "SIGINT"],
  [
    "3c SIGTERM in github draft",
    "1.3.0",
    { target: gh, method: "POST", path: "/releases$" },
    "github-draft",
    "SIGTERM",
  ],
]) {
  const dir = join(work, `s3-${version}`);
  const b = await cli(["build", "--config", cfg3, "--version", version, "--out", dir]);
  rule.target.faults.setRules([{ method: rule.method, path: rule.path, action: { kind: "delay", ms: 4000 } }]);
  const r = await cli(["publish", dir, "--config", cfg3, "--json"], {
    signalWhen: startOf(step),
    signal,
    afterMs: 500,
  });
  rule.target.faults.setRules([]);
  await new Promise((d) => setTimeout(d, 4500));
  const hubAfter = await hubState("acme/demo", `v${version}`);
  const ghAfter = await ghState("acme/demo", `v${version}`);
  const again = await cli(["publish", dir, "--config", cfg3]);
  out({
    situation: label,
    build: b.code,
    exit: r.code ?? r.signal,
    stopMs: r.stopMs,
    err: r.lastError.slice(0, 160),
    hubAfter,
    ghAfter,
    rerun: again.code,
    ghAfterRerun: await ghState("acme/demo", `v${version}`),
  });
}

// 4. Publishing without --config to an empty GitHub repository.
await gh.createRepo({ owner: "acme", name: "demo4", members: ["alice"] });
const cfg4 = await config("demo4");
const b4 = await cli(["build", "--config", cfg4, "--version", "1.0.0", "--out", join(work, "s4")]);
const p4 = await cli(["publish", join(work, "s4")]);
out({
  situation: 4,
  build: b4.code,
  exit: p4.code,
  err: p4.lastError,
  hub: await hubState("acme/demo4", "v1.0.0"),
  gh: await ghState("acme/demo4", "v1.0.0"),
});

// 5. pull --to a folder with the user's README.md; a folder with an unrelated file.
const to5 = join(work, "pull5");
await mkdir(to5);
await writeFile(join(to5, "README.md"), "my own notes\n");
const p5a = await cli(["pull", "acme/demo@1.0.0", "--to", to5]);
const readme = await readFile(join(to5, "README.md"), "utf8");
const to5b = join(work, "pull5b");
await mkdir(to5b);
await writeFile(join(to5b, "notes.txt"), "unrelated\n");
const p5b = await cli(["pull", "acme/demo@1.0.0", "--to", to5b]);
out({
  situation: "5a README",
  exit: p5a.code,
  readmeKept: readme === "my own notes\n",
  err: p5a.lastError.slice(0, 200),
});
out({
  situation: "5b unrelated",
  exit: p5b.code,
  files: (await readdir(to5b)).length,
  err: p5b.lastError.slice(0, 240),
});

// 6. Behind a proxy: a counting HTTP/CONNECT proxy on loopback.
let proxied = 0;
const proxy = createServer((req, res) => {
  proxied++;
  const u = new URL(req.url);
  const up = httpRequest(
    { host: u.hostname, port: u.port, path: u.pathname + u.search, method: req.method, headers: req.headers },
    (r) => {
      res.writeHead(r.statusCode, r.headers);
      r.pipe(res);
    },
  );
  req.pipe(up);
});
proxy.on("connect", (req, sock, head) => {
  proxied++;
  const [h, p] = req.url.split(":");
  const up = connect(Number(p), h, () => {
    sock.write("HTTP/1.1 200 Connection Established\r\n\r\n");
    up.write(head);
    up.pipe(sock);
    sock.pipe(up);
  });
});
await new Promise((d) => proxy.listen(0, "127.0.0.1", d));
const purl = `http://127.0.0.1:${proxy.address().port}`;
const p6 = await cli(["pull", "acme/demo@1.0.0", "--to", join(work, "pull6")], {
  env: { ...env, HTTP_PROXY: purl, HTTPS_PROXY: purl, NO_PROXY: "" },
});
const pulled = proxied;
const cfg6 = await config("demo");
const b6 = await cli(["build", "--config", cfg6, "--version", "1.4.0", "--out", join(work, "s6")]);
const r6 = await cli(["publish", join(work, "s6"), "--config", cfg6], {
  env: { ...env, http_proxy: purl, https_proxy: purl },
});
out({
  situation: 6,
  pull: p6.code,
  pullRequestsViaProxy: pulled,
  publish: r6.code,
  build: b6.code,
  publishRequestsViaProxy: proxied - pulled,
  err: r6.lastError,
});
proxy.close();

// 7. A signed bundle whose signature does not cover it (model.sig of another build).
const pem = generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey.export({ type: "pkcs8", format: "pem" });
const keyEnv = { ...env, MODEL_RELEASE_SIGNING_KEY: pem };
const cfg7 = await config("demo");
const s7 = join(work, "s7");
const s7other = join(work, "s7other");
const b7 = await cli(["build", "--config", cfg7, "--version", "1.5.0", "--out", s7], { env: keyEnv });
await cli(["build", "--config", cfg7, "--version", "1.6.0", "--out", s7other], { env: keyEnv });
await cp(join(s7other, "model.sig"), join(s7, "model.sig"));
const p7 = await cli(["publish", s7, "--config", cfg7]);
out({
  situation: 7,
  build: b7.code,
  exit: p7.code,
  err: p7.lastError.slice(0, 200),
  hub: await hubState("acme/demo", "v1.5.0"),
  gh: await ghState("acme/demo", "v1.5.0"),
});

// Journal: a bundle whose journal says "done", published to a brand-new stand-in.
const hub2 = await startHubServer({ dataDir: join(work, "hub2") });
const { token: hf2 } = await hub2.createUser({ name: "alice", orgs: ["acme"] });
const j = await cli(["publish", join(work, "s4"), "--to", "hf", "--config", cfg4]); // completes the Hub side on the first stand-in
const j2 = await cli(["publish", join(work, "s4"), "--to", "hf", "--config", cfg4], {
  env: { ...env, HF_ENDPOINT: hub2.url, HF_TOKEN: hf2 },
});
const fresh = await fetch(`${hub2.url}/api/models/acme/demo4/refs`, { headers: { authorization: `Bearer ${hf2}` } });
out({
  situation: "journal",
  first: j.code,
  freshServer: j2.code,
  freshRepo: fresh.status === 200 ? "created" : "missing",
});
await hub2.close();

await hub.close();
await gh.close();
