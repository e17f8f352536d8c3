// Version history: every save is kept (who, when, how many nodes); two versions compare
// node by node; an old version shows on the canvas and is restored as a new version that
// the editor then opens.
import { test, expect } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";
import { hydrated, signUp, uniqueEmail } from "./helpers.mjs";

const noOp = (name, x) => ({ id: `id-${name}`, name, type: "n8n-nodes-base.noOp", typeVersion: 1, position: [x, 0], parameters: {} });
const doc = (name, nodes, connections = {}) => ({ name, nodes, connections, settings: { executionOrder: "v1" } });

test("saves are kept, compared, viewed and restored", async ({ page }, testInfo) => {
  // An editor opened straight from its address hydrates whole: its links navigate.
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  const email = uniqueEmail("history");
  await signUp(page, { email });
  const first = doc("Orders", [noOp("Start", 0), noOp("Check", 220)], { Start: { main: [[{ node: "Check", type: "main", index: 0 }]] } });
  const { id } = await (await page.request.post("/api/v1/workflows", { data: first })).json();
  const second = doc("Orders v2", [noOp("Start", 0), noOp("Check", 260), noOp("Notify", 480)]);
  expect((await page.request.put(`/api/v1/workflows/${id}`, { data: second, headers: { "If-Match": '"1"' } })).status()).toBe(200);
  const third = doc("Orders v3", [noOp("Start", 0), noOp("Notify", 480)]);
  expect((await page.request.put(`/api/v1/workflows/${id}`, { data: third, headers: { "If-Match": '"2"' } })).status()).toBe(200);

  // The editor links to the history.
  await page.goto(`/workflows/${id}`);
  await hydrated(page);
  await expect(page.getByTestId("live-state")).toHaveAttribute("data-live", "true");
  await page.getByRole("link", { name: "History" }).click();
  await expect(page).toHaveURL(new RegExp(`/workflows/${id}/history$`));
  expect(errors).toEqual([]);
  const rows = page.getByTestId("versions").locator("tbody tr");
  await expect(rows).toHaveCount(3);
  await expect(rows.nth(0)).toContainText("Version 3 (current)");
  await expect(rows.nth(0)).toContainText(email);
  await expect(rows.nth(2)).toContainText("Orders");

  // Compare: 2 → 3 by default; then 1 → 2.
  const changes = page.getByTestId("changes");
  await expect(changes).toContainText("Removed: Check");
  await page.getByRole("combobox", { name: "From version" }).selectOption("1");
  await page.getByRole("combobox", { name: "To version" }).selectOption("2");
  await expect(changes).toContainText("Added: Notify");
  await expect(changes).toContainText("Moved: Check");
  await expect(changes).toContainText("Connections changed");
  await page.screenshot({ path: testInfo.outputPath("history.png") });
  const { violations } = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  expect(violations.map((v) => v.id)).toEqual([]);

  // Version 1 on the canvas, then restored as version 4.
  await page.getByRole("link", { name: "Version 1", exact: true }).click();
  await hydrated(page);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Orders — version 1");
  await expect(page.locator(".canvas g.node")).toHaveCount(2);
  await expect(changes).toContainText("Removed: Check");
  await page.screenshot({ path: testInfo.outputPath("version-1.png") });
  await page.getByRole("button", { name: "Restore this version" }).click();
  await expect(page.getByTestId("restored")).toContainText("Restored as version 4");
  await page.getByRole("link", { name: "Open it in the editor" }).click();
  await hydrated(page);
  await expect(page.getByTestId("save-state")).toHaveText("Saved · version 4");
  await expect(page.getByTestId("canvas").locator("g.node")).toHaveCount(2);
  const stored = await (await page.request.get(`/api/v1/workflows/${id}`)).json();
  expect(stored.name).toBe("Orders");
  expect(stored.connections).toEqual(first.connections);
});
