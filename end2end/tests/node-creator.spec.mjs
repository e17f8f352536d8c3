// Building a workflow from the node creator and the node details view: keyboard first, as a
// person without a mouse would; what is built is checked in the stored n8n JSON and by
// running it with test webhook calls. Then inserting on an edge, dropping a node on an edge,
// sticky notes (Markdown, colour, resize), the phone sheet, and axe on both panels.
import { test, expect } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";
import { hydrated, signUp, uniqueEmail } from "./helpers.mjs";

const canvas = (page) => page.getByTestId("canvas");
const node = (page, name) => canvas(page).locator(`g.node[data-node="${name}"]`);

async function openNewEditor(page, email) {
  await signUp(page, { email });
  await page.goto("/workflows/new");
  await hydrated(page);
  await expect(page.getByTestId("save-state")).toHaveText("Not saved yet");
}

/** Tab with nothing focused opens the creator; types the query and adds the first match. */
async function addFromCreator(page, query, title) {
  const creator = page.getByTestId("node-creator");
  await expect(creator).toBeVisible();
  if (title) await expect(creator.getByRole("heading")).toHaveText(title);
  await expect(creator.getByRole("combobox")).toBeFocused();
  await page.keyboard.type(query);
  await page.keyboard.press("Enter");
  await expect(creator).toHaveCount(0);
}

/** Fills a field and leaves it with Tab, which commits it (one undo step). */
async function fillField(field, value) {
  await field.fill(value);
  await field.press("Tab");
}

async function axe(page) {
  const { violations } = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"])
    .analyze();
  return violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

test("Webhook → Edit Fields → If → two branches, built with the keyboard, saved and run", async ({ page, request }, testInfo) => {
  await openNewEditor(page, uniqueEmail("creator"));
  const path = `creator-${Date.now()}`;
  const details = page.getByTestId("node-details");

  // Nothing focused: Tab opens the creator; Webhook is found by typing and added by Enter.
  await page.evaluate(() => document.activeElement?.blur());
  await page.keyboard.press("Tab");
  await addFromCreator(page, "webhook", "Add a node");
  await expect(details.getByRole("heading", { name: "Webhook" })).toBeVisible();
  // A new webhook gets its own id as its path, as in n8n; we give it ours.
  await expect(details.getByRole("textbox", { name: "Path" })).toHaveValue(/^[0-9a-f-]{36}$/);
  await fillField(details.getByRole("textbox", { name: "Path" }), path);
  await details.getByRole("combobox", { name: "HTTP Method" }).selectOption("POST");
  await details.getByRole("combobox", { name: "Respond", exact: true }).selectOption("lastNode");
  await page.screenshot({ path: testInfo.outputPath("details-webhook.png") });

  // From the Connections tab, "Add a node here…" opens the creator after this output.
  await details.getByRole("tab", { name: "Connections" }).press("Enter");
  await details.getByRole("button", { name: "Add a node here…" }).press("Enter");
  await addFromCreator(page, "edit fields", "Add a node after Webhook");
  await expect(details.getByRole("heading", { name: "Edit Fields" })).toBeVisible();
  await details.getByRole("button", { name: "Add field" }).press("Enter");
  await fillField(details.getByLabel("Field 1 name"), "n");
  await details.getByLabel("Field 1 type").selectOption("number");
  await fillField(details.getByLabel("Field 1 value"), "={{ $json.body.n }}");

  await details.getByRole("tab", { name: "Connections" }).press("Enter");
  await details.getByRole("button", { name: "Add a node here…" }).press("Enter");
  await addFromCreator(page, "if", "Add a node after Edit Fields");
  await expect(details.getByRole("heading", { name: "If" })).toBeVisible();
  await details.getByRole("button", { name: "Add condition" }).press("Enter");
  await fillField(details.getByLabel("Condition 1 value 1"), "={{ $json.n }}");
  await details.getByLabel("Condition 1 operation").selectOption("number:gt");
  await fillField(details.getByLabel("Condition 1 value 2"), "5");
  await page.screenshot({ path: testInfo.outputPath("details-if.png") });
  expect(await axe(page), "node details").toEqual([]);

  // Each branch of If gets its own node: the outputs are labelled "true" and "false".
  for (const [branch, size] of [["true", "big"], ["false", "small"]]) {
    if (branch === "false") {
      await node(page, "If").focus();
      await page.keyboard.press("Enter");
      await expect(details.getByRole("heading", { name: "If" })).toBeVisible();
    }
    await details.getByRole("tab", { name: "Connections" }).press("Enter");
    await details.getByRole("region", { name: `Output “${branch}”` })
      .getByRole("button", { name: "Add a node here…" }).press("Enter");
    await addFromCreator(page, "edit fields", `Add a node after If`);
    await details.getByRole("button", { name: "Add field" }).press("Enter");
    await fillField(details.getByLabel("Field 1 name"), "size");
    await fillField(details.getByLabel("Field 1 value"), size);
    // Escape closes the details and gives the focus back to the node.
    await page.keyboard.press("Escape");
    await expect(details).toHaveCount(0);
  }
  await expect(node(page, "Edit Fields2")).toBeFocused();
  // Reopened, the details show what is stored (not the first option of each list).
  await page.getByRole("button", { name: "Fit to view" }).click();
  await node(page, "Webhook").focus();
  await page.keyboard.press("Enter");
  await expect(details.getByRole("combobox", { name: "HTTP Method" })).toHaveValue("POST");
  await node(page, "If").focus();
  await page.keyboard.press("Enter");
  await expect(details.getByRole("combobox", { name: "Condition 1 operation" })).toHaveValue("number:gt");
  await page.keyboard.press("Escape");
  await expect(canvas(page).locator("g.node")).toHaveCount(5);
  await expect(canvas(page).locator("path.edge")).toHaveCount(4);

  await page.keyboard.press("Control+s");
  await expect(page.getByTestId("save-state")).toHaveText(/Saved · version 1/);
  const id = page.url().split("/").pop();
  const stored = await (await page.request.get(`/api/v1/workflows/${id}`)).json();
  const byName = Object.fromEntries(stored.nodes.map((n) => [n.name, n]));
  expect(byName.Webhook.typeVersion).toBe(2);
  expect(byName.Webhook.webhookId).toMatch(/^[0-9a-f-]{36}$/);
  expect(byName.Webhook.parameters).toMatchObject({ path, httpMethod: "POST", responseMode: "lastNode" });
  expect(byName["Edit Fields"].parameters.assignments.assignments[0])
    .toMatchObject({ name: "n", type: "number", value: "={{ $json.body.n }}" });
  const condition = byName.If.parameters.conditions.conditions[0];
  expect(condition).toMatchObject({ leftValue: "={{ $json.n }}", rightValue: 5, operator: { type: "number", operation: "gt" } });
  expect(stored.connections.If.main[0][0].node).toBe("Edit Fields1");
  expect(stored.connections.If.main[1][0].node).toBe("Edit Fields2");

  // It runs as built: each test call takes the branch its number decides.
  for (const [n, size] of [[7, "big"], [3, "small"]]) {
    await page.getByTestId("listen").click();
    await expect(page.getByTestId("listening")).toContainText(`POST /webhook-test/${path}`);
    const answer = await request.post(`/webhook-test/${path}`, { data: { n } });
    expect(answer.status()).toBe(200);
    expect(await answer.json()).toEqual({ size });
  }
});

test("insert on an edge, drop a node onto an edge, sticky notes, the phone sheet and axe", async ({ page }, testInfo) => {
  await openNewEditor(page, uniqueEmail("creator2"));
  const details = page.getByTestId("node-details");
  // Two connected nodes, added with the toolbar's button and connected by its menu.
  for (const query of ["manual", "no operation"]) {
    await page.getByTestId("add-node").click();
    await addFromCreator(page, query);
    await page.keyboard.press("Escape");
  }
  await expect(canvas(page).locator("path.edge")).toHaveCount(1);
  await page.getByRole("button", { name: "Fit to view" }).click();

  // "+" in the middle of the edge (drawn while the pointer is on the edge) inserts a node
  // into it, in one undo step.
  await expect(canvas(page).getByRole("button", { name: /^Insert a node between/ })).toHaveCount(0);
  // (forced: a straight edge's box has no height, so Playwright calls it invisible)
  await canvas(page).locator("path.edge-hit").hover({ force: true });
  await canvas(page).getByRole("button", { name: /^Insert a node between/ }).click();
  await expect(page.getByTestId("node-creator").getByRole("heading")).toHaveText("Insert a node");
  expect(await axe(page), "node creator").toEqual([]);
  await page.screenshot({ path: testInfo.outputPath("creator.png") });
  await addFromCreator(page, "limit");
  await page.keyboard.press("Escape");
  await expect(canvas(page).locator('path.edge[data-to="Limit"]')).toHaveCount(1);
  await expect(canvas(page).locator('path.edge[data-from="Limit"]')).toHaveCount(1);
  await page.keyboard.press("Control+z");
  await expect(canvas(page).locator("g.node")).toHaveCount(2);
  await expect(canvas(page).locator("path.edge")).toHaveCount(1);

  // A lone node dragged onto the edge is inserted into it.
  await page.getByTestId("add-node").click();
  await page.keyboard.type("sort");
  await page.keyboard.press("Enter");
  await page.keyboard.press("Escape");
  // Away from the edge first (arrow keys move the focused node, Shift by 100 px).
  await expect(node(page, "Sort")).toBeFocused();
  for (let i = 0; i < 3; i++) await page.keyboard.press("Shift+ArrowDown");
  await page.getByRole("button", { name: "Fit to view" }).click();
  const sort = await node(page, "Sort").locator(".node-body").boundingBox();
  const edge = canvas(page).locator("path.edge").first();
  const box = await edge.boundingBox();
  await page.mouse.move(sort.x + sort.width / 2, sort.y + sort.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 8 });
  await page.mouse.up();
  await expect(canvas(page).locator('path.edge[data-to="Sort"]')).toHaveCount(1);
  await expect(canvas(page).locator('path.edge[data-from="Sort"]')).toHaveCount(1);

  // Sticky note: Markdown drawn, colour and size changed from its details and its corner.
  await page.evaluate(() => document.activeElement?.blur());
  await page.keyboard.press("Shift+S");
  const sticky = canvas(page).locator("g.sticky");
  await sticky.dblclick();
  await expect(details.getByRole("heading", { name: "Sticky Note" })).toBeVisible();
  await fillField(details.getByRole("textbox", { name: "Content" }), "## Setup\n- add a **key**");
  await expect(sticky.locator("strong")).toHaveText("key");
  await expect(sticky.locator(".sticky-h2")).toHaveText("Setup");
  await details.getByRole("radio", { name: "Green" }).click();
  await expect(sticky).toHaveClass(/sticky-4/);
  await page.keyboard.press("Escape");
  const before = await sticky.locator("rect").first().boundingBox();
  const corner = await sticky.locator(".sticky-resize").boundingBox();
  await page.mouse.move(corner.x + 5, corner.y + 5);
  await page.mouse.down();
  await page.mouse.move(corner.x + 90, corner.y + 65, { steps: 6 });
  await page.mouse.up();
  const after = await sticky.locator("rect").first().boundingBox();
  expect(after.width).toBeGreaterThan(before.width + 40);
  expect(after.height).toBeGreaterThan(before.height + 30);

  // Parameters that are not a JSON object are refused with a message; nothing changes.
  await node(page, "Sort").dblclick();
  await details.getByRole("tab", { name: "JSON" }).click();
  const json = details.getByTestId("parameters-json");
  const was = await json.inputValue();
  await fillField(json, "[1, 2");
  await expect(details.getByRole("alert")).toContainText("Not applied");
  await page.keyboard.press("Escape");
  await node(page, "Sort").dblclick();
  await details.getByRole("tab", { name: "JSON" }).click();
  expect(await details.getByTestId("parameters-json").inputValue()).toBe(was);

  // A credential made where the node asks for it: Generic Credential Type brings the auth
  // type (stored with its default) and a picker; "create new" stores one and picks it.
  await page.keyboard.press("Escape");
  await page.getByTestId("add-node").click();
  await addFromCreator(page, "http request");
  await details.getByRole("combobox", { name: "Authentication" }).selectOption("genericCredentialType");
  await expect(details.getByRole("combobox", { name: "Generic Auth Type" })).toHaveValue("httpHeaderAuth");
  await details.getByRole("button", { name: "Create new Header Auth credential" }).click();
  await details.getByLabel("Header name").fill("X-Key");
  await details.getByLabel("Value *").fill("s3cret-value");
  await details.getByRole("button", { name: "Create credential" }).click();
  await expect(details.getByRole("combobox", { name: "Header Auth" })).toHaveValue(/.+/);
  await expect(details.getByRole("combobox", { name: "Header Auth" }).locator("option:checked")).toHaveText("Header Auth account");
  await details.getByRole("tab", { name: "JSON" }).click();
  const params = JSON.parse(await details.getByTestId("parameters-json").inputValue());
  expect(params).toMatchObject({ authentication: "genericCredentialType", genericAuthType: "httpHeaderAuth" });
  const listed = await (await page.request.get("/api/v1/credentials")).text();
  expect(listed).toContain("Header Auth account");
  expect(listed).not.toContain("s3cret-value");

  // On a phone the details are a full-screen sheet.
  await page.setViewportSize({ width: 360, height: 740 });
  const sheet = await details.boundingBox();
  expect(sheet.width).toBeGreaterThanOrEqual(355);
  expect(await axe(page), "details on a phone").toEqual([]);
  await page.screenshot({ path: testInfo.outputPath("details-phone.png") });
});
