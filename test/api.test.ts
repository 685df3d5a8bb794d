/**
 * The library as a user's project sees it: docs/api.md's example runs in a fresh ESM
 * project whose node_modules/gradc is this package, prints what the page shows, and
 * type-checks under `strict`; the package entry (dist/, the build) exports every name of src/index.ts.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "./helpers.js";

const page = readFileSync(`${ROOT}docs/api.md`, "utf8");
const code = /```js\n([^]*?)```/.exec(page)![1]!;
const shown = /It prints:\n\n```text\n([^]*?)```/.exec(page)![1]!;

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), "gradc-api-"));
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(ROOT, join(dir, "node_modules", "gradc"), "dir");
  writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module", private: true }));
  writeFileSync(join(dir, "example.mjs"), code);
  writeFileSync(join(dir, "example.ts"), code);
  return dir;
}

describe("docs/api.md", () => {
  it("its example runs in a project that imports gradc and prints what the page shows", { timeout: 60_000 }, () => {
    const dir = project();
    // plain Node, as the page says: the package runs from its build, dist/ (npm test builds it first)
    const r = spawnSync(process.execPath, ["example.mjs"], { cwd: dir, encoding: "utf8", timeout: 60_000 });
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe(shown);
    expect(readFileSync(join(dir, "apple.svg"), "utf8")).toMatch(/^<svg|<\?xml/);
    expect(readFileSync(join(dir, "apple.generated.ts"), "utf8")).toContain("export function step(");
  });

  it("its example type-checks under strict against the package's types", { timeout: 120_000 }, () => {
    const dir = project();
    const config = {
      compilerOptions: { module: "NodeNext", moduleResolution: "NodeNext", target: "ES2022", strict: true, noEmit: true, skipLibCheck: true, types: ["node"], typeRoots: [join(ROOT, "node_modules/@types")] },
      files: ["example.ts"],
    };
    writeFileSync(join(dir, "tsconfig.json"), JSON.stringify(config));
    const r = spawnSync(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", "."], { cwd: dir, encoding: "utf8", timeout: 120_000 });
    expect(r.stdout + r.stderr).toBe("");
    expect(r.status).toBe(0);
  });
});

describe("the package entry", () => {
  it("exports every value that src/index.ts exports", async () => {
    const source = await import("../src/index.js");
    const entry = (await import(`${ROOT}dist/index.js`)) as Record<string, unknown>;
    expect(Object.keys(entry).sort()).toEqual(Object.keys(source).sort());
  });
});
