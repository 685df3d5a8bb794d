/**
 * The screenshots of docs/playground.md (docs/playground/*.png), taken in Debian's
 * chromium from the built playground: `npm run docs:playground` (after `npm run build`).
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { launch, servePlayground } from "../test/playground/serve.js";
import { ROOT } from "../test/helpers.js";

const OUT = join(ROOT, "docs/playground");

async function shoot(page: Page, name: string, selector?: string): Promise<void> {
  const path = join(OUT, `${name}.png`);
  if (selector) await page.locator(selector).screenshot({ path });
  else await page.screenshot({ path });
  process.stdout.write(`wrote ${path}\n`);
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const served = await servePlayground();
  const browser = await launch();
  try {
    const page = await browser.newPage({ viewport: { width: 1360, height: 820 } });
    const open = async (path: string) => {
      await page.goto(served.url + path);
      await page.waitForSelector("body[data-ready=true]");
    };
    await open("?example=apple&step=2");
    await shoot(page, "apple-step2");
    await page.click("#diagram g#node-8");
    await shoot(page, "node-info", "#right");
    await page.locator(".cm-content .cm-line").nth(7).click();
    await page.keyboard.press("End");
    await page.keyboard.type("x");
    await page.waitForSelector(".cm-lintRange-error");
    await page.locator(".cm-content .cm-line").nth(7).hover();
    await shoot(page, "typo", "#left");
    await open("?example=two_layer_net&step=3");
    await page.click("#code-panel summary");
    await page.waitForSelector("#code .kernel");
    await page.locator("#code .kernel").nth(1).click();
    await shoot(page, "code");
    await page.click("#train");
    await page.waitForSelector("#train-status[data-test-accuracy]", { timeout: 120_000 });
    await shoot(page, "training", "#training");
  } finally {
    await browser.close();
    served.stop();
  }
}

await main();
