// A test run drawn on the canvas while it happens: each node's state and item counts, the
// counts on the edges, the status line's words; the run's events travel from the engine
// through the event bus and the server-sent stream to the page, so a node that has not run
// yet shows nothing while the ones before it already show their items.
import { test, expect } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";
import { hydrated, signUp, uniqueEmail } from "./helpers.mjs";

const canvas = (page) => page.getByTestId("canvas");
const node = (page, name) => canvas(page).locator(`g.node[data-node="${name}"]`);
const main = (to) => ({ main: [[{ node: to, type: "main", index: 0 }]] });

const WORKFLOW = {
  name: "Live run",
  nodes: [
    { name: "Start", type: "n8n-nodes-base.manualTrigger", typeVersion: 1, position: [0, 0], parameters: {} },
    {
      name: "Three", type: "n8n-nodes-base.code", typeVersion: 2, position: [220, 0],
      parameters: { jsCode: "return [{json:{n:1}},{json:{n:5}},{json:{n:9}}]" },
    },
    {
      name: "Pause", type: "n8n-nodes-base.wait", typeVersion: 1.1, position: [440, 0],
      parameters: { resume: "timeInterval", amount: 3, unit: "seconds" },
    },
    {
      name: "Big?", type: "n8n-nodes-base.if", typeVersion: 2.2, position: [660, 0],
      parameters: {
        conditions: {
          combinator: "and", options: { caseSensitive: true, typeValidation: "strict", version: 2 },
          conditions: [{ id: "c1", leftValue: "={{ $json.n }}", rightValue: 4, operator: { type: "number", operation: "gt" } }],
        },
        options: {},
      },
    },
    { name: "Large", type: "n8n-nodes-base.noOp", typeVersion: 1, position: [880, -100], parameters: {} },
    { name: "Small", type: "n8n-nodes-base.noOp", typeVersion: 1, position: [880, 100], parameters: {} },
  ],
  connections: {
    Start: main("Three"),
    Three: main("Pause"),
    Pause: main("Big?"),
    "Big?": { main: [[{ node: "Large", type: "main", index: 0 }], [{ node: "Small", type: "main", index: 0 }]] },
  },
  settings: { executionOrder: "v1" },
};

test("a test run shows on the canvas node by node while it goes on", async ({ page }, testInfo) => {
  await signUp(page, { email: uniqueEmail("live") });
  const res = await page.request.post("/api/v1/workflows", { data: WORKFLOW });
  expect(res.status()).toBe(200);
  const { id } = await res.json();
  await page.goto(`/workflows/${id}`);
  await hydrated(page);
  await expect(node(page, "Big?")).toBeVisible();
  // The editor listens before anything runs.
  await expect(page.getByTestId("live-state")).toHaveAttribute("data-live", "true");

  await page.getByRole("button", { name: "Run now" }).click();
  // While Pause waits: the nodes before it show their items, Pause runs, the rest nothing.
  await expect(node(page, "Three")).toHaveClass(/run-success/);
  await expect(node(page, "Three").getByTestId("run-badge")).toHaveText("3 items");
  await expect(node(page, "Pause")).toHaveClass(/run-running/);
  await expect(node(page, "Pause").getByTestId("run-badge")).toHaveText("running…");
  await expect(node(page, "Big?").getByTestId("run-badge")).toHaveCount(0);
  await expect(page.getByTestId("editor-status")).toContainText("Run started");
  await page.screenshot({ path: testInfo.outputPath("live-run-waiting.png") });
  const edgeItems = canvas(page).getByTestId("edge-items");
  await expect(edgeItems).toHaveText(["1 item", "3 items"]);

  // Then it ends: every node done, the If's two branches counted apart.
  await expect(page.getByTestId("editor-status")).toContainText("Run finished: success", { timeout: 15_000 });
  await expect(node(page, "Big?").getByTestId("run-badge")).toHaveText("3 items");
  await expect(node(page, "Large").getByTestId("run-badge")).toHaveText("2 items");
  await expect(node(page, "Small").getByTestId("run-badge")).toHaveText("1 item");
  await expect(edgeItems).toHaveText(["1 item", "3 items", "3 items", "2 items", "1 item"]);
  await page.screenshot({ path: testInfo.outputPath("live-run-done.png") });

  // The finished run's items in the node details: the If's output by branch, its input.
  const details = page.getByTestId("node-details");
  await node(page, "Big?").locator(".node-body").click();
  await page.keyboard.press("Enter");
  await details.getByRole("tab", { name: "Output" }).click();
  const output = details.getByTestId("output-data");
  await expect(output.getByRole("status")).toHaveText("2 items");
  await expect(output.locator("tbody tr")).toHaveCount(2);
  await output.getByRole("combobox").selectOption({ label: "false" });
  await expect(output.getByRole("status")).toHaveText("1 item");
  await expect(output.locator("tbody td").first()).toHaveText("1");
  // The tabs are one tab stop; arrow keys move between them (and wrap), Home goes first.
  await details.getByRole("tab", { name: "Output" }).press("ArrowLeft");
  await expect(details.getByRole("tab", { name: "Input" })).toBeFocused();
  await expect(details.getByRole("tab", { name: "Input" })).toHaveAttribute("aria-selected", "true");
  await expect(details.getByRole("tab", { name: "Output" })).toHaveAttribute("tabindex", "-1");
  await page.keyboard.press("Home");
  await page.keyboard.press("ArrowLeft");
  await expect(details.getByRole("tab", { name: "JSON" })).toBeFocused();
  await details.getByRole("tab", { name: "Input" }).click();
  const input = details.getByTestId("input-data");
  await expect(input.getByRole("status")).toHaveText("3 items");
  await input.getByRole("button", { name: "JSON" }).click();
  await expect(input.locator("pre")).toContainText('"n": 9');
  await input.getByRole("button", { name: "Schema" }).click();
  await expect(input.locator("li[data-field='n']")).toContainText("number");
  await page.screenshot({ path: testInfo.outputPath("details-input.png") });
  await details.getByRole("button", { name: "Close details" }).click();

  // A field of the input dragged onto a parameter becomes its expression.
  await node(page, "Pause").locator(".node-body").click();
  await page.keyboard.press("Enter");
  const fields = details.getByTestId("input-fields");
  await fields.locator("summary").click();
  const amount = details.getByRole("spinbutton", { name: "Wait Amount" });
  await expect(amount).toHaveValue("3");
  await fields.locator("li[data-field='n']").dragTo(amount);
  await expect(details.getByRole("textbox", { name: "Wait Amount" })).toHaveValue("={{ $json.n }}");
  await details.getByRole("tab", { name: "JSON" }).click();
  await expect(details.getByTestId("parameters-json")).toHaveValue(/"amount": "=\{\{ \$json\.n \}\}"/);
  const { violations } = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"])
    .analyze();
  expect(violations.map((v) => v.id)).toEqual([]);
});

test("a failing node is marked on the canvas with its error", async ({ page }) => {
  await signUp(page, { email: uniqueEmail("live-fail") });
  const failing = {
    ...WORKFLOW,
    name: "Live failure",
    nodes: [
      WORKFLOW.nodes[0],
      { name: "Boom", type: "n8n-nodes-base.stopAndError", typeVersion: 1, position: [220, 0], parameters: { errorMessage: "no luck today" } },
    ],
    connections: { Start: main("Boom") },
  };
  const { id } = await (await page.request.post("/api/v1/workflows", { data: failing })).json();
  await page.goto(`/workflows/${id}`);
  await hydrated(page);
  await expect(page.getByTestId("live-state")).toHaveAttribute("data-live", "true");
  await page.keyboard.press("Control+Enter");
  await expect(page.getByTestId("editor-status")).toContainText("Run failed in Boom: no luck today");
  await expect(node(page, "Boom")).toHaveClass(/run-error/);
  await expect(node(page, "Boom").getByTestId("run-badge")).toHaveText(/^failed/);
  await expect(node(page, "Boom").locator(".run-badge title")).toHaveText("no luck today");
  await expect(node(page, "Start").getByTestId("run-badge")).toHaveText("1 item");
});

test("P pins a node's output from the run: later runs use it instead of running the node", async ({ page }) => {
  await signUp(page, { email: uniqueEmail("pin") });
  const pinning = {
    ...WORKFLOW,
    name: "Pinning",
    nodes: WORKFLOW.nodes.filter((n) => n.name !== "Pause"),
    connections: { ...WORKFLOW.connections, Three: main("Big?") },
  };
  delete pinning.connections.Pause;
  const { id } = await (await page.request.post("/api/v1/workflows", { data: pinning })).json();
  await page.goto(`/workflows/${id}`);
  await hydrated(page);
  await expect(page.getByTestId("live-state")).toHaveAttribute("data-live", "true");
  const status = page.getByTestId("editor-status");
  await page.keyboard.press("Control+Enter");
  await expect(status).toContainText("Run finished: success");

  // P on Three pins the 3 items it gave; its code is then broken on purpose.
  await node(page, "Three").locator(".node-body").click();
  await page.keyboard.press("p");
  await expect(status).toContainText("Three pinned with 3 items");
  await expect(node(page, "Three").getByTestId("pin-badge")).toHaveText(/^pinned/);
  await page.keyboard.press("Enter");
  const details = page.getByTestId("node-details");
  await details.getByRole("tab", { name: "Output" }).click();
  await expect(details.getByTestId("pinned-note")).toBeVisible();
  await details.getByRole("tab", { name: "Parameters" }).click();
  const code = details.getByRole("textbox", { name: "JavaScript" });
  await code.fill("throw new Error('not run')");
  await code.press("Tab");
  await details.getByRole("button", { name: "Close details" }).click();
  await page.keyboard.press("Control+s");
  await expect(page.getByTestId("save-state")).toHaveText("Saved · version 2");
  const stored = await (await page.request.get(`/api/v1/workflows/${id}`)).json();
  expect(stored.pinData.Three).toEqual([{ json: { n: 1 } }, { json: { n: 5 } }, { json: { n: 9 } }]);

  // The run uses the pinned items: the broken code never runs.
  await page.keyboard.press("Control+Enter");
  await expect(status).toContainText("Run finished: success");
  await expect(node(page, "Large").getByTestId("run-badge")).toHaveText("2 items");

  // Unpinned (P again), the node runs again, and fails.
  await node(page, "Three").locator(".node-body").click();
  await page.keyboard.press("p");
  await expect(status).toContainText("Three unpinned");
  await expect(node(page, "Three").getByTestId("pin-badge")).toHaveCount(0);
  await page.keyboard.press("Control+s");
  await expect(page.getByTestId("save-state")).toHaveText("Saved · version 3");
  await page.keyboard.press("Control+Enter");
  await expect(status).toContainText(/Run failed in Three: .*not run/);
});

test("a workflow switched on or off elsewhere shows so in an open editor", async ({ page }) => {
  await signUp(page, { email: uniqueEmail("live-active") });
  const hooked = {
    name: "Live activation",
    nodes: [
      { name: "Hook", type: "n8n-nodes-base.webhook", typeVersion: 2, position: [0, 0], parameters: { path: `live-active-${Date.now()}`, httpMethod: "POST" } },
      { name: "Done", type: "n8n-nodes-base.noOp", typeVersion: 1, position: [220, 0], parameters: {} },
    ],
    connections: { Hook: main("Done") },
  };
  const { id } = await (await page.request.post("/api/v1/workflows", { data: hooked })).json();
  await page.goto(`/workflows/${id}`);
  await hydrated(page);
  await expect(page.getByTestId("live-state")).toHaveAttribute("data-live", "true");
  await expect(page.getByTestId("save-state")).not.toContainText("Active");
  expect((await page.request.post(`/api/v1/workflows/${id}/activate`)).status()).toBe(200);
  await expect(page.getByTestId("save-state")).toContainText("· Active");
  await expect(page.getByTestId("editor-status")).toContainText("The workflow was activated");
  expect((await page.request.post(`/api/v1/workflows/${id}/deactivate`)).status()).toBe(200);
  await expect(page.getByTestId("save-state")).not.toContainText("Active");
  await expect(page.getByTestId("editor-status")).toContainText("The workflow was deactivated");
});
