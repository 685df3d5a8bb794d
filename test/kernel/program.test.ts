/**
 * The kernel program and its TypeScript printer: index arithmetic folds, and printed
 * expressions mean what their trees mean — random trees are evaluated directly and as
 * the printed JavaScript, and must agree bit for bit (so precedence, associativity,
 * negative literals and nested conditionals are all printed right).
 */
import { describe, expect, it } from "vitest";
import * as K from "../../src/kernel/ir.js";
import { Names } from "../../src/codegen/names.js";
import { Printer, Scope } from "../../src/codegen/print-ts.js";

const js = new Printer({ flavor: "js", dims: new Map([["N", "N"], ["Math", "Math_"]]) });
const ts = new Printer({ flavor: "ts", dims: new Map([["N", "N"]]) });
const print = (e: K.Expr, p = js) => p.expr(e, new Scope(new Names()));

/** The value of a tree in JavaScript's own semantics (comparisons give booleans, as in kernels). */
type V = number | boolean;
const n = (x: V) => x as number; // JavaScript coerces booleans in arithmetic; the cast only tells TypeScript
function value(e: K.Expr): V {
  switch (e.k) {
    case "num":
      return e.value;
    case "neg":
      return -n(value(e.a));
    case "select":
      return value(e.cond) ? value(e.a) : value(e.b);
    case "math":
      return (Math[e.fn] as (...xs: number[]) => number)(...e.args.map((a) => n(value(a))));
    case "bin": {
      const [a, b] = [value(e.a), value(e.b)];
      const ops: Record<K.BinOp, (x: V, y: V) => V> = {
        "+": (x, y) => n(x) + n(y), "-": (x, y) => n(x) - n(y), "*": (x, y) => n(x) * n(y), "/": (x, y) => n(x) / n(y),
        "<": (x, y) => x < y, "<=": (x, y) => x <= y, ">": (x, y) => x > y, ">=": (x, y) => x >= y,
        "===": (x, y) => x === y, "!==": (x, y) => x !== y,
        "&&": (x, y) => x && y, "||": (x, y) => x || y,
      };
      return ops[e.op](a, b);
    }
    default:
      throw new Error(`no value for ${e.k}`);
  }
}

function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

function randomTree(r: () => number, depth: number): K.Expr {
  const leaves = [0, -0, 1, -1, 2.5, -3, 0.1, NaN, Infinity, -Infinity, 7];
  if (depth === 0 || r() < 0.2) return K.num(leaves[Math.floor(r() * leaves.length)]!);
  const ops: K.BinOp[] = ["+", "-", "*", "/", "<", "<=", ">", ">=", "===", "!==", "&&", "||"];
  const x = r();
  if (x < 0.6) return K.bin(ops[Math.floor(r() * ops.length)]!, randomTree(r, depth - 1), randomTree(r, depth - 1));
  if (x < 0.75) return { k: "neg", a: randomTree(r, depth - 1) };
  if (x < 0.9) return K.select(randomTree(r, depth - 1), randomTree(r, depth - 1), randomTree(r, depth - 1));
  return K.math((["exp", "abs", "max", "tanh"] as const)[Math.floor(r() * 4)]!, randomTree(r, depth - 1), randomTree(r, depth - 1));
}

describe("kernel program", () => {
  it("folds index and size arithmetic", () => {
    const N = K.dim("N");
    expect(print(K.add(K.num(0), K.mul(K.num(50), K.num(10))))).toBe("500");
    expect(print(K.add(K.add(N, K.num(2)), K.num(3)))).toBe("N + 5");
    expect(print(K.mul(K.mul(N, K.num(2)), K.num(3)))).toBe("N * 6");
    expect(print(K.product([N, K.num(784)]))).toBe("N * 784");
    expect(print(K.product([]))).toBe("1");
    expect(print(K.index([N, K.num(1), K.num(50)], [K.num(0), K.num(0), K.dim("Math")]))).toBe("Math_");
    expect(print(K.maxOf([K.num(0), K.num(500), K.mul(N, K.num(10)), K.mul(N, K.num(10))]))).toBe("Math.max(N * 10, 500)");
    expect(print(K.maxOf([K.num(0), K.num(0)]))).toBe("0");
    expect(print(K.dimExpr("N*3"))).toBe("N * 3");
  });

  it("value arithmetic is never reassociated or folded away", () => {
    const x = K.dim("N");
    // x * 0 is NaN for an infinite x: only index arithmetic folds it
    expect(print(K.bin("*", x, K.num(0)))).toBe("N * 0");
    expect(print(K.bin("-", x, K.bin("-", x, x)))).toBe("N - (N - N)");
    expect(print(K.bin("+", K.bin("+", x, x), x))).toBe("N + N + N");
    expect(print(K.bin("+", x, K.bin("+", x, x)))).toBe("N + (N + N)");
  });

  it("prints loads with TypeScript's non-null mark, and JavaScript without it", () => {
    const b = K.buffer("x", "f32");
    const s = new Scope(new Names());
    s.bind(b);
    expect(ts.expr(K.load(b, K.num(3)), s)).toBe("x[3]!");
    expect(js.expr(K.load(b, K.num(3)), s)).toBe("x[3]");
    const o = K.local("o");
    const body = [K.store(b, K.num(0), K.num(1), "+="), K.declLet(o, K.num(0)), K.set(o, K.num(1), "+=")];
    expect(ts.stmts(body, s)).toEqual(["x[0]!++;", "let o = 0;", "o++;"]);
  });

  it("names locals through the resolver: siblings reuse a name, nested blocks never shadow one", () => {
    const out = K.buffer("i", "f64");
    const s = new Scope(new Names());
    s.bind(out);
    const body = [
      K.loop("i", K.num(2), (i) => [K.store(out, i, K.num(0))]),
      K.loop("i", K.num(2), (i) => [K.loop("i", K.num(3), (j) => [K.store(out, K.add(i, j), K.num(1))])]),
    ];
    expect(js.stmts(body, s)).toEqual([
      "for (let i_1 = 0; i_1 < 2; i_1++) i[i_1] = 0;",
      "for (let i_1 = 0; i_1 < 2; i_1++) {",
      "  for (let i_2 = 0; i_2 < 3; i_2++) i[i_1 + i_2] = 1;",
      "}",
    ]);
    expect(() => js.stmts([K.set(K.local("undeclared"), K.num(1))], s)).toThrow(/not declared/);
  });

  it("printed expressions evaluate as their trees do, on 3,000 random trees", () => {
    const r = rng(12345);
    for (let t = 0; t < 3000; t++) {
      const e = randomTree(r, 5);
      const code = print(e);
      const printed = new Function(`return (${code});`)() as V;
      expect(Object.is(printed, value(e)), `${code} → ${String(printed)}, the tree: ${value(e)} ${JSON.stringify(e)}`).toBe(true);
    }
  });
});
