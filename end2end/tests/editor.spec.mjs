// The workflow editor, as a person uses it: paste nodes copied from n8n, connect them by
// dragging, move, rename, undo and redo, delete, save, reload; a draft that survives a
// closed tab; and two browsers saving one workflow.
import { test, expect } from "@playwright/test";
import { hydrated, logIn, signUp, uniqueEmail } from "./helpers.mjs";

// What n8n puts on the clipboard when three nodes are copied (its `{nodes, connections}`).
const N8N_BLOCK = {
  nodes: [
    {
      parameters: { httpMethod: "POST", path: "editor-e2e", options: {} },
      id: "7e0c8c5e-6b1e-4a55-9d3a-1c0f5d2b9a01", name: "Webhook", type: "n8n-nodes-base.webhook",
      typeVersion: 2, position: [0, 0], webhookId: "1f3b1d9e-0c9b-4c1e-8a63-3a4f0e2b7c11",
    },
    {
      parameters: { assignments: { assignments: [{ id: "a1", name: "n", value: "={{ $json.body.n }}", type: "number" }] }, options: {} },
      id: "0c7b3c52-5d0e-4e53-9f58-0d1a3c1b2e02", name: "Set", type: "n8n-nodes-base.set", typeVersion: 3.4, position: [220, 0],
    },
    {
      parameters: { conditions: { conditions: [{ leftValue: "={{ $json.n }}", rightValue: 5, operator: { type: "number", operation: "gt" } }] } },
      id: "9a1e6f4b-2c3d-4e5f-8a9b-0c1d2e3f4a03", name: "IF", type: "n8n-nodes-base.if", typeVersion: 2, position: [440, 0],
    },
  ],
  connections: { Webhook: { main: [[{ node: "Set", type: "main", index: 0 }]] } },
};

const canvas = (page) => page.getByTestId("canvas");
const node = (page, name) => canvas(page).locator(`g.node[data-node="${name}"]`);

async function paste(page, text) {
  await page.evaluate((t) => {
    const data = new DataTransfer();
    data.setData("text/plain", t);
    document.body.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
  }, text);
}

/** Drags with the mouse from the centre of one element to the centre of another. */
async function dragBetween(page, from, to) {
  const a = await from.boundingBox();
  const b = await to.boundingBox();
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2 + 10, (a.y + b.y) / 2 + 10, { steps: 5 });
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 5 });
  await page.mouse.up();
}

async function openNewEditor(page, email) {
  await signUp(page, { email });
  await page.goto("/workflows/new");
  await hydrated(page);
  await expect(page.getByTestId("save-state")).toHaveText("Not saved yet");
}

test("paste from n8n, connect, move, rename, undo, save and reload", async ({ page }) => {
  await openNewEditor(page, uniqueEmail("editor"));
  await expect(canvas(page).locator("g.node")).toHaveCount(0);

  // Not a workflow on the clipboard: a clear message and nothing changes.
  await paste(page, "this is not JSON");
  await expect(page.getByTestId("editor-status")).toContainText("Nothing pasted");
  await expect(canvas(page).locator("g.node")).toHaveCount(0);

  await paste(page, JSON.stringify(N8N_BLOCK));
  await expect(canvas(page).locator("g.node")).toHaveCount(3);
  await expect(canvas(page).locator("path.edge")).toHaveCount(1);
  await expect(page.getByTestId("editor-status")).toContainText("3 nodes pasted");
  await page.getByRole("button", { name: "Fit to view" }).click();

  // IF draws its two outputs; a wire from Set's output to IF's input connects them.
  await expect(node(page, "IF").locator(".handle-out")).toHaveCount(2);
  await dragBetween(page, node(page, "Set").locator(".handle-out"), node(page, "IF").locator(".handle-in"));
  await expect(canvas(page).locator("path.edge")).toHaveCount(2);
  await expect(canvas(page).locator('path.edge[data-from="Set"][data-to="IF"]')).toHaveCount(1);

  // Drag IF down: it moves (snapped to the grid) and its edge follows.
  const edge = canvas(page).locator('path.edge[data-from="Set"][data-to="IF"]');
  const edgeBefore = await edge.getAttribute("d");
  const before = await node(page, "IF").getAttribute("transform");
  const box = await node(page, "IF").locator(".node-body").boundingBox();
  await page.mouse.move(box.x + 30, box.y + 20);
  await page.mouse.down();
  await page.mouse.move(box.x + 30, box.y + 140, { steps: 8 });
  await page.mouse.up();
  await expect(node(page, "IF")).not.toHaveAttribute("transform", before);
  await expect(edge).not.toHaveAttribute("d", edgeBefore);

  // Rename with F2: the connection follows the new name.
  await node(page, "IF").locator(".node-body").click();
  await page.keyboard.press("F2");
  await page.getByLabel("Node name").fill("Big enough?");
  await page.keyboard.press("Enter");
  await expect(node(page, "Big enough?")).toHaveCount(1);
  await expect(canvas(page).locator('path.edge[data-to="Big enough?"]')).toHaveCount(1);

  // Undo the rename, redo it.
  await page.keyboard.press("Control+z");
  await expect(node(page, "IF")).toHaveCount(1);
  await page.keyboard.press("Control+Shift+z");
  await expect(node(page, "Big enough?")).toHaveCount(1);

  // Delete removes the node and its edges; undo brings both back.
  await node(page, "Big enough?").locator(".node-body").click();
  await page.keyboard.press("Delete");
  await expect(canvas(page).locator("g.node")).toHaveCount(2);
  await expect(canvas(page).locator("path.edge")).toHaveCount(1);
  await page.keyboard.press("Control+z");
  await expect(canvas(page).locator("g.node")).toHaveCount(3);
  await expect(canvas(page).locator("path.edge")).toHaveCount(2);

  // Typing in the name field belongs to the field: "d" and Backspace there leave the
  // selected node alone. Ctrl+S from the field saves the name as typed.
  await node(page, "Set").locator(".node-body").click();
  const name = page.getByLabel("Workflow name");
  await name.click();
  await name.press("End");
  await name.pressSequentially(" dd");
  await name.press("Backspace");
  await expect(node(page, "Set")).not.toHaveClass(/disabled/);
  await expect(canvas(page).locator("g.node")).toHaveCount(3);

  // Shift+S adds a sticky note (undone again: the stored check below is about the nodes).
  await name.blur();
  await page.keyboard.press("Shift+S");
  await expect(canvas(page).locator("g.sticky")).toHaveCount(1);
  await page.keyboard.press("Control+z");
  await expect(canvas(page).locator("g.sticky")).toHaveCount(0);

  // Save: the workflow gets an address; what is stored is what the canvas shows.
  await name.press("Control+s");
  await expect(page.getByTestId("save-state")).toHaveText("Saved · version 1");
  await expect(page).toHaveURL(/\/workflows\/[0-9a-f-]{36}$/);
  const id = page.url().split("/").pop();
  const stored = await (await page.request.get(`/api/v1/workflows/${id}`)).json();
  expect(stored.name).toBe("My workflow d");
  expect(stored.nodes.map((n) => n.name).sort()).toEqual(["Big enough?", "Set", "Webhook"]);
  expect(stored.connections.Set.main[0][0].node).toBe("Big enough?");
  const moved = stored.nodes.find((n) => n.name === "Big enough?");
  expect(moved.position[1]).toBeGreaterThan(0);
  expect(moved.position[1] % 20).toBe(0);
  // Parameters and ids pasted from n8n are kept exactly.
  expect(moved.parameters).toEqual(N8N_BLOCK.nodes[2].parameters);
  // …but a pasted webhook gets a webhook id of its own, as in n8n (no path clash).
  const hook = stored.nodes.find((n) => n.name === "Webhook");
  expect(hook.parameters).toEqual(N8N_BLOCK.nodes[0].parameters);
  expect(hook.webhookId).toMatch(/^[0-9a-f-]{36}$/);
  expect(hook.webhookId).not.toBe(N8N_BLOCK.nodes[0].webhookId);
  expect(stored.nodes.every((n) => n.position.every(Number.isInteger))).toBe(true);

  await page.reload();
  await hydrated(page);
  await expect(canvas(page).locator("g.node")).toHaveCount(3);
  await expect(canvas(page).locator("path.edge")).toHaveCount(2);
  await expect(page.getByTestId("save-state")).toHaveText("Saved · version 1");
  await expect(page.getByTestId("draft")).toHaveCount(0);

  // An unsaved change outlives the tab: after a reload the draft is offered and restored.
  await node(page, "Set").locator(".node-body").click();
  await page.keyboard.press("d");
  await expect(node(page, "Set")).toHaveClass(/disabled/);
  await page.reload();
  await hydrated(page);
  await expect(node(page, "Set")).not.toHaveClass(/disabled/);
  await page.getByTestId("draft").getByRole("button", { name: "Restore them" }).click();
  await expect(node(page, "Set")).toHaveClass(/disabled/);
  await expect(page.getByTestId("save-state")).toHaveText("Unsaved changes");
  await page.screenshot({ path: test.info().outputPath("editor-1280.png") });
});

test("two browsers on one workflow: an unchanged editor follows the other's saves live, a changed one is offered both, nothing is lost", async ({ page, browser }) => {
  const email = uniqueEmail("conflict");
  await openNewEditor(page, email);
  await paste(page, JSON.stringify(N8N_BLOCK));
  await expect(canvas(page).locator("g.node")).toHaveCount(3);
  await page.keyboard.press("Control+s");
  await expect(page.getByTestId("save-state")).toHaveText("Saved · version 1");
  const url = page.url();

  const other = await browser.newContext();
  const second = await other.newPage();
  await logIn(second, { email });
  await second.goto(url);
  await hydrated(second);
  await expect(canvas(second).locator("g.node")).toHaveCount(3);
  for (const p of [page, second]) await expect(p.getByTestId("live-state")).toHaveAttribute("data-live", "true");

  // The first browser renames the workflow and saves: version 2. The second has changed
  // nothing, so it takes version 2 as it is announced (no reload, no click).
  await page.getByLabel("Workflow name").fill("First browser's name");
  await page.getByLabel("Workflow name").press("Enter");
  await page.getByLabel("Workflow name").blur();
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByTestId("save-state")).toHaveText("Saved · version 2");
  await expect(second.getByLabel("Workflow name")).toHaveValue("First browser's name");
  await expect(second.getByTestId("save-state")).toHaveText("Saved · version 2");
  await expect(second.getByTestId("editor-status")).toContainText("Saved elsewhere: loaded version 2");

  // The second moves a node (unsaved); the first saves a move of its own: version 3. The
  // second is told at once, before it saves, and keeps its change until it chooses.
  await node(second, "Set").locator(".node-body").click();
  await second.keyboard.press("ArrowDown");
  await expect(second.getByTestId("save-state")).toHaveText("Unsaved changes");
  await node(page, "IF").locator(".node-body").click();
  await page.keyboard.press("ArrowRight");
  await page.keyboard.press("Control+s");
  await expect(page.getByTestId("save-state")).toHaveText("Saved · version 3");
  await expect(second.getByTestId("conflict")).toContainText("version 3");
  await expect(second.getByTestId("save-state")).toHaveText("Unsaved changes");

  // It overwrites knowingly: version 4 is its document (its move of Set, not the first's of
  // IF), and the first browser, unchanged since its save, follows.
  await second.getByRole("button", { name: "Overwrite with mine" }).click();
  await expect(second.getByTestId("save-state")).toHaveText("Saved · version 4");
  await expect(page.getByTestId("save-state")).toHaveText("Saved · version 4");
  const id = page.url().split("/").pop();
  const stored = await (await page.request.get(`/api/v1/workflows/${id}`)).json();
  const at = (n) => stored.nodes.find((x) => x.name === n).position;
  expect(at("IF")[0] - at("Webhook")[0]).toBe(440);
  expect(at("Set")[1] - at("Webhook")[1]).toBe(20);
  await expect(node(page, "Set")).toHaveAttribute("transform", await node(second, "Set").getAttribute("transform"));

  // "Load their version" gives a changed editor the stored one instead.
  await node(page, "IF").locator(".node-body").click();
  await page.keyboard.press("ArrowRight");
  await node(second, "Webhook").locator(".node-body").click();
  await second.keyboard.press("ArrowUp");
  await second.keyboard.press("Control+s");
  await expect(second.getByTestId("save-state")).toHaveText("Saved · version 5");
  await expect(page.getByTestId("conflict")).toContainText("version 5");
  await page.getByRole("button", { name: "Load their version" }).click();
  await expect(page.getByTestId("save-state")).toHaveText("Saved · version 5");
  await other.close();
});

test("on a 360 px phone the editor fits and pans by touch", async ({ browser }) => {
  const phone = await browser.newContext({ viewport: { width: 360, height: 740 }, hasTouch: true, isMobile: true });
  const page = await phone.newPage();
  await openNewEditor(page, uniqueEmail("phone"));
  await paste(page, JSON.stringify(N8N_BLOCK));
  // Only what the screen shows is drawn: IF lies beyond a phone's width until "fit".
  await expect(node(page, "Webhook")).toHaveCount(1);
  expect(await canvas(page).locator("g.node").count()).toBeLessThan(3);
  await page.getByRole("button", { name: "Fit to view" }).click();
  await expect(canvas(page).locator("g.node")).toHaveCount(3);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBe(0);
  // A finger dragged over the background pans the canvas.
  const layer = canvas(page).locator("g").first();
  const before = await layer.getAttribute("transform");
  const area = await canvas(page).boundingBox();
  await canvas(page).dispatchEvent("pointerdown", { pointerType: "touch", button: 0, clientX: area.x + 300, clientY: area.y + 300, isPrimary: true });
  await canvas(page).dispatchEvent("pointermove", { pointerType: "touch", button: 0, clientX: area.x + 200, clientY: area.y + 250, isPrimary: true });
  await canvas(page).dispatchEvent("pointerup", { pointerType: "touch", button: 0, clientX: area.x + 200, clientY: area.y + 250, isPrimary: true });
  await expect(layer).not.toHaveAttribute("transform", before);
  // Two fingers moving apart zoom in.
  const zoomOf = async () => Number((await layer.getAttribute("transform")).match(/scale\(([0-9.]+)\)/)[1]);
  const zoomBefore = await zoomOf();
  const finger = (type, id, x, y) =>
    canvas(page).dispatchEvent(type, { pointerType: "touch", pointerId: id, button: 0, clientX: area.x + x, clientY: area.y + y });
  await finger("pointerdown", 11, 150, 200);
  await finger("pointerdown", 12, 210, 200);
  await finger("pointermove", 11, 120, 200);
  await finger("pointermove", 12, 240, 200);
  await finger("pointerup", 11, 120, 200);
  await finger("pointerup", 12, 240, 200);
  await expect.poll(zoomOf).toBeGreaterThan(zoomBefore * 1.5);
  await page.screenshot({ path: test.info().outputPath("editor-360.png") });
  await phone.close();
});
