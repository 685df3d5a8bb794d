/** What a new user's mistakes get: the messages of issue 12's front-end points, each located. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { errorIs, expectReported, gradc, runText } from "../helpers.js";

const file = (name: string, content: string | Buffer) => {
  const path = join(mkdtempSync(join(tmpdir(), "gradc-user-")), name);
  writeFileSync(path, content);
  return path;
};

describe("messages for a new user's mistakes", () => {
  it("a name used before its definition says so, instead of suggesting another name", () => {
    expect(errorIs("used_before_defined", "input x = 1\ny = z * 2\nz = x\noutput y\n")).toMatch(/^bad.graph:2:5: error: 'z' is used before it is defined \(at line 3\)/);
  });

  it("did you mean: misspelt statement words and names, not far-fetched ones", () => {
    expect(errorIs("expected_assignment", "input x = 1\nouptut x\n")).toMatch(/^bad.graph:2:1: error: expected '=' after 'ouptut', or a statement word \(did you mean 'output'\?\)/);
    expect(errorIs("unknown_name_in", "input x = 1\ny = x\ngrad y wrt xx\n")).toMatch(/^bad.graph:3:12: error: unknown name 'xx' in wrt \(did you mean 'x'\?\)/);
    expect(errorIs("unknown_function", "input x = 1\ny = ge(x, 0)\noutput y\n")).toMatch(/^bad.graph:2:5: error: unknown function 'ge'\n/);
  });

  it("a name listed twice, and a fn body that uses an unknown name even if never called", () => {
    expect(errorIs("duplicate_output", "input x = 1\noutput x, x\n")).toMatch(/^bad.graph:2:11: error: 'x' is listed as an output twice/);
    expect(errorIs("duplicate_grad", "input x = 1\ngrad x wrt x, x\n")).toMatch(/^bad.graph:2:15: error: the gradient of x with respect to x is already asked for/);
    expect(errorIs("unknown_name_in_fn", "fn f(a) = a + nosuch\ninput x = 1\noutput x\n")).toMatch(/^bad.graph:1:15: error: unknown name 'nosuch' in the body of f/);
    expect(errorIs("unknown_function", "fn f(a) = g(a)\ninput x = 1\noutput x\n")).toMatch(/^bad.graph:1:11: error: unknown function 'g'/);
  });

  it("a graph that asks for nothing is an error at 1:1 for run, check and compile; ir still shows it", () => {
    const empty = file("empty.graph", "");
    for (const cmd of ["run", "check", "compile"]) {
      const r = gradc([cmd, empty, ...(cmd === "compile" ? ["-o", `${empty}.ts`] : [])]);
      expect(r.code, cmd).toBe(1);
      expect(r.stderr).toContain(`${empty}:1:1: error: ${empty} asks for nothing: add 'output NAME', 'loss NAME' or 'grad NAME wrt X'`);
      expectReported(r, "asks_for_nothing");
    }
    expect(gradc(["ir", file("quiet.graph", "input x = 1\ny = x * 2\n")]).code).toBe(0);
  });

  it("columns are right with a byte-order mark and with tabs; a binary file is not echoed", () => {
    const bom = gradc(["run", file("bom.graph", "\ufeffy = x\noutput y\n")]);
    expect(bom.stderr).toContain("bom.graph:1:5: error: unknown name 'x'\n   1 | y = x\n     |     ^");
    expectReported(bom, "unknown_name");
    const tab = gradc(["run", file("tab.graph", "input x = 1\n\ty =\tx + zz\noutput y\n")]);
    expect(tab.stderr).toContain("tab.graph:2:10: error: unknown name 'zz'\n   2 | \ty =\tx + zz\n     | \t   \t    ^~");
    expectReported(tab, "unknown_name");
    const binary = gradc(["run", file("bin.graph", Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2]))]);
    expect(binary.stderr).toMatch(/it is not a text file \(it holds NUL bytes\)\n$/);
    expectReported(binary, "not_text_file");
    expect(errorIs("unexpected_character", "input x = 1\n\u0001y = x\n")).toMatch(/^bad.graph:2:1: error: unexpected character U\+0001\n {3}2 \| \ufffdy = x/);
  });

  it("a scalar default fills a tensor input, and a param without a type takes its value's, like an input", () => {
    const r = runText("input h: f64[2, 3] = 0.5\nparam b = 2\nparam c = [1, 2]\ny = sum(h) * b + sum(c)\noutput y\ngrad y wrt h, b, c\n");
    expect(r.outputs["y"]).toBe(9);
    expect(r.grads["y"]).toEqual({ h: [[2, 2, 2], [2, 2, 2]], b: 3, c: [1, 1] });
  });
});
