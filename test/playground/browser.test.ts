/**
 * The playground in a real browser (Debian's chromium through playwright-core): typing
 * the apple graph shows 715, four steps of the backward pass write the textbook's
 * gradients in red, a typo is underlined at its line:col, a link opens a moment of the
 * backward pass, the TwoLayerNet trains in a worker, and a plain crawler's dump of the
 * DOM holds the state. Screenshots go to runs/playground/.
 */
import { spawnSync } from "node:child_process";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHROMIUM_FLAGS, chromiumPath, freshProfile, launch, servePlayground, shotPath, type Served } from "./serve.js";

const APPLE = [
  "# apple.graph: buying apples and oranges",
  "input apple = 100",
  "input apple_num = 2",
  "input orange = 150",
  "input orange_num = 3",
  "input tax = 1.1",
  "",
  "apple_price  = apple * apple_num",
  "orange_price = orange * orange_num",
  "all_price    = apple_price + orange_price",
  "price        = all_price * tax",
  "",
  "output price",
  "grad price wrt apple, apple_num, orange, orange_num, tax",
];

let served: Served;
let browser: Browser;

beforeAll(async () => {
  served = await servePlayground();
  browser = await launch();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  served?.stop();
});

async function open(path: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.on("pageerror", (e) => console.error(`page error: ${e.message}`));
  await page.goto(served.url + path);
  await page.waitForSelector("body[data-ready=true]", { timeout: 30_000 });
  return page;
}

/** The diagram's texts: all of them, and those written in the gradient's red. */
async function diagramTexts(page: Page): Promise<{ all: string[]; red: string[] }> {
  const all = await page.locator("#diagram svg text").allTextContents();
  const red = await page.locator('#diagram svg text[fill="#c0392b"]').allTextContents();
  return { all, red };
}

/** The values of `after` that `before` did not hold (as multisets), sorted. */
function added(before: readonly string[], after: readonly string[]): string[] {
  const left = [...before];
  return after.filter((t) => (left.includes(t) ? (left.splice(left.indexOf(t), 1), false) : true)).sort();
}

/** Waits until the diagram shows step `k`. */
const atStep = (page: Page, k: number) => page.waitForSelector(`#diagram[data-step="${k}"] svg`, { timeout: 10_000 });

async function typeGraph(page: Page, lines: readonly string[]): Promise<void> {
  await page.click(".cm-content");
  await page.keyboard.press("Control+A");
  await page.keyboard.press("Delete");
  for (const line of lines) {
    await page.keyboard.type(line);
    // a completion list may be open: Escape closes it, so Enter makes a new line
    await page.keyboard.press("Escape");
    await page.keyboard.press("Enter");
  }
}

describe("the playground in chromium", () => {
  it("shows 715 for the typed apple graph, and the textbook's gradients in red after four steps", { timeout: 90_000 }, async () => {
    const page = await open("/?example=relu");
    await typeGraph(page, APPLE);
    await page.waitForFunction("document.querySelector('#diagram')?.textContent?.includes('715')", undefined, { timeout: 15_000 });
    await atStep(page, 0);
    let texts = await diagramTexts(page);
    expect(texts.all).toContain("715");
    expect(texts.red).toEqual(["1"]);
    // each step writes what one node sends back: the values new in red since the step before
    const sequence: string[][] = [];
    for (let k = 1; k <= 4; k++) {
      const before = [...texts.red];
      await page.click("#forward");
      await atStep(page, k);
      texts = await diagramTexts(page);
      sequence.push(added(before, texts.red));
    }
    expect(sequence.slice(0, 2)).toEqual([["1.1", "650"], ["1.1", "1.1"]]);
    // the two × nodes, in either order
    expect(sequence.slice(2).map((s) => s.join(" ")).sort()).toEqual(["110 2.2", "165 3.3"]);
    await page.screenshot({ path: shotPath("apple-step4.png"), fullPage: true });
    for (const g of ["2.2", "110", "3.3", "165", "650"]) expect(texts.red).toContain(g);
    expect(await page.locator("#forward").isDisabled()).toBe(true);
    expect(await page.locator("#step-label").textContent()).toBe("step 4 of 4");
    await page.close();
  });

  it("underlines a typo at its line:col, with the compiler's message", { timeout: 60_000 }, async () => {
    const page = await open("/?example=apple");
    // line 8: `apple_price  = apple * apple_num` → `… * aple_num`, column 24
    const line8 = page.locator(".cm-content .cm-line").nth(7);
    await line8.click();
    await page.keyboard.press("End");
    // the cursor after `ap` of `apple_num`: Backspace deletes the first p
    for (let i = 0; i < "ple_num".length; i++) await page.keyboard.press("ArrowLeft");
    await page.keyboard.press("Backspace");
    await page.waitForSelector(".cm-lintRange-error", { timeout: 10_000 });
    const at = (await page.evaluate(`(() => {
      const mark = document.querySelector(".cm-lintRange-error");
      const line = mark.closest(".cm-line");
      const lines = [...document.querySelectorAll(".cm-content .cm-line")];
      const before = document.createRange();
      before.setStart(line, 0);
      before.setEndBefore(mark);
      return { line: lines.indexOf(line) + 1, col: before.toString().length + 1, text: mark.textContent };
    })()`)) as { line: number; col: number; text: string };
    await page.screenshot({ path: shotPath("typo.png") });
    expect(at).toEqual({ line: 8, col: 24, text: "aple_num" });
    const problem = await page.locator("#problems").textContent();
    expect(problem).toContain("apple.graph:8:24: error:");
    expect(problem).toContain("aple_num");
    await page.close();
  });

  it("opens /?example=apple&step=2 at that moment: 1.1 and 650, then 1.1 twice, in red; no 2.2 yet", { timeout: 60_000 }, async () => {
    const page = await open("/?example=apple&step=2");
    await atStep(page, 2);
    const { all, red } = await diagramTexts(page);
    await page.screenshot({ path: shotPath("apple-step2.png"), fullPage: true });
    expect(all).toContain("715");
    expect(red.filter((t) => t === "1.1")).toHaveLength(3);
    expect(red).toContain("650");
    expect(red).not.toContain("2.2");
    expect(await page.locator("#explain").textContent()).toContain("Step 2 of 4");
    expect(await page.locator("#status").textContent()).toBe("apple.graph: 10 nodes; the backward pass adds 6");
    // each node's gradient check, green, its figure in the tooltip
    const tips = (await page.evaluate(`[...document.querySelectorAll("#diagram g.node a")].map((a) => a.getAttribute("xlink:title"))`)) as string[];
    expect(tips.filter((t) => t.startsWith("tax: gradient check: backprop 650, central differences 650"))).toHaveLength(1);
    expect(await page.locator('#diagram g.node [fill="#d5f5dd"]').count()).toBeGreaterThanOrEqual(7);
    // a click on price's × node: its local rule from the op table, with its numbers
    await page.click("#diagram g#node-8");
    const info = await page.locator("#node-info").textContent();
    expect(info).toContain("the upstream gradient times the other input");
    expect(info).toContain("1 × 650 = 650 → tax");
    await page.close();
  });

  it("shrinks a diagram a little wider than its box to fit (down to 60%), keeps a far wider one's size and scrolls; a resized window refits", { timeout: 60_000 }, async () => {
    const page = await browser.newPage({ viewport: { width: 900, height: 900 } });
    page.on("pageerror", (e) => console.error(`page error: ${e.message}`));
    await page.goto(served.url + "/?example=apple");
    await page.waitForSelector("body[data-ready=true]", { timeout: 30_000 });
    const size = () => page.evaluate(`(() => { const box = document.getElementById("diagram"); const svg = box.querySelector("svg"); return { room: box.clientWidth, width: svg.getBoundingClientRect().width, natural: Number(svg.dataset.width), scroll: box.scrollWidth, scale: Number(box.dataset.scale) }; })()`) as Promise<{ room: number; width: number; natural: number; scroll: number; scale: number }>;
    const narrow = await size();
    expect(narrow.natural).toBeGreaterThan(narrow.room); // Graphviz drew apple wider than this window's box
    expect(narrow.scale).toBeLessThan(1);
    expect(narrow.scale).toBeGreaterThanOrEqual(0.6);
    expect(narrow.width).toBeLessThanOrEqual(narrow.room + 0.5);
    expect(narrow.scroll).toBeLessThanOrEqual(narrow.room + 1); // nothing to scroll
    await page.setViewportSize({ width: 1400, height: 900 });
    await page.waitForFunction(`Number(document.getElementById("diagram").dataset.scale) === 1`, undefined, { timeout: 5_000 });
    expect((await size()).width).toBeCloseTo(narrow.natural, 0);
    // the TwoLayerNet's is far wider: shrunk to fit, its labels would be unreadable, so it keeps its size and the box scrolls
    await page.setViewportSize({ width: 900, height: 900 });
    await page.goto(served.url + "/?example=two_layer_net&step=3");
    await page.waitForSelector("body[data-ready=true]", { timeout: 30_000 });
    const wide = await size();
    expect(wide.natural * 0.6).toBeGreaterThan(wide.room);
    expect(wide.scale).toBe(1);
    expect(wide.width).toBeCloseTo(wide.natural, 0);
    expect(wide.scroll).toBeGreaterThan(wide.room);
    await page.close();
  });

  it("differentiates a user function with mathjs, loaded after the page is drawn (softplus: sigmoid(z) in red)", { timeout: 60_000 }, async () => {
    const page = await open("/?example=softplus&step=2");
    await atStep(page, 2);
    const { red } = await diagramTexts(page);
    expect(red).toContain("[0.2689, 0.5, 0.8808]");
    await page.close();
  });

  it("links each kernel of the generated code to its line, and trains the TwoLayerNet 300 iterations in a worker to a test accuracy over 0.8", { timeout: 120_000 }, async () => {
    const page = await open("/?example=two_layer_net");
    // the generated module beside the graph: a kernel lights its .graph line, a line its kernels
    await page.click("#code-panel summary");
    await page.locator('#code .kernel[data-kernel="affine_relu_h"]').click();
    expect(await page.locator(".cm-line.cm-source-lit").allTextContents()).toEqual(["h     = relu(x @ W1 + b1)"]);
    await page.locator(".cm-content .cm-line").nth(11).click();
    const lit = await Promise.all((await page.locator("#code .kernel.lit").all()).map((k) => k.getAttribute("data-kernel")));
    expect(lit).toContain("softmax_ce_loss");
    await page.fill("#iters", "300");
    await page.fill("#threads", "1");
    await page.click("#train");
    await page.waitForSelector("#train-status[data-test-accuracy]", { timeout: 100_000 });
    const accuracy = Number(await page.locator("#train-status").getAttribute("data-test-accuracy"));
    await page.screenshot({ path: shotPath("training.png"), fullPage: true });
    expect(accuracy).toBeGreaterThan(0.8);
    expect(await page.locator("#train-status").getAttribute("data-threads")).toBe("1");
    expect(await page.locator("#train-status").textContent()).toContain("1 thread, every kernel in WebAssembly");
    expect(await page.locator("#digits figure").count()).toBeGreaterThan(0);
    await page.close();
  });

  it("trains with two threads: a team of Web Workers over one shared WebAssembly memory (the page is cross-origin isolated), every kernel in WebAssembly, to the same accuracy", { timeout: 120_000 }, async () => {
    const page = await open("/?example=two_layer_net");
    expect(await page.evaluate(() => (globalThis as unknown as { crossOriginIsolated: boolean }).crossOriginIsolated)).toBe(true);
    await page.fill("#iters", "300");
    await page.fill("#threads", "2");
    await page.click("#train");
    await page.waitForSelector("#train-status[data-test-accuracy]", { timeout: 100_000 });
    const status = page.locator("#train-status");
    expect(await status.getAttribute("data-threads")).toBe("2");
    expect(await status.textContent()).toContain("2 threads, every kernel in WebAssembly");
    expect(Number(await status.getAttribute("data-test-accuracy"))).toBeGreaterThan(0.8);
    await page.close();
  });

  it("holds the state in the DOM: chromium --dump-dom of ?example=apple&step=4 shows 715 and the five gradients", { timeout: 60_000 }, () => {
    const r = spawnSync(chromiumPath(), [...CHROMIUM_FLAGS, "--headless", `--user-data-dir=${freshProfile()}`, "--dump-dom", "--virtual-time-budget=20000", `${served.url}?example=apple&step=4`], { encoding: "utf8", timeout: 50_000 });
    const svg = r.stdout.slice(r.stdout.indexOf('<div id="diagram"'));
    const texts = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    const red = [...svg.matchAll(/<text[^>]*fill="#c0392b"[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    expect(texts).toContain("715");
    for (const g of ["2.2", "110", "3.3", "165", "650"]) expect(red).toContain(g);
  });
});
