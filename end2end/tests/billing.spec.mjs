import { test, expect } from "@playwright/test";
import { hydrated, logIn, signUp, uniqueEmail } from "./helpers.mjs";

test("see the plan and its use, upgrade, cancel at period end and keep the plan", async ({ page }) => {
  await signUp(page, { email: uniqueEmail("billing"), org: "Billing Co" });
  await page.getByRole("link", { name: "Billing" }).click();
  await expect(page).toHaveURL(/\/billing$/);
  await hydrated(page);

  const current = page.getByTestId("current-plan");
  await expect(current.getByRole("heading")).toHaveText("Free plan");
  const usage = page.getByTestId("usage");
  await expect(usage.locator('[data-meter="Executions"]')).toContainText("0 of 1,000");
  await expect(usage.locator('[data-meter="Members"]')).toContainText("1 of 2");
  await expect(usage.getByRole("progressbar", { name: "Members" })).toHaveAttribute("aria-valuenow", "50");

  const plans = page.getByTestId("plans");
  await expect(plans.locator("[data-plan]")).toHaveCount(4);
  await expect(plans.locator('[data-plan="free"]')).toContainText("Your plan");
  await plans.getByRole("button", { name: "Upgrade to Pro" }).click();
  await expect(current.getByRole("heading")).toHaveText("Pro plan");
  await expect(usage.locator('[data-meter="Executions"]')).toContainText("0 of 10,000");
  await expect(plans.locator('[data-plan="pro"]')).toContainText("Your plan");
  await expect(plans.getByRole("button", { name: "Downgrade to Free" })).toBeVisible();

  await current.getByRole("button", { name: "Cancel at period end" }).click();
  await expect(page.getByTestId("cancel-notice")).toContainText("then the Free plan applies");
  await current.getByRole("button", { name: "Keep my plan" }).click();
  await expect(page.getByTestId("cancel-notice")).toHaveCount(0);

  // The revenue report is the operator's (the installation's first account), not a tenant's.
  await expect(page.getByTestId("revenue")).toHaveCount(0);

  // The page survives a reload (server-rendered) with the new plan.
  await page.reload();
  await hydrated(page);
  await expect(current.getByRole("heading")).toHaveText("Pro plan");
});

test("plan cards stack in one column on a phone", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await signUp(page, { email: uniqueEmail("phone-billing"), org: "Pocket Co" });
  await page.goto("/billing");
  await hydrated(page);
  const cards = page.getByTestId("plans").locator("[data-plan]");
  await expect(cards).toHaveCount(4);
  const first = await cards.nth(0).boundingBox();
  const second = await cards.nth(1).boundingBox();
  expect(second.y).toBeGreaterThan(first.y + first.height - 1);
  expect(Math.abs(second.x - first.x)).toBeLessThan(2);
  // Nothing scrolls sideways.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
});

/** The installation's operator: scripts/test.sh signs it up first, before any test. */
function operator() {
  const email = process.env.AGENTE_E2E_OPERATOR_EMAIL;
  if (!email) throw new Error("AGENTE_E2E_OPERATOR_EMAIL is not set (scripts/test.sh signs the operator up)");
  return { email, password: process.env.AGENTE_E2E_OPERATOR_PASSWORD };
}

test("an operator edits a plan and tenants see it; bad values are refused with the field's name", async ({ page }) => {
  await logIn(page, operator());
  await page.goto("/billing");
  await hydrated(page);
  await page.getByTestId("revenue").getByRole("link", { name: "Edit plans" }).click();
  await expect(page).toHaveURL(/\/billing\/plans$/);
  await hydrated(page);

  const pro = page.getByTestId("plan-editor").locator('[data-plan="pro"]');
  await pro.locator("summary").click();
  const price = pro.getByLabel("Price per month");
  await expect(price).toHaveValue("24.00");
  await pro.getByLabel("Members").fill("two");
  await pro.getByRole("button", { name: "Save plan" }).click();
  await expect(page.locator(".alert-error")).toContainText("Members: `two` is not a whole number");

  await pro.getByLabel("Members").fill("7");
  await price.fill("29.50");
  await pro.getByRole("button", { name: "Save plan" }).click();
  await expect(page.getByTestId("plan-saved")).toBeVisible();

  // An archived plan is kept but not offered.
  const fresh = page.getByTestId("plan-editor").locator('[data-plan="new"]');
  await fresh.locator("summary").click();
  await fresh.getByLabel("Id").fill(`legacy-${Date.now()}`);
  await fresh.getByLabel("Name").fill("Legacy");
  await fresh.getByLabel("Offered to tenants").uncheck();
  await fresh.getByRole("button", { name: "Create plan" }).click();
  await expect(page.getByTestId("plan-editor").locator("summary", { hasText: "Legacy (archived)" }).first()).toBeVisible();

  await page.goto("/billing");
  await hydrated(page);
  const card = page.getByTestId("plans").locator('[data-plan="pro"]');
  await expect(card).toContainText("$29.50");
  await expect(card).toContainText("7 members");
  await expect(page.getByTestId("plans").locator("[data-plan]")).toHaveCount(4);

  // Put Pro back as it was for the other tests.
  await page.goto("/billing/plans");
  await hydrated(page);
  await pro.locator("summary").click();
  await pro.getByLabel("Price per month").fill("24.00");
  await pro.getByLabel("Members").fill("5");
  await pro.getByRole("button", { name: "Save plan" }).click();
  await expect(page.getByTestId("plan-saved")).toBeVisible();
});

test("a tenant who is not an operator cannot edit plans", async ({ page }) => {
  await signUp(page, { email: uniqueEmail("not-operator"), org: "Tenant Co" });
  await page.goto("/billing/plans");
  await hydrated(page);
  await expect(page.getByText("Only an operator of this installation edits plans.")).toBeVisible();
  await expect(page.getByTestId("plan-editor")).toHaveCount(0);
});
