/** A seeded slice of the fuzzer in every test run: mutated graphs compile or fail located. */
import { describe, expect, it } from "vitest";
import { GradcError } from "../../src/index.js";
import { fuzz, fuzzOne } from "./run.js";

describe("fuzzing the front end, autodiff, optimizer and planner", () => {
  it("3,000 mutated graphs end in success or a located error", { timeout: 120_000 }, () => {
    const r = fuzz(3000, 424242);
    expect(r.crashes.map((c) => `seed ${c.seed}: ${c.why}\n${c.text}`).slice(0, 3)).toEqual([]);
  });

  it("counts anything but a located error as a crash", () => {
    expect(fuzzOne("input a: f16 = 1")).toBeUndefined(); // located: fine
    expect(fuzzOne("y = " + "(".repeat(100000) + "1" + ")".repeat(100000))).toBeUndefined();
    expect(fuzzOne("x", () => { throw new RangeError("Maximum call stack size exceeded"); })).toBe("RangeError: Maximum call stack size exceeded");
    expect(fuzzOne("x", () => { throw new GradcError({ code: "E001", message: "lost" }); })).toBe("an error without a location: lost");
  });
});
