#!/usr/bin/env node
// The `gradc` command. In a checkout of the repository it runs the TypeScript sources
// through tsx (a devDependency), so an edit takes effect without a build; an installed
// package has no src/ and runs the build in dist/.
import { existsSync } from "node:fs";

const source = new URL("../src/cli/main.ts", import.meta.url);
let main;
if (existsSync(source)) {
  try {
    const { register } = await import("tsx/esm/api");
    register();
    ({ main } = await import(source.href));
  } catch (e) {
    if (e?.code !== "ERR_MODULE_NOT_FOUND") throw e;
  }
}
main ??= (await import("../dist/cli/main.js")).main;
process.exitCode = await main(process.argv.slice(2));
