// A tenant's webhook page, opened by a signed-in user in a real browser, cannot act as the
// app: its script runs in an opaque origin (no cookies, storage or service worker of the
// app; its requests are another site's), and the app's service worker never serves or
// keeps webhook answers.
import { test, expect } from "@playwright/test";
import { hydrated, signUp, uniqueEmail } from "./helpers.mjs";

const PAGE = `<!doctype html><p id="out">running</p><script>
const seen = { origin: self.origin };
const attempt = (name, f) => { try { seen[name] = f(); } catch (e) { seen[name] = "blocked: " + e.name; } };
attempt("cookie", () => document.cookie);
attempt("storage", () => { localStorage.setItem("planted", "1"); return "open"; });
attempt("serviceWorker", () => (navigator.serviceWorker ? "present" : "absent"));
fetch("/api/v1/api-keys", { method: "POST", credentials: "include",
  headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "stolen", role: "owner" }) })
  .then((res) => String(res.status), () => "failed")
  .then((minted) => { seen.mint = minted; document.getElementById("out").textContent = JSON.stringify(seen); });
</script>`;

test("a webhook page cannot use the signed-in user's session or the service worker", async ({ page }) => {
  await signUp(page, { email: uniqueEmail("webhook-victim") });
  // The app's service worker is in control before the webhook is opened.
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));

  const path = `page-${Date.now()}`;
  const workflow = {
    name: "Hostile page",
    nodes: [
      { name: "Hook", type: "n8n-nodes-base.webhook", typeVersion: 2, webhookId: path, position: [0, 0],
        parameters: { httpMethod: "GET", path, responseMode: "responseNode" } },
      { name: "Respond", type: "n8n-nodes-base.respondToWebhook", typeVersion: 1.1, position: [240, 0],
        parameters: { respondWith: "text", responseBody: PAGE,
          options: { responseHeaders: { entries: [
            { name: "content-type", value: "text/html; charset=utf-8" },
            { name: "set-cookie", value: "agente_access=planted; Path=/" },
          ] } } } },
    ],
    connections: { Hook: { main: [[{ node: "Respond", type: "main", index: 0 }]] } },
  };
  const created = await page.request.post("/api/v1/workflows", { data: workflow });
  expect(created.status()).toBe(200);
  const { id } = await created.json();
  expect((await page.request.post(`/api/v1/workflows/${id}/activate`)).status()).toBe(200);

  const answer = await page.goto(`/webhook/${path}`);
  expect(answer.headers()["content-security-policy"]).toBe("sandbox allow-scripts allow-forms");
  await expect(page.locator("#out")).not.toHaveText("running");
  const seen = JSON.parse(await page.locator("#out").textContent());
  expect(seen.origin).toBe("null");
  expect(seen.cookie).toMatch(/^blocked/);
  expect(seen.storage).toMatch(/^blocked/);
  expect(seen.serviceWorker).not.toBe("present");
  expect(["failed", "403"]).toContain(seen.mint);

  // Back in the app: no key was made, the session is the user's own, and no webhook
  // answer sits in the service worker's caches.
  await page.goto("/");
  await hydrated(page);
  const keys = await (await page.request.get("/api/v1/api-keys")).json();
  expect(JSON.stringify(keys)).not.toContain("stolen");
  const cookies = await page.context().cookies();
  expect(cookies.find((c) => c.name === "agente_access")?.value).not.toBe("planted");
  const cached = await page.evaluate(async () => {
    const urls = [];
    for (const name of await caches.keys()) {
      for (const request of await (await caches.open(name)).keys()) urls.push(request.url);
    }
    return urls;
  });
  expect(cached.filter((u) => u.includes("/webhook"))).toEqual([]);
});
