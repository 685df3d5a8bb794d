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
      parsed = JSON.parse(readFileSync(opts.inputs, "utf8"));
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
      v = JSON.parse(s.slice(eq + 1));
    } catch {
      fail(codes.cli, `--set ${name}: the value must be a number or a JSON array, got '${s.slice(eq + 1)}'`);
    }
    given.set(name, toTensor(v, `--set ${name}`));
  }
  return given;
}

function toTensor(v: unknown, what: string): Tensor {
  const t = fromNested(v);
  if (!t) fail(codes.cli, `${what}: expected a number or a nested array of numbers of equal lengths`);
  return t;
}
