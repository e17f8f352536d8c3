import { test, expect } from "@playwright/test";
import { hydrated, signUp, uniqueEmail } from "./helpers.mjs";

const WORKFLOW = {
  name: "Greeter",
  nodes: [
    { name: "Start", type: "n8n-nodes-base.manualTrigger", typeVersion: 1, position: [0, 0], parameters: {} },
    {
      name: "Greet", type: "n8n-nodes-base.set", typeVersion: 3.4, position: [240, 0],
      parameters: { assignments: { assignments: [{ name: "greeting", value: "={{ 'Hello ' + ($json.who ?? 'world') }}", type: "string" }] } },
    },
  ],
  connections: { Start: { main: [[{ node: "Greet", type: "main", index: 0 }]] } },
  tags: [{ name: "demo" }],
};

test("import a workflow, see its canvas, run it and inspect the execution", async ({ page }) => {
  await signUp(page, { email: uniqueEmail("flows") });
  await page.goto("/workflows");
  await hydrated(page);
  await page.getByLabel("Workflow JSON (one workflow or an array)").fill(JSON.stringify(WORKFLOW));
  await page.getByRole("button", { name: "Import" }).click();
  await expect(page.getByTestId("imported")).toContainText("Imported 1");
  await expect(page.getByTestId("workflows")).toContainText("Greeter");

  await page.getByLabel("Search workflows").fill("nothing-like-this");
  await expect(page.getByText("No workflows yet")).toBeVisible();
  await page.getByLabel("Search workflows").fill("greet");
  await page.getByRole("link", { name: "Greeter" }).click();

  await hydrated(page);
  await expect(page.getByTestId("canvas").locator("g.node")).toHaveCount(2);
  await expect(page.getByTestId("canvas").locator("path.edge")).toHaveCount(1);
  await page.getByRole("button", { name: "Run now" }).click();
  await page.getByRole("link", { name: "see the execution" }).click();
  await expect(page.getByTestId("node-runs")).toContainText("Greet");
  await page.getByTestId("node-runs").getByText("Greet", { exact: true }).click();
  await expect(page.getByTestId("node-runs")).toContainText("Hello world");

  await page.goto("/executions");
  await hydrated(page);
  await expect(page.getByTestId("executions")).toContainText("success");
});

test("listen for a test call, call the test webhook, see what ran", async ({ page, request }) => {
  const path = `hello-${Date.now()}`;
  const hook = {
    name: "Hook greeter",
    nodes: [
      { name: "Hook", type: "n8n-nodes-base.webhook", typeVersion: 2, webhookId: "e2e", position: [0, 0],
        parameters: { httpMethod: "POST", path, responseMode: "lastNode" } },
      { name: "Greet", type: "n8n-nodes-base.set", typeVersion: 3.4, position: [240, 0],
        parameters: { assignments: { assignments: [{ name: "greeting", value: "={{ 'Hi ' + $json.body.who }}", type: "string" }] } } },
    ],
    connections: { Hook: { main: [[{ node: "Greet", type: "main", index: 0 }]] } },
  };
  await signUp(page, { email: uniqueEmail("hooks") });
  await page.goto("/workflows");
  await hydrated(page);
  await page.getByLabel("Workflow JSON (one workflow or an array)").fill(JSON.stringify(hook));
  await page.getByRole("button", { name: "Import" }).click();
  await page.getByRole("link", { name: "Hook greeter" }).click();
  await hydrated(page);

  // Not listening yet: the test URL answers 404.
  expect((await request.post(`/webhook-test/${path}`, { data: { who: "Ada" } })).status()).toBe(404);
  await page.getByTestId("listen").click();
  await expect(page.getByTestId("listening")).toContainText(`POST /webhook-test/${path}`);
  const answer = await request.post(`/webhook-test/${path}`, { data: { who: "Ada" } });
  expect(answer.status()).toBe(200);
  expect(await answer.json()).toEqual({ greeting: "Hi Ada" });

  await page.goto("/executions");
  await hydrated(page);
  await expect(page.getByTestId("executions")).toContainText("manual");
});

test("describe a workflow, preview it on the canvas and import it", async ({ page }) => {
  await signUp(page, { email: uniqueEmail("assistant") });
  await page.goto("/workflows");
  await hydrated(page);
  const assistant = page.getByTestId("assistant");
  await assistant.getByLabel("What should it do?").fill(
    "Every Monday at 9, fetch https://api.shop.test/orders, keep only orders where total is greater than 100 and post them to #sales",
  );
  await assistant.getByRole("button", { name: "Generate" }).click();
  const preview = page.getByTestId("generated");
  await expect(preview).toContainText("Written by the offline planner");
  await expect(preview.getByRole("heading")).toHaveText(/^Every Monday at 9/);
  const canvas = preview.getByTestId("canvas");
  // Drawn as the editor draws it: each node with its type's name.
  for (const kind of ["Schedule Trigger", "HTTP Request", "Filter", "Slack"]) {
    await expect(canvas.locator(".node-kind", { hasText: kind })).toHaveCount(1);
  }
  await expect(canvas.locator("path.edge")).toHaveCount(3);

  // Open in editor: unsaved until saved, then it has an address and is listed.
  await preview.getByRole("button", { name: "Open in editor" }).click();
  await expect(page).toHaveURL(/\/workflows\/new\?draft=open$/);
  await hydrated(page);
  const editor = page.getByTestId("canvas");
  await expect(editor.locator(".node")).toHaveCount(4);
  await expect(editor.locator("path.edge")).toHaveCount(3);
  await expect(page.getByTestId("draft")).toHaveCount(0);
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page).toHaveURL(/\/workflows\/[0-9a-f-]{36}$/);

  // Import as is: stored straight away.
  await page.goto("/workflows");
  await hydrated(page);
  await expect(page.getByTestId("workflows")).toContainText("Every Monday at 9");
  await assistant.getByLabel("What should it do?").fill("When a webhook is called, answer with a greeting");
  await assistant.getByRole("button", { name: "Generate" }).click();
  await preview.getByRole("button", { name: "Import as is" }).click();
  await expect(page.getByTestId("workflows").locator("tbody tr")).toHaveCount(2);
});

test("explain a failed execution and apply the proposed fix", async ({ page }) => {
  const failing = {
    name: "Flaky sync",
    nodes: [
      { name: "Start", type: "n8n-nodes-base.manualTrigger", typeVersion: 1, position: [0, 0], parameters: {} },
      { name: "Sync", type: "n8n-nodes-base.code", typeVersion: 2, position: [240, 0],
        parameters: { jsCode: "throw new Error('the request timed out after 10000 ms');" } },
    ],
    connections: { Start: { main: [[{ node: "Sync", type: "main", index: 0 }]] } },
  };
  await signUp(page, { email: uniqueEmail("explain") });
  await page.goto("/workflows");
  await hydrated(page);
  await page.getByLabel("Workflow JSON (one workflow or an array)").fill(JSON.stringify(failing));
  await page.getByRole("button", { name: "Import", exact: true }).click();
  await page.getByRole("link", { name: "Flaky sync" }).click();
  await expect(page).toHaveURL(/\/workflows\/[0-9a-f-]{36}$/);
  await hydrated(page);
  const workflowUrl = page.url();
  await page.getByRole("button", { name: "Run now" }).click();
  await page.getByRole("link", { name: "see the execution" }).click();
  await hydrated(page);
  await expect(page.getByTestId("execution-error")).toContainText("timed out");

  await page.getByRole("button", { name: "Explain this error" }).click();
  const explanation = page.getByTestId("explanation");
  await expect(explanation).toContainText("took too long to answer");
  await expect(explanation).toContainText("Explained by offline rules.");
  await expect(explanation.locator("pre.json")).toContainText('"retryOnFail": true');
  await explanation.getByRole("button", { name: "Apply this fix" }).click();
  await expect(page.getByTestId("fix-applied")).toBeVisible();

  // The workflow now retries the node.
  const id = workflowUrl.split("/").pop();
  const stored = await page.request.get(`/api/v1/workflows/${id}`);
  expect(stored.ok()).toBeTruthy();
  const body = await stored.json();
  const sync = body.nodes.find((n) => n.name === "Sync");
  expect(sync.retryOnFail).toBe(true);
  expect(sync.maxTries).toBe(3);
});

test("an AI agent with its model and tool on the canvas, and a clear error without a credential", async ({ page }) => {
  const agent = {
    name: "Support agent",
    nodes: [
      { name: "Start", type: "n8n-nodes-base.manualTrigger", typeVersion: 1, position: [0, 0], parameters: {} },
      { name: "AI Agent", type: "@n8n/n8n-nodes-langchain.agent", typeVersion: 1.7, position: [240, 0],
        parameters: { promptType: "define", text: "Where is my order?", options: {} } },
      { name: "Chat Model", type: "@n8n/n8n-nodes-langchain.lmChatOpenAi", typeVersion: 1.2, position: [160, 200],
        parameters: { model: "gpt-4.1-mini", options: {} }, credentials: { openAiApi: { id: "missing", name: "Nobody's key" } } },
      { name: "Orders", type: "@n8n/n8n-nodes-langchain.toolCode", typeVersion: 1.1, position: [360, 200],
        parameters: { name: "orders", description: "Looks up an order", jsCode: "return 'shipped';" } },
    ],
    connections: {
      Start: { main: [[{ node: "AI Agent", type: "main", index: 0 }]] },
      "Chat Model": { ai_languageModel: [[{ node: "AI Agent", type: "ai_languageModel", index: 0 }]] },
      Orders: { ai_tool: [[{ node: "AI Agent", type: "ai_tool", index: 0 }]] },
    },
  };
  await signUp(page, { email: uniqueEmail("agent") });
  await page.goto("/workflows");
  await hydrated(page);
  await page.getByLabel("Workflow JSON (one workflow or an array)").fill(JSON.stringify(agent));
  await page.getByRole("button", { name: "Import", exact: true }).click();
  await page.getByRole("link", { name: "Support agent" }).click();
  await hydrated(page);
  const canvas = page.getByTestId("canvas");
  await expect(canvas.locator("g.node")).toHaveCount(4);
  await expect(canvas.locator("path.edge")).toHaveCount(3);
  await expect(canvas.locator('path.edge-ai[data-kind="ai_languageModel"]')).toHaveCount(1);
  await expect(canvas.locator('path.edge-ai[data-kind="ai_tool"]')).toHaveCount(1);

  await page.getByRole("button", { name: "Run now" }).click();
  await page.getByRole("link", { name: "see the execution" }).click();
  await hydrated(page);
  await expect(page.getByTestId("execution-error")).toContainText("credential of this node does not exist");
});

test("choose the workspace's own key for writing workflows and offline for explanations", async ({ page }) => {
  await signUp(page, { email: uniqueEmail("ai-settings") });
  const created = await page.request.post("/api/v1/credentials", {
    data: { name: "Team OpenAI", type: "openAiApi", data: { apiKey: "sk-team-key" } },
  });
  expect(created.ok()).toBeTruthy();
  await page.goto("/settings/ai");
  await hydrated(page);
  await expect(page.getByTestId("ai-calls")).toContainText("No model calls yet.");
  const generation = page.getByTestId("ai-generation");
  await generation.locator('select[name="generation_use"]').selectOption("own");
  await generation.locator('select[name="generation_credential"]').selectOption({ label: "Team OpenAI (OpenAI)" });
  await generation.locator('input[name="generation_model"]').fill("gpt-4.1-mini");
  await page.getByTestId("ai-analysis").locator('select[name="analysis_use"]').selectOption("offline");
  await page.getByRole("button", { name: "Save AI settings" }).click();
  await expect(page.getByTestId("ai-saved")).toBeVisible();

  await page.reload();
  await hydrated(page);
  await expect(generation.locator('select[name="generation_use"]')).toHaveValue("own");
  await expect(generation.locator('input[name="generation_model"]')).toHaveValue("gpt-4.1-mini");
  await expect(page.getByTestId("ai-analysis").locator('select[name="analysis_use"]')).toHaveValue("offline");
  const stored = await (await page.request.get("/api/v1/ai/settings")).json();
  expect(stored.generation.use).toBe("own");
  expect(JSON.stringify(stored)).not.toContain("sk-team-key");

  // An own key without a model is refused with a reason.
  await generation.locator('input[name="generation_model"]').fill("");
  await page.getByRole("button", { name: "Save AI settings" }).click();
  await expect(page.getByTestId("ai-settings")).toContainText("needs a model name");
});

test("the assistant shows the model's answer as it is written", async ({ page }) => {
  // The browser-test server's model (end2end/fake_llm.py) writes weather reports, slowly.
  await signUp(page, { email: uniqueEmail("stream") });
  await page.goto("/workflows");
  await hydrated(page);
  const assistant = page.getByTestId("assistant");
  await assistant.getByLabel("What should it do?").fill("A weather report every morning in Slack");
  const streamed = page.waitForRequest((r) => r.url().endsWith("/api/v1/ai/workflows/generate/stream"));
  await assistant.getByRole("button", { name: "Generate" }).click();
  await streamed;
  await expect(assistant.getByTestId("writing")).toContainText("Asking openai");
  await expect(assistant.getByTestId("model-answer")).toContainText('"nodes"');
  const preview = page.getByTestId("generated");
  await expect(preview).toContainText("Written by openai");
  await expect(preview.getByRole("heading")).toHaveText("Weather report");
  await expect(preview.getByTestId("canvas").locator("g.node")).toHaveCount(3);
  await expect(assistant.getByTestId("writing")).toHaveCount(0);

  // A spent plan or a refusing model still ends in a workflow: here the model refuses.
  await assistant.getByLabel("What should it do?").fill("Post new orders to #sales");
  await assistant.getByRole("button", { name: "Generate" }).click();
  await expect(page.getByTestId("generated")).toContainText("Written by the offline planner");
});
