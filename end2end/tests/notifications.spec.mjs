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

test("set the workspace's e-mail server and reword a message", async ({ page }) => {
  await signUp(page, { email: uniqueEmail("smtp") });
  await page.goto("/settings/notifications");
  await hydrated(page);
  const smtp = page.getByTestId("smtp-settings");
  await expect(smtp).toContainText("No e-mail server yet");
  await smtp.getByLabel("Host").fill("smtp.example.test");
  await smtp.getByLabel("Port").fill("2525");
  await smtp.getByLabel("Security").selectOption("tls");
  await smtp.getByLabel("Username").fill("mailer");
  await smtp.getByLabel("Password").fill("a secret password");
  await smtp.getByLabel("From", { exact: true }).fill("Acme Alerts <alerts@acme.test>");
  await smtp.getByRole("button", { name: "Save e-mail server" }).click();
  await expect(smtp).toContainText("go through this server");
  await expect(smtp.getByLabel(/stored; leave empty to keep it/)).toHaveValue("");
  await expect(smtp.getByLabel("Security")).toHaveValue("tls");
  await expect(smtp.getByLabel("Port")).toHaveValue("2525");

  const templates = page.getByTestId("templates");
  const failed = templates.locator("details").filter({ hasText: "A production execution failed" });
  const open = () => failed.evaluate((d) => { d.open = true; });
  await open();
  await failed.getByLabel("Subject").fill("{{ workflow.name ");
  await failed.getByRole("button", { name: "Save template" }).click();
  await expect(templates.getByRole("alert")).toContainText("does not render");
  await open();
  await failed.getByLabel("Subject").fill("[{{ workspace }}] {{ workflow.name }} needs you");
  await failed.getByRole("button", { name: "Save template" }).click();
  await expect(templates).toContainText("A production execution failed (yours)");
});
