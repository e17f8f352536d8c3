// Every signed-in page, on a desktop and on a 360 px phone: no WCAG 2.1 A/AA violation that
// axe can find, nothing wider than the screen, and a full-page screenshot kept with the test's
// output (test-results/) for a person to look at.
import { test, expect } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";
import { hydrated, signUp, uniqueEmail } from "./helpers.mjs";

const pages = [
  ["dashboard", "/"],
  ["workflows", "/workflows"],
  ["editor", "/workflows/new"],
  ["executions", "/executions"],
  ["billing", "/billing"],
  ["plans", "/billing/plans"],
  ["members", "/settings/members"],
  ["api-keys", "/settings/api-keys"],
  ["security", "/settings/security"],
  ["notifications", "/settings/notifications"],
  ["ai-settings", "/settings/ai"],
];

for (const [width, height] of [[1280, 800], [360, 740]]) {
  test(`signed-in pages pass axe and fit ${width} px`, async ({ page }, testInfo) => {
    await page.setViewportSize({ width, height });
    await signUp(page, { email: uniqueEmail(`a11y-${width}`), org: "Access Co" });
    // Every page is looked at before failing, so one run lists every problem.
    const problems = [];
    for (const [name, path] of pages) {
      await page.goto(path);
      await hydrated(page);
      await expect(page.locator("main h1").first()).toBeVisible();

      const { violations } = await new AxeBuilder({ page })
        .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"])
        .analyze();
      for (const v of violations) {
        problems.push(`${path}: ${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
      }
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      if (overflow > 0) problems.push(`${path}: ${overflow} px wider than the screen`);

      await page.screenshot({ path: testInfo.outputPath(`${name}-${width}.png`), fullPage: true });
    }
    expect(problems, `at ${width} px`).toEqual([]);
  });
}
