import { test, expect } from "@playwright/test";
import { hydrated, signUp, uniqueEmail } from "./helpers.mjs";

test("add notification rules, send a test, and read the delivery log", async ({ page }) => {
  await signUp(page, { email: uniqueEmail("alerts"), org: "Alerting Co" });
  await page.goto("/settings/notifications");
  await hydrated(page);
  await expect(page.getByText("No rules yet")).toBeVisible();

  const form = page.getByTestId("new-rule");
  await form.getByLabel("Name").fill("On-call mail");
  await form.getByLabel("Send by").selectOption("email");
  await form.getByLabel(/^To/).fill("oncall@example.test, lead@example.test");
  await form.getByRole("button", { name: "Add rule" }).click();
  await expect(page.getByTestId("rule-created")).toContainText("On-call mail");
  await expect(page.getByTestId("rules")).toContainText("oncall@example.test, lead@example.test");

  // A webhook rule shows its signing secret once; a private address is refused.
  await form.getByLabel("Name").fill("Hook");
  await form.getByLabel("Send by").selectOption("webhook");
  await form.getByLabel(/^To/).fill("http://127.0.0.1:9/hook");
  await form.getByRole("button", { name: "Add rule" }).click();
  await expect(page.getByRole("alert")).toContainText("private network");
  await form.getByLabel(/^To/).fill("https://hooks.example.test/agente?token=abc");
  await form.getByRole("button", { name: "Add rule" }).click();
  await expect(page.getByTestId("rule-created").locator("code.secret")).toHaveText(/^whsec_/);
  await expect(page.getByTestId("rules")).toContainText("https://hooks.example.test/…");
  await expect(page.getByTestId("rules")).not.toContainText("token=abc");

  // The test message goes through the worker; this server has no SMTP, which the log says.
  await page.getByTestId("rules").getByRole("row", { name: /On-call mail/ }).getByRole("button", { name: "Send test" }).click();
  const log = page.getByTestId("deliveries");
  await expect(async () => {
    await page.getByRole("button", { name: "Refresh" }).click();
    await expect(log).toContainText("no SMTP server", { timeout: 1_000 });
  }).toPass({ timeout: 20_000 });
  await expect(log).toContainText("Test notification from Alerting Co");
  await expect(log.getByRole("button", { name: "Send again" })).toBeVisible();

  await page.getByTestId("rules").getByRole("row", { name: /On-call mail/ }).getByRole("button", { name: "Pause" }).click();
  await expect(page.getByTestId("rules").getByRole("row", { name: /On-call mail/ }).getByRole("button", { name: "Resume" })).toBeVisible();
});

test("the service worker shows a pushed message and opens its page", async ({ page, context }) => {
  await signUp(page, { email: uniqueEmail("push") });
  await page.goto("/settings/notifications");
  await hydrated(page);
  await expect(page.getByTestId("push-enable")).toHaveAttribute("data-push-enable", /^[A-Za-z0-9_-]{80,}$/);
  await context.grantPermissions(["notifications"]);
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  // Deliver a push message to the page's worker as a push service would (DevTools protocol).
  const cdp = await context.newCDPSession(page);
  const registration = new Promise((resolve) => {
    cdp.on("ServiceWorker.workerRegistrationUpdated", ({ registrations }) => {
      const mine = registrations.find((r) => !r.isDeleted && r.scopeURL.endsWith("/"));
      if (mine) resolve(mine.registrationId);
    });
  });
  await cdp.send("ServiceWorker.enable");
  const registrationId = await registration;
  const origin = new URL(page.url()).origin;
  await cdp.send("ServiceWorker.deliverPushMessage", {
    origin,
    registrationId,
    data: JSON.stringify({ title: "Workflow “Sync” failed", body: "HTTP 502", url: "/executions", tag: "execution.failed" }),
  });
  await expect(async () => {
    const shown = await page.evaluate(async () => {
      const reg = await navigator.serviceWorker.ready;
      return (await reg.getNotifications()).map((n) => ({ title: n.title, body: n.body, url: n.data && n.data.url }));
    });
    expect(shown).toEqual([{ title: "Workflow “Sync” failed", body: "HTTP 502", url: "/executions" }]);
  }).toPass({ timeout: 10_000 });
});
