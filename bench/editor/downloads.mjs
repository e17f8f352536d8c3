// Per page, the /pkg/ files (JS, WASM) a fresh browser downloads until the page is live, with
// their compressed sizes as sent (brotli when the server has it). Each page is opened in a
// new browser context (empty cache, no service worker), signed in where it needs it.
// Usage (from bench/wasm_size.sh): node downloads.mjs BASE_URL
import { createRequire } from "node:module";

const { chromium } = createRequire(`${process.env.E2E_DIR}/`)("playwright-core");
const [base] = process.argv.slice(2);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu"],
});
const account = { email: `size-${Date.now()}@example.test`, password: "a long bench password", tenant_name: "Sizes" };
const setup = await browser.newContext({ baseURL: base });
const signup = await setup.request.post("/api/v1/auth/signup", { data: account });
if (!signup.ok()) throw new Error(`signup: ${signup.status()} ${await signup.text()}`);
const workflow = {
  name: "Sizes",
  nodes: [
    { name: "Start", type: "n8n-nodes-base.manualTrigger", typeVersion: 1, position: [0, 0], parameters: {} },
    { name: "Set", type: "n8n-nodes-base.set", typeVersion: 3.4, position: [220, 0], parameters: {} },
  ],
  connections: { Start: { main: [[{ node: "Set", type: "main", index: 0 }]] } },
};
const created = await setup.request.post("/api/v1/workflows", { data: workflow });
if (!created.ok()) throw new Error(`create: ${created.status()} ${await created.text()}`);
const { id } = await created.json();
const cookies = await setup.cookies();

const pages = [
  ["/login", false],
  ["/", true],
  ["/workflows", true],
  ["/executions", true],
  [`/workflows/${id}`, true],
  ["/workflows/new", true],
  [`/workflows/${id}/history`, true],
  ["/billing", true],
  ["/settings/members", true],
];
const rows = [];
for (const [path, signedIn] of pages) {
  const context = await browser.newContext({ baseURL: base, serviceWorkers: "block" });
  if (signedIn) await context.addCookies(cookies);
  const page = await context.newPage();
  // Sizes are read asynchronously: keep the promises and wait for all before summing.
  const pending = [];
  page.on("requestfinished", (request) => {
    const url = new URL(request.url());
    if (!url.pathname.startsWith("/pkg/") || url.pathname.endsWith(".css")) return;
    pending.push(request.sizes().then((sizes) => ({ file: url.pathname.slice(5), bytes: sizes.responseBodySize })));
  });
  await page.goto(path);
  // A refused session would measure the sign-in page under another name.
  if (new URL(page.url()).pathname !== path) throw new Error(`${path} went to ${page.url()}`);
  await page
    .waitForSelector('body[data-hydrated="true"]', { state: "attached", timeout: 30000 })
    .catch((e) => { throw new Error(`${path} did not hydrate: ${e.message}`); });
  await page.waitForLoadState("networkidle");
  const fetched = await Promise.all(pending);
  const total = fetched.reduce((sum, f) => sum + f.bytes, 0);
  rows.push({ page: path.replace(id, "{id}"), files: fetched.length, kb: +(total / 1000).toFixed(1) });
  await context.close();
}
await browser.close();
console.log("\nper page, fresh browser: /pkg/ JS+WASM as sent (KB, compressed)");
for (const r of rows) console.log(`${r.page.padEnd(28)} ${String(r.files).padStart(3)} files ${String(r.kb).padStart(9)} KB`);
