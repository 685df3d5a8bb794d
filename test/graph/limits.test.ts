/** The sizes gradc refuses (src/graph/limits.ts): a located error before anything is allocated. */
import { describe, expect, it } from "vitest";
import { MAX_TENSOR_ELEMENTS } from "../../src/graph/limits.js";
import { compile, errorIs } from "../helpers.js";

describe("tensor size limit", () => {
  it("refuses a declared input, param (before filling its value) or an expression past 2^26 elements", () => {
    expect(errorIs("tensor_too_large", "input x: f32[4294967296]\nL = sum(x)\noutput L\n")).toContain("bad.graph:1:7: error: input x would have 4,294,967,296 elements");
    expect(errorIs("tensor_too_large", "param W: f32[100000, 100000] = 0\nL = sum(W)\nloss L\n")).toContain("bad.graph:1:10: error: param W would have 10,000,000,000 elements");
    expect(errorIs("tensor_too_large", "input x: f32[3] = [1, 2, 3]\ny = repeat(x, 100000000, axis=0)\nL = sum(y)\noutput L\n")).toContain("bad.graph:2:5: error: this expression would have 300,000,000 elements");
    expect(errorIs("tensor_too_large", "input x: f32[20000, 20000]\noutput x\n")).toContain("more than gradc's limit of 67,108,864 (2^26) per tensor");
  });

  it("takes a tensor of exactly the limit's size (declared, not allocated: the dims are static)", () => {
    expect(MAX_TENSOR_ELEMENTS).toBe(2 ** 26);
    expect(compile(`input x: f32[${2 ** 13}, ${2 ** 13}]\ny = 2 * x\noutput y\n`).inputs[0]!.node.type.shape).toEqual([8192, 8192]);
  });
});
