import { test, expect } from "@playwright/test";
import { hydrated, logIn, signUp, uniqueEmail } from "./helpers.mjs";

test("sign up, log out, log back in", async ({ page }) => {
  const email = uniqueEmail("owner");
  await signUp(page, { email, org: "Acme Robotics" });
  await expect(page.getByRole("heading", { name: "Dashboard" })).toBeVisible();
  await expect(page.locator(".tenant")).toHaveText("Acme Robotics");

  await page.getByTestId("logout").click();
  await expect(page).toHaveURL(/\/login$/);
  // The session is really gone: protected pages send us back to log in.
  await page.goto("/settings/members");
  await expect(page).toHaveURL(/\/login$/);

  await page.goto("/login");
  await hydrated(page);
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill("wrong password!");
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByRole("alert")).toContainText("wrong");

  await logIn(page, { email });
  await expect(page.getByTestId("current-user")).toHaveText(email);
});

test("invite a member who accepts and joins as editor", async ({ page, browser }) => {
  const owner = uniqueEmail("owner");
  const invitee = uniqueEmail("editor");
  await signUp(page, { email: owner, org: "Team Co" });
  await page.goto("/settings/members");
  await hydrated(page);
  await page.getByLabel("E-mail").fill(invitee);
  await page.getByLabel("Role").first().selectOption("editor");
  await page.getByRole("button", { name: "Invite" }).click();
  const link = await page.getByTestId("invite-link").locator("code").textContent();
  expect(link).toMatch(/\/invite\/agi_/);
  await expect(page.getByTestId("invitations")).toContainText(invitee);

  const other = await browser.newContext();
  const guest = await other.newPage();
  await guest.goto(link);
  await hydrated(guest);
  await expect(guest.getByText("Team Co")).toBeVisible();
  await guest.getByLabel("Choose a password").fill("editor password 1");
  await guest.getByRole("button", { name: "Join" }).click();
  await expect(guest).toHaveURL(/\/$/);
  await expect(guest.getByTestId("current-user")).toHaveText(invitee);
  await expect(guest.getByText("Your role: editor")).toBeVisible();
  await other.close();

  await page.reload();
  await hydrated(page);
  await expect(page.getByTestId("members")).toContainText(invitee);
});

test("create an API key that works against the REST API", async ({ page, request }) => {
  await signUp(page, { email: uniqueEmail("keys") });
  await page.goto("/settings/api-keys");
  await hydrated(page);
  await page.getByLabel("Name").fill("CI pipeline");
  await page.getByLabel("Role").selectOption("viewer");
  await page.getByRole("button", { name: "Create key" }).click();
  const key = (await page.getByTestId("new-api-key").textContent()).trim();
  expect(key).toMatch(/^agk_/);
  await expect(page.getByTestId("api-keys")).toContainText("CI pipeline");

  const me = await request.get("/api/v1/me", { headers: { "X-N8N-API-KEY": key } });
  expect(me.status()).toBe(200);
  expect((await me.json()).role).toBe("viewer");

  await page.getByRole("button", { name: "Revoke" }).click();
  await expect(page.getByTestId("api-keys")).toContainText("revoked");
  const after = await request.get("/api/v1/me", { headers: { Authorization: `Bearer ${key}` } });
  expect(after.status()).toBe(401);
});
