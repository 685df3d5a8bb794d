/**
 * The module cache runs only what gradc wrote there: a planted file — content that does
 * not match its hash, a file or folder of another user, a symbolic link — is never
 * imported; the module is compiled again and works.
 */
import { chmodSync, chownSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { compileText } from "../../src/pipeline.js";
import { cacheDir, sha256 } from "../../src/runtime/cache.js";
import { loadCompiled } from "../../src/runtime/load.js";

const root = process.getuid?.() === 0;
const graph = () => compileText("input x = 2\ny = x * 3\noutput y\n", `cache-${Math.random()}.graph`);
const PLANT = `globalThis.__gradcPlanted = true; export const meta = { dims: [] };\n`;
const planted = () => (globalThis as { __gradcPlanted?: boolean }).__gradcPlanted === true;

let dir: string;
beforeEach(() => {
  dir = join(mkdtempSync(join(tmpdir(), "gradc-cache-test-")), "cache");
  process.env["GRADC_CACHE_DIR"] = dir;
  delete (globalThis as { __gradcPlanted?: boolean }).__gradcPlanted;
});
afterEach(() => {
  delete process.env["GRADC_CACHE_DIR"];
});

/** The graph compiled once, so its entry exists; its path. */
async function entry(g: ReturnType<typeof graph>): Promise<string> {
  await loadCompiled(g);
  const [name] = readdirSync(dir);
  return join(dir, name!);
}

async function works(g: ReturnType<typeof graph>) {
  const m = await loadCompiled(g);
  const ws = m.createWorkspace({});
  expect(m.forward(ws, { x: 2 }, {})["y"]).toBe(6);
}

describe("the module cache", () => {
  it("is created mode 0700, and an entry starts with the hash of its code", async () => {
    const path = await entry(graph());
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const [head, ...rest] = readFileSync(path, "utf8").split("\n");
    expect(head).toBe(`// gradc cache sha256:${sha256(rest.join("\n"))}`);
  });

  it("does not run a planted file whose content does not match its hash, and rewrites it", async () => {
    const g = graph();
    const path = await entry(g);
    const head = readFileSync(path, "utf8").split("\n")[0]!;
    writeFileSync(path, `${head}\n${PLANT}`);
    await works(g);
    expect(planted()).toBe(false);
    expect(readFileSync(path, "utf8")).not.toContain("__gradcPlanted");
  });

  it.skipIf(!root)("does not run a file of another user, even with a matching hash", async () => {
    const g = graph();
    const path = await entry(g);
    writeFileSync(path, `// gradc cache sha256:${sha256(PLANT)}\n${PLANT}`);
    chownSync(path, 65534, 65534);
    await works(g);
    expect(planted()).toBe(false);
  });

  it.skipIf(!root)("does not use a folder of another user at all", async () => {
    const g = graph();
    const path = await entry(g);
    writeFileSync(path, `// gradc cache sha256:${sha256(PLANT)}\n${PLANT}`);
    chownSync(dir, 65534, 65534);
    await works(g);
    expect(planted()).toBe(false);
    expect(readFileSync(path, "utf8")).toContain("__gradcPlanted"); // left alone: not ours to touch
  });

  it("does not follow a symbolic link planted as an entry", async () => {
    const g = graph();
    const path = await entry(g);
    const elsewhere = join(dir, "..", "evil.mjs");
    writeFileSync(elsewhere, `// gradc cache sha256:${sha256(PLANT)}\n${PLANT}`);
    rmSync(path);
    symlinkSync(elsewhere, path);
    await works(g);
    expect(planted()).toBe(false);
  });

  it("takes a folder of its own that others could write back to 0700", async () => {
    mkdirSync(dir, { recursive: true });
    chmodSync(dir, 0o777);
    await works(graph());
    expect(lstatSync(dir).mode & 0o777).toBe(0o700);
  });

  it("lives in the project's node_modules/.cache, or the user's cache folder — never a shared temp folder", () => {
    delete process.env["GRADC_CACHE_DIR"];
    expect(cacheDir()).toMatch(/node_modules\/\.cache\/gradc$/);
    expect(cacheDir({ XDG_CACHE_HOME: "/home/u/.xdg" })).not.toContain(tmpdir() + "/gradc");
  });
});
