import { expect } from "@playwright/test";

/** A unique address per test run, so reruns against one server never collide. */
export function uniqueEmail(name) {
  return `${name}-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.test`;
}

/**
 * Waits until the WASM bundle hydrated the page (clicks before that are lost) and, after a
 * link was followed, until the page's split-off code loaded and the page changed.
 */
export async function hydrated(page) {
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await expect(page.getByTestId("routing")).toHaveCount(0);
}

export async function signUp(page, { email, password = "a long password", org = "Acme" }) {
  await page.goto("/signup");
  await hydrated(page);
  await page.getByLabel("Organisation").fill(org);
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign up" }).click();
  await expect(page).toHaveURL(/\/$/);
  await hydrated(page);
  await expect(page.getByTestId("current-user")).toHaveText(email);
}

export async function logIn(page, { email, password = "a long password" }) {
  await page.goto("/login");
  await hydrated(page);
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page).toHaveURL(/\/$/);
  await hydrated(page);
}
