/**
 * `gradc run` in both back ends against `--interpret`, on the graph whose dim is
 * called Math (it once compiled to `new Float32Array(Math * 2)`) and on the same graph
 * with every name a JavaScript global, a module field or an Object.prototype member.
 * Four columns, so that `--simd` really runs the matmuls in WebAssembly.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { close, expectReported, gradc } from "../helpers.js";

const dir = mkdtempSync(join(tmpdir(), "gradc-backends-"));

const graph = (n: { dim: string; fn: string; x: string; W: string; y: string; L: string }) =>
  [
    `dim ${n.dim}`,
    `fn ${n.fn}(a) = a * a`,
    `input ${n.x}: f32[${n.dim}, 3] = [[1, 2, 3], [4, 5, 6]]`,
    `param ${n.W}: f32[3, 4] = [[0.1, 0.2, -0.3, 0.4], [0.3, -0.4, 0.5, 0.1], [0.5, 0.6, 0.2, -0.7]]`,
    `${n.y} = relu(${n.x} @ ${n.W})`,
    `${n.L} = sum(${n.fn}(${n.y}))`,
    `output ${n.y}`,
    `loss ${n.L}`,
  ].join("\n") + "\n";

const NAMES = [
  { dim: "Math", fn: "sq", x: "x", W: "W", y: "y", L: "L" },
  { dim: "dims", fn: "constructor", x: "Math", W: "Float32Array", y: "scratch", L: "undefined" },
  { dim: "inputs", fn: "toString", x: "NaN", W: "params", y: "outputs", L: "WebAssembly" },
  { dim: "Infinity", fn: "eval", x: "__proto__", W: "grads", y: "arguments", L: "globalThis" },
];

describe("gradc run: both back ends give the interpreter's numbers, whatever the names", () => {
  for (const names of NAMES) {
    it(`dim ${names.dim}, fn ${names.fn}, input ${names.x}, param ${names.W}, nodes ${names.y} and ${names.L}`, () => {
      const file = join(dir, `${names.dim}.graph`);
      writeFileSync(file, graph(names));
      const ref = gradc(["run", file, "--json", "--interpret"]);
      expect(ref.stderr).toBe("");
      const want = JSON.parse(ref.stdout) as { outputs: Record<string, unknown>; grads: Record<string, Record<string, unknown>> };
      // relu(x @ W) of the textbook-sized example, and dL/dW = xᵀ · (2y ⊙ step(x @ W))
      expect(close(want.outputs[names.y], [[2.2, 1.2, 1.3, 0], [4.9, 2.4, 2.5, 0]], 1e-12, 1e-12)).toBe(true);
      expect(close(want.grads[names.L]![names.W], [[43.6, 21.6, 22.6, 0], [57.8, 28.8, 30.2, 0], [72, 36, 37.8, 0]], 1e-12, 1e-12)).toBe(true);
      for (const backend of [[], ["--simd"]]) {
        const r = gradc(["run", file, "--json", ...backend]);
        expect(r.stderr).toBe("");
        const got = JSON.parse(r.stdout) as typeof want;
        expect(Object.keys(got.outputs)).toEqual([names.y]);
        expect(close(got.outputs[names.y], want.outputs[names.y], 1e-6, 1e-6), `${backend.join(" ")} ${r.stdout}`).toBe(true);
        expect(close(got.grads[names.L]![names.W], want.grads[names.L]![names.W], 1e-6, 1e-6), `${backend.join(" ")} ${r.stdout}`).toBe(true);
      }
      // the --simd module really calls WebAssembly: the forward and the dW matmul
      expect(gradc(["ir", "--kernels", "--simd", file]).stdout.split("\n").filter((l) => l.trim().startsWith("wasm ")).length).toBe(2);
    });
  }

  it("--simd with --interpret is an error: the interpreter runs no compiled module", () => {
    const file = join(dir, "plain.graph");
    writeFileSync(file, graph(NAMES[0]!));
    const r = gradc(["run", file, "--simd", "--interpret"]);
    expect([r.code, r.stdout, r.stderr]).toEqual([1, "", "gradc: error: --interpret and --simd cannot be combined: the interpreter runs no compiled module\n"]);
    expectReported(r, "interpret_with_simd");
  });
});
