/** The typed parsers of numeric options (src/cli/options.ts), one per kind, and the commands that use them. */
import { describe, expect, it } from "vitest";
import { countOrAll, finiteNumber, nonNegativeInteger, nonNegativeNumber, parseSeed, positiveInteger, positiveNumber } from "../../src/cli/options.js";
import { expectReported, gradc, throwsError } from "../helpers.js";

describe("one parser per kind of number", () => {
  it("positive integers, with a bound and its reason", () => {
    const p = positiveInteger("--n", 100, "a hundred at most");
    expect(p("7")).toBe(7);
    for (const bad of ["0", "-3", "2.5", "abc", "", " ", "NaN", "Infinity"]) expect(throwsError("needs_positive_integer", () => p(bad))).toBe(`--n needs a positive integer, got '${bad}'`);
    expect(throwsError("flag_too_large", () => p("101"))).toBe("--n 101 is more than 100 (a hundred at most)");
    expect(nonNegativeInteger("--show")("0")).toBe(0);
    expect(throwsError("needs_non_negative_integer", () => nonNegativeInteger("--show")("-1"))).toBe("--show needs an integer of 0 or more, got '-1'");
  });

  it("positive, non-negative and finite numbers refuse NaN, infinities and text", () => {
    expect(positiveNumber("--lr")("0.1")).toBe(0.1);
    expect(nonNegativeNumber("--x")("0")).toBe(0);
    expect(finiteNumber("--y")("-2.5")).toBe(-2.5);
    for (const bad of ["abc", "NaN", "Infinity", "-Infinity", ""]) {
      expect(throwsError("needs_positive_number", () => positiveNumber("--lr")(bad))).toBe(`--lr needs a positive number, got '${bad}'`);
      expect(throwsError("needs_non_negative_number", () => nonNegativeNumber("--x")(bad))).toBe(`--x needs a number of 0 or more, got '${bad}'`);
      expect(throwsError("needs_finite_number", () => finiteNumber("--y")(bad))).toBe(`--y needs a finite number, got '${bad}'`);
    }
    expect(throwsError("needs_positive_number", () => positiveNumber("--lr")("0"))).toBe("--lr needs a positive number, got '0'");
    expect(throwsError("needs_non_negative_number", () => nonNegativeNumber("--x")("-0.5"))).toBe("--x needs a number of 0 or more, got '-0.5'");
  });

  it("seeds are 32-bit integers (1 and 2^32 + 1 gave the same numbers)", () => {
    expect(parseSeed("4294967295")).toBe(4294967295);
    expect(throwsError("seed_out_of_range", () => parseSeed("4294967297"))).toMatch(/^--seed 4294967297 is outside 0 to 4294967295/);
    expect(throwsError("seed_out_of_range", () => parseSeed("-1"))).toMatch(/^--seed -1 is outside 0 to 4294967295/);
    expect(throwsError("needs_integer", () => parseSeed("1.5"))).toBe("--seed needs an integer, got '1.5'");
  });

  it("a count or 'all'", () => {
    expect(countOrAll("--sample")("all")).toBe(Infinity);
    expect(countOrAll("--sample")("20")).toBe(20);
    expect(throwsError("needs_count_or_all", () => countOrAll("--sample")("2.5"))).toBe("--sample needs a positive count or 'all', got '2.5'");
  });
});

describe("every command's numeric options are checked where they enter", () => {
  const cases: [string[], string, string][] = [
    [["check", "graphs/apple.graph", "--sample", "2.5"], "--sample needs a positive count or 'all', got '2.5'", "needs_count_or_all"],
    [["check", "graphs/apple.graph", "--tol", "NaN"], "--tol needs a positive number, got 'NaN'", "needs_positive_number"],
    [["render", "graphs/apple.graph", "--dot", "--seed", "x"], "--seed needs an integer, got 'x'", "needs_integer"],
    [["export", "graphs/apple.graph", "--onnx", "runs/never.onnx", "--seed", "1.5"], "--seed needs an integer, got '1.5'", "needs_integer"],
    [["predict", "--show", "abc"], "--show needs an integer of 0 or more, got 'abc'", "needs_non_negative_integer"],
  ];
  for (const [args, message, id] of cases) {
    it(args.join(" "), () => {
      const r = gradc(args);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(`gradc: error: ${message}\n`);
      expectReported(r, id);
      expect(r.stdout).toBe("");
    });
  }
});
