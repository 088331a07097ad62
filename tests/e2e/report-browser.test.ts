import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCliSync } from "./helpers/run-cli.js";

/**
 * The review page in a real browser: Debian's chromium, driven by playwright-core. CI installs
 * chromium (.ci/run) and this test fails there without it; elsewhere it skips with a message.
 */
const REPO = path.resolve(import.meta.dirname, "..", "..");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const SCREENSHOTS = path.join(REPO, "test-results");
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && process.env.CI === "true")
  throw new Error(`${CHROMIUM} is missing: CI must install Debian's chromium (see .ci/run)`);
if (!haveChromium)
  console.warn(
    `skipping the review page browser test: no chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`,
  );

let work: string;
beforeAll(async () => {
  if (!haveChromium) return;
  work = await mkdtemp(path.join(os.tmpdir(), "mr-browser-"));
});
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

function cli(args: string[], env: Record<string, string> = {}) {
  const r = runCliSync(args, { cwd: REPO, env: { ...process.env, XDG_CACHE_HOME: path.join(work, "cache"), ...env } });
  if (r.code !== 0) throw new Error(`model-release ${args.join(" ")} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

describe.skipIf(!haveChromium)("report.html in headless Chromium", () => {
  it("shows every section, loads nothing from the network, logs no console error, and is screenshotted", async () => {
    const { generateKeyPairSync } = await import("node:crypto");
    const { writeFile } = await import("node:fs/promises");
    const keyFile = path.join(work, "signing-key.pem");
    await writeFile(
      keyFile,
      generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey.export({ type: "pkcs8", format: "pem" }),
    );
    const v1 = path.join(work, "v1");
    const v2 = path.join(work, "v2");
    cli(["build", "--config", "release-configs/demo.yaml", "--version", "1.0.0", "--out", v1, "--unsigned"]);
    cli([
      "build",
      "--config",
      "release-configs/demo.yaml",
      "--version",
      "1.1.0",
      "--out",
      v2,
      "--signing-key",
      keyFile,
      "--previous",
      v1,
    ]);

    const { chromium } = await import("playwright-core");
    const profile = await mkdtemp(path.join(os.tmpdir(), "mr-chromium-"));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      // Without the background-networking flags chromium keeps calling home on a closed network.
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
      viewport: { width: 1280, height: 900 },
    });
    try {
      const page = await context.newPage();
      const consoleErrors: string[] = [];
      const requests: string[] = [];
      page.on("console", (m) => {
        if (m.type() === "error" || m.type() === "warning") consoleErrors.push(`${m.type()}: ${m.text()}`);
      });
      page.on("pageerror", (e) => consoleErrors.push(`pageerror: ${e.message}`));
      page.on("request", (r) => requests.push(r.url()));
      const url = pathToFileURL(path.join(v2, "report.html")).href;
      const response = await page.goto(url, { waitUntil: "load" });
      expect(response?.ok()).toBe(true);

      expect(await page.title()).toBe("Release review: demo 1.1.0");
      const ids = await page.$$eval("main > section", (els) => els.map((e) => e.id));
      expect(ids).toEqual(["summary", "inventory", "files", "findings", "evaluation", "card", "changes"]);
      const nav = await page.$$eval("nav a", (els) => els.map((e) => e.getAttribute("href")));
      expect(nav).toEqual(ids.map((id) => `#${id}`));
      for (const id of ids) expect(await page.locator(`#${id}`).isVisible()).toBe(true);

      // biome-ignore-start lint/performance/useDomNodeTextContent: Playwright's Locator.innerText(), not the DOM property; the rendered text is what a reader sees.
      expect(await page.locator("#summary").innerText()).toMatch(/ready to publish|blocked/);
      expect(await page.locator("#summary").innerText()).toContain("model.pub");
      const inventory = await page.locator("#inventory").innerText();
      expect(inventory).toContain("147,776");
      expect(inventory).toContain("model-00001-of-00002.safetensors");
      const files = await page.locator("#files").innerText();
      expect(files).toContain("optimizer.pt");
      expect(files).toContain("Dropped (4)");
      expect(await page.locator("#evaluation svg").count()).toBe(1);
      // The card's chart image is embedded as data: and actually decodes.
      expect(
        await page
          .locator("#card img")
          .evaluateAll((imgs) => imgs.map((i) => (i as unknown as { naturalWidth: number }).naturalWidth > 0)),
      ).toEqual([true]);
      expect(await page.locator("#card article.card h1").first().innerText()).toContain("robot-coder-demo 1.1.0");
      // Long blocks are collapsed: the metadata YAML opens on a click.
      expect(await page.locator("#card-metadata pre").isVisible()).toBe(false);
      await page.locator("#card-metadata > summary").click();
      expect(await page.locator("#card-metadata pre").innerText()).toContain("license: apache-2.0");
      // GitHub/Hub alert callouts render as callouts, not as `> [!WARNING]` text.
      const card = await page.locator("#card article.card").innerText();
      expect(card).not.toMatch(/\[!(NOTE|TIP|IMPORTANT|WARNING|CAUTION)\]/);
      expect(await page.locator("#card .callout-warning .callout-title").first().innerText()).toBe("Warning");
      expect(await page.locator("#card .callout-important").count()).toBeGreaterThan(0);
      // The table of contents: every link lands on an element of the page, the card's sections included.
      const tocLinks = await page.$$eval("#toc a", (els) => els.map((e) => e.getAttribute("href") ?? ""));
      expect(tocLinks.slice(0, ids.length + 1)).toContain("#card");
      expect(tocLinks.filter((h) => h.startsWith("#card-")).length).toBeGreaterThan(3);
      for (const href of tocLinks) expect(await page.locator(href).count(), href).toBe(1);
      const target = tocLinks.find((h) => h.startsWith("#card-"))!;
      await page.locator(`#toc a[href="${target}"]`).click();
      expect(new URL(page.url()).hash).toBe(target);
      expect(await page.locator(target).isVisible()).toBe(true);
      const changes = await page.locator("#changes").innerText();
      // biome-ignore-end lint/performance/useDomNodeTextContent: see above
      expect(changes).toContain("Changes since 1.0.0");
      expect(changes).toMatch(/[+−±]\d+\.\d pp/);
      expect(changes).not.toMatch(/\b0\.\d{4}\b/);
      await page.locator("#changes-card > summary").click();
      expect(await page.locator("#changes pre.diff span.add").count()).toBeGreaterThan(0);
      // The CSP forbids scripts: the page must not have tried to run one (a violation logs an error).
      expect(await page.locator("script").count()).toBe(0);

      await mkdir(SCREENSHOTS, { recursive: true });
      const shot = path.join(SCREENSHOTS, "report.png");
      await page.screenshot({ path: shot, fullPage: true });
      await page.screenshot({ path: path.join(SCREENSHOTS, "report-top.png") });
      await page.locator("#changes").scrollIntoViewIfNeeded();
      await page.screenshot({ path: path.join(SCREENSHOTS, "report-changes.png") });
      expect(existsSync(shot)).toBe(true);

      expect(consoleErrors).toEqual([]);
      expect(requests).toEqual([url]);
    } finally {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    }
  });
});
