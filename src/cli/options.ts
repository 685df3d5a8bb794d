/** Options shared by the commands that evaluate a graph: --set, --inputs, --seed. */
import { readFileSync } from "node:fs";
import { codes, fail } from "../diagnostics/index.js";
import { fromNested, type Tensor } from "../graph/tensor.js";

export interface ValueOptions {
  readonly set?: string[];
  readonly inputs?: string;
  readonly seed?: number;
}

export function givenValues(opts: ValueOptions): Map<string, Tensor> {
  const given = new Map<string, Tensor>();
  if (opts.inputs) {
    let parsed: unknown;
    try {
      // a byte-order mark (some editors write one) is not part of the JSON
      parsed = JSON.parse(readFileSync(opts.inputs, "utf8").replace(/^\ufeff/, ""), nonFinite);
    } catch (e) {
      fail(codes.cli, `--inputs ${opts.inputs}: ${(e as Error).message}`);
    }
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) fail(codes.cli, `--inputs ${opts.inputs} must hold a JSON object {"NAME": value, ...}`);
    for (const [name, v] of Object.entries(parsed)) given.set(name, toTensor(v, `--inputs ${opts.inputs}: ${name}`));
  }
  for (const s of opts.set ?? []) {
    const eq = s.indexOf("=");
    if (eq <= 0) fail(codes.cli, `--set needs NAME=VALUE, got '${s}'`);
    const name = s.slice(0, eq).trim();
    let v: unknown;
    try {
      v = JSON.parse(s.slice(eq + 1), nonFinite);
    } catch {
      const text = s.slice(eq + 1);
      const deep = /^\s*\[{33}/.test(text) ? ` (arrays nested more than ${MAX_NESTING} deep)` : "";
      fail(codes.cli, `--set ${name}: the value must be a number or a JSON array, got '${text.length > 40 ? `${text.slice(0, 40)}…` : text}'${deep}`);
    }
    given.set(name, toTensor(v, `--set ${name}`));
  }
  return given;
}

/** Values read back in the form `run --json` writes them: "NaN", "Infinity", "-Infinity" are numbers. */
function nonFinite(_key: string, v: unknown): unknown {
  return v === "NaN" ? NaN : v === "Infinity" ? Infinity : v === "-Infinity" ? -Infinity : v;
}

/** Nesting deeper than any tensor's rank gradc takes (a 5,000-deep array overflowed the stack). */
const MAX_NESTING = 32;

function depthOf(v: unknown): number {
  let depth = 0;
  for (let at = v; Array.isArray(at); at = at[0]) if (++depth > MAX_NESTING) return depth;
  return depth;
}

function toTensor(v: unknown, what: string): Tensor {
  if (depthOf(v) > MAX_NESTING) fail(codes.cli, `${what}: arrays nested more than ${MAX_NESTING} deep`);
  const t = fromNested(v);
  if (!t) fail(codes.cli, `${what}: expected a number or a nested array of numbers of equal lengths`);
  return t;
}
