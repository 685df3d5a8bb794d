/** Names used before their definition and misspelt words, wherever they appear (issue 17's class). */
import { describe, expect, it } from "vitest";
import { errorIs } from "../helpers.js";

describe("used before it is defined", () => {
  it("in a fn body, for a value and for a function", () => {
    expect(errorIs("used_before_defined_in_fn", "fn f(a) = a + z\ninput z = 1\ny = f(z)\noutput y\n")).toMatch(/^bad.graph:1:15: error: 'z' is used before it is defined \(at line 2\): fn f sees only names defined before it\n/);
    expect(errorIs("function_used_before_defined_in_fn", "fn f(a) = a + g(a)\nfn g(b) = b\ninput z = 1\ny = f(z)\noutput y\n")).toMatch(/^bad.graph:1:15: error: 'g' is used before it is defined \(at line 2\)/);
  });

  it("a function called in an expression before its fn statement", () => {
    expect(errorIs("function_used_before_defined", "input z = 1\ny = g(z)\nfn g(b) = b\noutput y\n")).toMatch(/^bad.graph:2:5: error: 'g' is used before it is defined \(at line 3\)\n/);
  });

  it("a fn that calls itself keeps its own message", () => {
    expect(errorIs("fn_calls_itself", "fn f(a) = f(a)\ninput z = 1\noutput z\n")).toMatch(/^bad.graph:1:11: error: unknown function 'f' \(a fn cannot call itself\)/);
  });
});

describe("did you mean", () => {
  it("a misspelt 'wrt'", () => {
    expect(errorIs("expected_wrt", "input x = 1\ny = x\ngrad y wtr x\n")).toMatch(/^bad.graph:3:8: error: expected 'wrt' after 'grad y', found 'wtr' \(did you mean 'wrt'\?\)/);
  });

  it("close names only: a third of the name may be wrong", () => {
    expect(errorIs("unknown_name", "input apple = 1\ny = appel * 2\noutput y\n")).toMatch(/unknown name 'appel' \(did you mean 'apple'\?\)/);
    expect(errorIs("unknown_function", "input x = 1\ny = sofmax(x)\noutput y\n")).toMatch(/unknown function 'sofmax' \(did you mean 'softmax'\?\)/);
    expect(errorIs("expected_assignment", "input x = 1\ny = x\nlose y\n")).toMatch(/statement word \(did you mean 'loss'\?\)/);
    expect(errorIs("expected", "input x = 1\ny = x\nout y\n")).not.toContain("did you mean");
  });
});

describe("a byte-order mark through the library (compileText), not only the command line", () => {
  it("is not echoed and does not move the column", () => {
    expect(errorIs("unknown_name", "\ufeffy = x\noutput y\n")).toBe("bad.graph:1:5: error: unknown name 'x'\n   1 | y = x\n     |     ^");
  });
});
