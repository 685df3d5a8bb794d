/** Every command in docs/tutorial.md runs as written and prints what the page shows. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { gradc, ROOT } from "./helpers.js";

const page = readFileSync(`${ROOT}docs/tutorial.md`, "utf8");
const blocks = [...page.matchAll(/```console\n\$ npx gradc ([^\n]+)\n([^]*?)```/g)].map((m) => ({ args: m[1]!, output: m[2]! }));

describe("docs/tutorial.md", () => {
  it("has commands to check", () => expect(blocks.length).toBeGreaterThanOrEqual(10));
  for (const b of blocks) {
    it(`npx gradc ${b.args}`, { timeout: 60_000 }, () => {
      const r = gradc(b.args.split(" "));
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(b.output);
    });
  }
});
