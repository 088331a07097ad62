import { chromium } from "playwright-core";
const b = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--headless", "--disable-gpu"] });
const p = await b.newPage({ viewport: { width: 1280, height: 900 } });
for (const f of process.argv.slice(2)) {
  await p.goto("file://" + f);
  console.log(f, await p.evaluate(() => document.documentElement.scrollHeight));
}
await b.close();
