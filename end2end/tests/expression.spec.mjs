// The expression editor: a parameter switched to an expression is typed with suggestions
// (variables, the fields of the run's items), coloured as it is typed, and previewed for
// each input item by the engine on the server; the run then says what the preview said.
import { test, expect } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";
import { hydrated, signUp, uniqueEmail } from "./helpers.mjs";

const canvas = (page) => page.getByTestId("canvas");
const node = (page, name) => canvas(page).locator(`g.node[data-node="${name}"]`);
const main = (to) => ({ main: [[{ node: to, type: "main", index: 0 }]] });

const WORKFLOW = {
  name: "Expressions",
  nodes: [
    { name: "Start", type: "n8n-nodes-base.manualTrigger", typeVersion: 1, position: [0, 0], parameters: {} },
    {
      name: "People", type: "n8n-nodes-base.code", typeVersion: 2, position: [220, 0],
      parameters: { jsCode: "return [{json:{name:'Ada', n:2}},{json:{name:'Bob', n:5}}]" },
    },
    {
      name: "Refuse", type: "n8n-nodes-base.stopAndError", typeVersion: 1, position: [440, 0],
      parameters: { errorMessage: "fixed" },
    },
  ],
  connections: { Start: main("People"), People: main("Refuse") },
  settings: { executionOrder: "v1" },
};

test("an expression is typed with suggestions, previewed per item, and the run agrees", async ({ page }, testInfo) => {
  await signUp(page, { email: uniqueEmail("expr") });
  const { id } = await (await page.request.post("/api/v1/workflows", { data: WORKFLOW })).json();
  await page.goto(`/workflows/${id}`);
  await hydrated(page);
  await expect(page.getByTestId("live-state")).toHaveAttribute("data-live", "true");
  await page.getByRole("button", { name: "Run now" }).click();
  await expect(page.getByTestId("editor-status")).toContainText("Run failed in Refuse: fixed");

  const details = page.getByTestId("node-details");
  await node(page, "Refuse").locator(".node-body").click();
  await page.keyboard.press("Enter");
  await details.getByRole("button", { name: "Error Message: expression" }).click();
  const field = details.getByRole("textbox", { name: "Error Message" });
  await expect(field).toHaveValue("=fixed");
  await field.fill("=");
  await field.press("End");
  await field.pressSequentially("Sorry {{ $js");
  const list = details.getByRole("listbox", { name: "Suggestions" });
  await expect(list.getByRole("option")).toHaveText([/^\$json/]);
  await field.press("Enter");
  await field.pressSequentially(".");
  // The fields of the input items, in their order, with their types.
  await expect(list.getByRole("option")).toHaveText([/^name\s+string/, /^n\s+number/]);
  await expect(field).toHaveAttribute("aria-activedescendant", /-0$/);
  await page.screenshot({ path: testInfo.outputPath("expression-suggestions.png") });
  await field.press("ArrowDown");
  await expect(field).toHaveAttribute("aria-activedescendant", /-1$/);
  await field.press("ArrowUp");
  await field.press("Enter");
  await expect(field).toHaveValue("=Sorry {{ $json.name");
  await field.pressSequentially(".toUpp");
  await expect(list.getByRole("option")).toHaveText([/^toUpperCase\(\)/]);
  await field.press("Tab");
  await field.pressSequentially(" }}");
  await expect(field).toHaveValue("=Sorry {{ $json.name.toUpperCase() }}");
  await expect(list).toHaveCount(0);

  // Coloured as the run reads it.
  const colours = details.locator(".expr-colours");
  await expect(colours.locator(".tok-var")).toHaveText("$json");
  await expect(colours.locator(".tok-prop")).toHaveText(["name", "toUpperCase"]);
  await expect(colours.locator(".tok-brace")).toHaveText(["{{", "}}"]);

  // The preview, item by item, computed on the server.
  const preview = details.getByTestId("expression-preview");
  await expect(preview.getByTestId("preview-value")).toHaveText("Sorry ADA");
  await expect(preview).toContainText("Item 1 of 2");
  await preview.getByRole("button", { name: "Next item" }).click();
  await expect(preview.getByTestId("preview-value")).toHaveText("Sorry BOB");
  await page.screenshot({ path: testInfo.outputPath("expression-editor.png") });
  const { violations } = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"])
    .analyze();
  expect(violations.map((v) => v.id)).toEqual([]);

  // A failing expression shows the run's own message; an unclosed one is marked.
  await field.fill("={{ $json.nope.deeper }}");
  await expect(preview.getByTestId("preview-error")).toContainText("deeper");
  await field.fill("={{ $json.name");
  await expect(colours.locator(".tok-unclosed")).toHaveText("{{");
  await expect(preview.getByTestId("preview-error")).toContainText("unclosed");
  await field.fill("=Sorry {{ $json.name.toUpperCase() }}");
  await expect(preview.getByTestId("preview-value")).toHaveText(/Sorry (ADA|BOB)/);

  // Run as it is in the editor (not saved), the run's error is what the preview said for
  // the first item.
  await details.getByRole("button", { name: "Close details" }).click();
  await expect(page.getByTestId("save-state")).toHaveText(/Unsaved changes/);
  await page.getByRole("button", { name: "Run now" }).click();
  await expect(page.getByTestId("editor-status")).toContainText("Run failed in Refuse: Sorry ADA");
  await expect(page.getByTestId("save-state")).toHaveText(/Unsaved changes/);
});

test("execute step runs up to the node and reuses what the nodes before it gave", async ({ page }) => {
  await signUp(page, { email: uniqueEmail("step") });
  const stepped = {
    name: "Steps",
    nodes: [
      WORKFLOW.nodes[0],
      {
        name: "Dice", type: "n8n-nodes-base.code", typeVersion: 2, position: [220, 0],
        parameters: { jsCode: "return [{json:{r: Math.random()}}, {json:{r: Math.random()}}]" },
      },
      {
        name: "Times", type: "n8n-nodes-base.set", typeVersion: 3.4, position: [440, 0],
        parameters: { mode: "manual", includeOtherFields: true, assignments: { assignments: [{ name: "x", value: "={{ $json.r * 10 }}", type: "number" }] } },
      },
      { name: "After", type: "n8n-nodes-base.noOp", typeVersion: 1, position: [660, 0], parameters: {} },
    ],
    connections: { Start: main("Dice"), Dice: main("Times"), Times: main("After") },
  };
  const { id } = await (await page.request.post("/api/v1/workflows", { data: stepped })).json();
  await page.goto(`/workflows/${id}`);
  await hydrated(page);
  await expect(page.getByTestId("live-state")).toHaveAttribute("data-live", "true");
  await page.getByRole("button", { name: "Run now" }).click();
  await expect(node(page, "After").getByTestId("run-badge")).toHaveText("2 items");

  const details = page.getByTestId("node-details");
  await node(page, "Times").locator(".node-body").click();
  await page.keyboard.press("Enter");
  await details.getByRole("button", { name: "Execute step" }).click();
  // Nothing past the step ran: After shows no run; Times ran again.
  await expect(node(page, "After").getByTestId("run-badge")).toHaveCount(0);
  await expect(node(page, "Times").getByTestId("run-badge")).toHaveText("2 items");

  // The server's record: the step ran Start, Dice and Times, and Dice gave what it gave
  // in the first run (its random numbers were not drawn again).
  const list = async () => (await page.request.get(`/api/v1/executions?workflowId=${id}&includeData=true`)).json();
  // The run is recorded as it ends, just after its last node is drawn.
  await expect.poll(async () => (await list()).data.length).toBe(2);
  const runs = await list();
  const [step, first] = runs.data.map((e) => e.data.resultData.runData);
  expect(Object.keys(step).sort()).toEqual(["Dice", "Start", "Times"]);
  expect(Object.keys(first).sort()).toEqual(["After", "Dice", "Start", "Times"]);
  expect(step.Dice[0].data.main).toEqual(first.Dice[0].data.main);
  const x = step.Times[0].data.main[0].map((i) => i.json.x);
  expect(x).toEqual(first.Dice[0].data.main[0].map((i) => i.json.r * 10));
});

test("an execution is drawn on its workflow's canvas; Debug in editor goes on from its data", async ({ page }, testInfo) => {
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  await signUp(page, { email: uniqueEmail("debug") });
  const failing = {
    ...WORKFLOW,
    name: "Debug me",
    nodes: [
      WORKFLOW.nodes[0], WORKFLOW.nodes[1],
      { ...WORKFLOW.nodes[2], parameters: { errorMessage: "={{ 'No ' + $json.name }}" } },
    ],
  };
  const { id } = await (await page.request.post("/api/v1/workflows", { data: failing })).json();
  const run = await page.request.post(`/api/v1/workflows/${id}/run`, { data: {} });
  expect(run.status()).toBe(200);
  const { id: execution } = await run.json();

  await page.goto(`/executions/${execution}`);
  await hydrated(page);
  const drawn = page.getByTestId("execution-canvas");
  const canvasNode = (name) => drawn.locator(`g.node[data-node="${name}"]`);
  await expect(canvasNode("People")).toHaveClass(/run-success/);
  await expect(canvasNode("People").getByTestId("run-badge")).toHaveText("2 items");
  await expect(canvasNode("Refuse")).toHaveClass(/run-error/);
  await expect(canvasNode("Refuse").getByTestId("run-badge")).toHaveText(/^failed/);
  await expect(canvasNode("Refuse").locator(".run-badge title")).toHaveText("No Ada");
  await expect(drawn.getByTestId("edge-items")).toHaveText(["1 item", "2 items"]);
  await page.screenshot({ path: testInfo.outputPath("execution-canvas.png") });

  // Debug in editor: the run shown on the editor's canvas, the trigger's items pinned.
  expect(errors).toEqual([]);
  await drawn.getByRole("link", { name: "Debug in editor" }).click();
  await hydrated(page);
  await expect(page.getByTestId("editor-status")).toContainText("Start's items are pinned");
  await expect(node(page, "Start").getByTestId("pin-badge")).toBeVisible();
  await expect(node(page, "Refuse")).toHaveClass(/run-error/);
  await expect(node(page, "People").getByTestId("run-badge")).toHaveText("2 items");
  // The node details show that run's items.
  const details = page.getByTestId("node-details");
  await node(page, "Refuse").locator(".node-body").click();
  await page.keyboard.press("Enter");
  await details.getByRole("tab", { name: "Input" }).click();
  await expect(details.getByTestId("input-data").getByRole("status")).toHaveText("2 items");
  await details.getByRole("tab", { name: "Parameters" }).click();
  await expect(details.getByTestId("preview-value")).toHaveText("No Ada");
});
