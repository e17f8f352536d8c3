import { test, expect } from "@playwright/test";
import { hydrated, signUp, uniqueEmail } from "./helpers.mjs";

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
