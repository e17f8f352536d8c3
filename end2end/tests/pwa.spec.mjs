import { test, expect, chromium } from "@playwright/test";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { hydrated, signUp, uniqueEmail } from "./helpers.mjs";

// Installability is judged only outside incognito, so this test uses a persistent profile.
test("Chromium reports the app installable", async ({ baseURL }, testInfo) => {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "agente-pwa-"));
  const context = await chromium.launchPersistentContext(profile, { ...testInfo.project.use.launchOptions, baseURL });
  try {
    const page = await context.newPage();
    await page.goto("/login");
    await hydrated(page);
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    const cdp = await context.newCDPSession(page);
    const { installabilityErrors } = await cdp.send("Page.getInstallabilityErrors");
    expect(installabilityErrors).toEqual([]);
    const manifest = await (await page.request.get("/manifest.webmanifest")).json();
    expect(manifest.icons.some((i) => i.purpose === "maskable")).toBeTruthy();
  } finally {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
});

test("offline navigation falls back to the offline page", async ({ page, context }) => {
  await page.goto("/login");
  await hydrated(page);
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  await page.reload(); // now controlled by the worker
  // On a loaded machine control can come a moment after the reload: wait for it.
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  await context.setOffline(true);
  await page.goto("/signup");
  await expect(page.getByRole("heading", { name: "You are offline" })).toBeVisible();
  await context.setOffline(false);
});

test("hashed assets are immutable and precompressed", async ({ page, request }) => {
  await page.goto("/login");
  const css = await page.locator("link#leptos").getAttribute("href");
  expect(css).toMatch(/^\/pkg\/agente\.[\w-]+\.css$/);
  const res = await request.get(css, { headers: { "Accept-Encoding": "br" } });
  expect(res.status()).toBe(200);
  expect(res.headers()["cache-control"]).toContain("immutable");
  expect(res.headers()["content-encoding"]).toBe("br");
});

test("on a phone the navigation sits at the bottom", async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  await signUp(page, { email: uniqueEmail("phone") });
  const nav = page.getByRole("navigation", { name: "Main" });
  const box = await nav.boundingBox();
  expect(box.y + box.height).toBeGreaterThan(780);
  await nav.getByText("Settings").tap();
  await expect(page).toHaveURL(/\/settings\/members$/);
  await expect(page.getByTestId("members")).toBeVisible();
  // Nothing spills sideways: wide tables scroll inside their card, log-out stays reachable.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await expect(page.getByTestId("logout")).toBeInViewport();
  await context.close();
});
