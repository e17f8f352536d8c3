// The editor with large workflows in headless Chromium: time from navigation to a drawn,
// hydrated canvas, frames per second while a node is dragged, and the JS heap after opening.
// Each size is a generated chain of Set nodes with a few IF branches, laid out as n8n would.
// Usage (from bench/editor.sh): node canvas.mjs BASE_URL SIZE...
import { createRequire } from "node:module";

// playwright-core comes from the browser tests' packages (end2end/node_modules).
const { chromium } = createRequire(`${process.env.E2E_DIR}/`)("playwright-core");

const [base, ...sizes] = process.argv.slice(2);
const runs = Number(process.env.RUNS || 3);

function workflow(n) {
  const nodes = [{ name: "Start", type: "n8n-nodes-base.manualTrigger", typeVersion: 1, position: [0, 0], parameters: {} }];
  const connections = {};
  const perRow = 40;
  for (let i = 1; i < n; i++) {
    const isIf = i % 10 === 0;
    nodes.push({
      name: `Step ${i}`,
      type: isIf ? "n8n-nodes-base.if" : "n8n-nodes-base.set",
      typeVersion: isIf ? 2 : 3.4,
      position: [(i % perRow) * 220, Math.floor(i / perRow) * 200],
      parameters: isIf ? {} : { assignments: { assignments: [{ name: `f${i}`, value: `={{ $json.f${i - 1} ?? ${i} }}`, type: "string" }] } },
    });
    const from = nodes[i - 1].name;
    connections[from] = { main: [[{ node: `Step ${i}`, type: "main", index: 0 }]] };
  }
  return { name: `Bench ${n}`, nodes, connections, settings: { executionOrder: "v1" } };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--enable-precise-memory-info"],
});
const context = await browser.newContext({ baseURL: base, viewport: { width: 1400, height: 900 } });
const page = await context.newPage();
const email = `bench-${Date.now()}@example.test`;
const signup = await page.request.post("/api/v1/auth/signup", { data: { email, password: "a long bench password", tenant_name: "Bench" } });
if (!signup.ok()) throw new Error(`signup: ${signup.status()} ${await signup.text()}`);

const rows = [];
for (const size of sizes.map(Number)) {
  const created = await page.request.post("/api/v1/workflows", { data: workflow(size) });
  if (!created.ok()) throw new Error(`create ${size}: ${created.status()} ${await created.text()}`);
  const { id } = await created.json();
  const open = [], fps = [], heap = [];
  let drawn = 0;
  for (let r = 0; r < runs; r++) {
    const t0 = Date.now();
    await page.goto(`/workflows/${id}`);
    await page.waitForSelector('body[data-hydrated="true"]');
    await page.waitForSelector('g.node[data-node="Start"]');
    open.push(Date.now() - t0);
    heap.push(await page.evaluate(() => performance.memory.usedJSHeapSize / 1048576));
    // Drag the first node for about a second, counting animation frames meanwhile.
    const start = page.locator('g.node[data-node="Start"]');
    const before = await start.getAttribute("transform");
    const box = await start.locator(".node-body").boundingBox();
    await page.evaluate(() => {
      window.__frames = 0;
      const tick = () => { window.__frames++; window.__raf = requestAnimationFrame(tick); };
      window.__raf = requestAnimationFrame(tick);
      window.__t0 = performance.now();
    });
    const [cx, cy] = [box.x + box.width / 2, box.y + box.height / 2];
    await page.mouse.move(cx, cy);
    await page.mouse.down();
    for (let s = 1; s <= 60; s++) {
      await page.mouse.move(cx + s * 4, cy + (s % 20) * 3);
      await page.waitForTimeout(16);
    }
    await page.mouse.up();
    // A drag that moved nothing would measure an idle page.
    if ((await start.getAttribute("transform")) === before) {
      const hit = await page.evaluate(([x, y]) => document.elementFromPoint(x, y)?.outerHTML.slice(0, 120), [cx, cy]);
      throw new Error(`${size} nodes: the drag did not move the node (${JSON.stringify(box)} ${hit})`);
    }
    drawn = await page.locator("g.node").count();
    fps.push(await page.evaluate(() => {
      cancelAnimationFrame(window.__raf);
      return (window.__frames * 1000) / (performance.now() - window.__t0);
    }));
    // Leave nothing unsaved behind (the draft banner would change the next open).
    await page.evaluate(() => localStorage.clear());
  }
  rows.push({ size, open: median(open), fps: median(fps), heap: median(heap), drawn });
}
await browser.close();

const base_row = rows[0];
console.log(`${"nodes".padStart(6)} ${"drawn".padStart(6)} ${"open ms".padStart(8)} ${"x base".padStart(7)} ${"drag fps".padStart(9)} ${"heap MB".padStart(8)} ${"x base".padStart(7)}`);
for (const r of rows) {
  console.log(
    `${String(r.size).padStart(6)} ${String(r.drawn).padStart(6)} ${r.open.toFixed(0).padStart(8)} ${(r.open / base_row.open).toFixed(2).padStart(7)} ` +
      `${r.fps.toFixed(1).padStart(9)} ${r.heap.toFixed(1).padStart(8)} ${(r.heap / base_row.heap).toFixed(2).padStart(7)}`,
  );
}
