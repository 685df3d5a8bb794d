/**
 * Any name the language allows works end to end: Unicode, TypeScript reserved words,
 * `constructor`, `__proto__`, names differing only in case — in generated code (which
 * still type-checks), in `run --json`, and in diagrams.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { gradc, ROOT } from "../helpers.js";
import { bind, compileText, interpret } from "../../src/index.js";
import { runCompiled } from "../../src/runtime/compiled.js";
import { loadCompiled } from "../../src/runtime/load.js";

const dir = mkdtempSync(join(tmpdir(), "gradc-names-"));
const file = join(dir, "names.graph");
writeFileSync(
  file,
  [
    "dim 크기",
    "input 사과 = 100",
    "input class = 2",
    "input constructor = 3",
    "input __proto__ = 4",
    "input X = 5",
    "input x = 6",
    "input v: f64[크기] = [1, 2]",
    "new = 사과 * class + constructor * __proto__ + X * x + sum(v * v)",
    "function = new * 2",
    "output new, function",
    "grad function wrt 사과, class, constructor, __proto__, X, x, v",
  ].join("\n"),
);
const expected = {
  outputs: { new: 247, function: 494 },
  grads: { function: { 사과: 4, class: 200, constructor: 8, ["__proto__"]: 6, X: 12, x: 10, v: [4, 8] } }, // computed: a literal __proto__ would set the prototype
};

describe("names end to end", () => {
  it("run --json: compiled and interpreted give the same, with every name as a key", () => {
    for (const extra of [[], ["--interpret"]]) {
      const r = gradc(["run", file, "--json", ...extra]);
      expect(r.stderr).toBe("");
      const parsed = JSON.parse(r.stdout) as { grads: { function: Record<string, unknown> } };
      expect(parsed).toEqual(JSON.parse(JSON.stringify(expected)));
      expect(Object.keys(parsed.grads.function)).toEqual(["사과", "class", "constructor", "__proto__", "X", "x", "v"]);
    }
  });

  it("the generated module type-checks and keeps the names readable", () => {
    const out = join(dir, "names.ts");
    expect(gradc(["compile", file, "-o", out]).code).toBe(0);
    const code = readFileSync(out, "utf8");
    expect(code).toContain('inputs["__proto__"]');
    expect(code).toContain("사과: number;");
    const tsc = spawnSync(process.execPath, [`${ROOT}node_modules/typescript/bin/tsc`, "--ignoreConfig", "--noEmit", "--strict", "--noUncheckedIndexedAccess", "--noUnusedLocals", "--noUnusedParameters", "--target", "ES2022", "--module", "ESNext", "--lib", "ES2022", out], { encoding: "utf8" });
    expect(tsc.stdout + tsc.stderr).toBe("");
  });

  it("diagrams show the names", () => {
    const svg = join(dir, "names.svg");
    expect(gradc(["render", file, "--backward", "--values", "-o", svg]).code).toBe(0);
    const text = readFileSync(svg, "utf8");
    for (const n of ["사과", "class", "constructor", "__proto__", "function"]) expect(text).toContain(`>${n}<`);
  });
});

describe("a dim named Math, and every name of a graph drawn from the hostile list, in both back ends", () => {
  const text = (n: Record<"dim" | "x" | "W" | "y" | "L", string>) =>
    `dim ${n.dim}\ninput ${n.x}: f32[${n.dim}, 3] = [[1, 2, 3], [4, 5, 6]]\nparam ${n.W}: f32[3, 2] = [[0.1, 0.2], [0.3, -0.4], [0.5, 0.6]]\n` +
    `${n.y} = relu(${n.x} @ ${n.W})\n${n.L} = sum(${n.y})\noutput ${n.y}\nloss ${n.L}\n`;
  const plain = { dim: "Math", x: "x", W: "W", y: "y", L: "L" };
  const hostile = [
    plain,
    { dim: "dims", x: "inputs", W: "params", y: "outputs", L: "grads" },
    { dim: "i1", x: "scratch", W: "Float32Array", y: "ws", L: "meta" },
    { dim: "WebAssembly", x: "simd", W: "memory", y: "createWorkspace", L: "constructor" },
    { dim: "undefined", x: "NaN", W: "Infinity", y: "globalThis", L: "__proto__" },
    { dim: "xⸯ", x: "enum", W: "static", y: "await", L: "yield" },
    { dim: "o", x: "i", W: "j", y: "row", L: "total" },
  ];
  for (const n of hostile) {
    it(`${Object.values(n).join(", ")}: y and dL/dW as the interpreter says, compiled and with --simd`, async () => {
      const g = compileText(text(n), "hostile.graph");
      const env = bind(g, { seed: 1 });
      const ref = interpret(g, env);
      expect(Array.from(ref.outputs.get(n.y)!.data, (v) => Math.round(v * 1e6) / 1e6)).toEqual([2.2, 1.2, 4.9, 2.4]);
      expect(Array.from(ref.grads.get(n.L)!.get(n.W)!.data)).toEqual([5, 5, 7, 7, 9, 9]);
      for (const options of [{ dtype: "f64" as const }, { dtype: "f32" as const, simd: true }]) {
        const got = runCompiled(await loadCompiled(g, options), g, env, { dtype: options.dtype });
        const y = Array.from(got.outputs.get(n.y)!.data);
        const dW = Array.from(got.grads.get(n.L)!.get(n.W)!.data);
        if (options.dtype === "f64") {
          expect(y).toEqual(Array.from(ref.outputs.get(n.y)!.data));
          expect(dW).toEqual([5, 5, 7, 7, 9, 9]);
        } else {
          y.forEach((v, i) => expect(v).toBeCloseTo(ref.outputs.get(n.y)!.data[i]!, 5));
          expect(dW).toEqual([5, 5, 7, 7, 9, 9]);
        }
      }
    });
  }
});
