/** A seeded slice of the fuzzer in every test run: mutated graphs fail located, or compile, run and agree with the interpreter. */
import { describe, expect, it } from "vitest";
import { GradcError } from "../../src/index.js";
import { fuzz, fuzzOne } from "./run.js";

describe("fuzzing the whole compiler: front end to compiled code, against the interpreter", () => {
  it("1,500 mutated and generated graphs end in a located error or in agreement", { timeout: 300_000 }, async () => {
    const r = await fuzz(1500, 424242);
    expect(r.failures.map((c) => `seed ${c.seed}: ${c.why}\n${c.text}`).slice(0, 3)).toEqual([]);
    expect(r.compared).toBeGreaterThan(150); // the deep path is taken, not only the parser
  });

  it("counts a crash, an error without a location and a wrong number as failures", async () => {
    expect(await fuzzOne("input a: f16 = 1")).toBeUndefined(); // located: fine
    expect(await fuzzOne("y = " + "(".repeat(100000) + "1" + ")".repeat(100000))).toBeUndefined();
    const graph = "input x = 2\ny = x * 3\noutput y\n";
    expect(await fuzzOne(graph, () => { throw new RangeError("Maximum call stack size exceeded"); })).toBe("RangeError: Maximum call stack size exceeded");
    expect(await fuzzOne(graph, () => { throw new GradcError({ code: "E001", id: "lost", message: "lost" }); })).toBe("an error without a location: lost");
    expect(await fuzzOne(graph, async () => "wrong float64 result: y[0]: 7 vs 6")).toBe("wrong float64 result: y[0]: 7 vs 6");
    expect(await fuzzOne(graph)).toBeUndefined(); // compiled, run, and equal
  });
});
