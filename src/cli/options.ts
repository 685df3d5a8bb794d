/** Options shared by the commands that evaluate a graph: --set, --inputs, --seed. */
import { readFileSync } from "node:fs";
import * as errors from "../diagnostics/errors.js";
import { reason } from "../runtime/files.js";
import type { Graph } from "../graph/ir.js";
import { DEFAULT_DIM, DEFAULT_SEED } from "../runtime/bind.js";
import { fromNested, type Tensor } from "../tensor/tensor.js";

export interface ValueOptions {
  readonly set?: string[];
  readonly inputs?: string;
  readonly seed?: number;
}

export function givenValues(opts: ValueOptions): Map<string, Tensor> {
  const given = new Map<string, Tensor>();
  if (opts.inputs) {
    let text: string;
    try {
      text = readFileSync(opts.inputs, "utf8");
    } catch (e) {
      const why = reason(e);
      return errors.cannotReadInputs({ path: opts.inputs, why });
    }
    // a byte-order mark (some editors write one) is not part of the JSON
    const parsed = parseJson(text.replace(/^\ufeff/, ""), `--inputs ${opts.inputs}`, 1);
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) errors.inputsNotObject({ path: opts.inputs });
    for (const [name, v] of Object.entries(parsed)) given.set(name, toTensor(v, `--inputs ${opts.inputs}: ${name}`));
  }
  for (const s of opts.set ?? []) {
    const eq = s.indexOf("=");
    if (eq <= 0) errors.setNeedsNameValue({ text: s });
    const name = s.slice(0, eq).trim();
    given.set(name, toTensor(parseJson(s.slice(eq + 1), `--set ${name}`, 0), `--set ${name}`));
  }
  return given;
}

/** Nesting deeper than any tensor's rank gradc takes (a 5,000-deep array overflowed the stack). */
export const MAX_NESTING = 32;

/**
 * JSON text → value, refusing arrays nested deeper than MAX_NESTING before JSON.parse
 * (whose reviver recurses) sees them; `objects` is how many levels of objects may hold them.
 */
function parseJson(text: string, what: string, objects: number): unknown {
  if (jsonDepth(text) > MAX_NESTING + objects) errors.valueTooDeep({ what, max: MAX_NESTING });
  try {
    return JSON.parse(text, nonFinite);
  } catch (e) {
    if (objects > 0) return errors.badJson({ what, detail: (e as Error).message });
    return errors.notNumberOrArray({ what, text });
  }
}

/** The deepest nesting of [ and { in JSON text, outside strings; iterative, so any depth is measured safely. */
function jsonDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "[" || c === "{") deepest = Math.max(deepest, ++depth);
    else if (c === "]" || c === "}") depth--;
  }
  return deepest;
}

/** Values read back in the form `run --json` writes them: "NaN", "Infinity", "-Infinity" are numbers. */
function nonFinite(_key: string, v: unknown): unknown {
  return v === "NaN" ? NaN : v === "Infinity" ? Infinity : v === "-Infinity" ? -Infinity : v;
}

function toTensor(v: unknown, what: string): Tensor {
  const t = fromNested(v);
  if (!t) errors.notATensor({ what });
  return t;
}

// ---- numeric options -------------------------------------------------------------
// One parser per kind, for commander's argParser: each refuses what is not of its kind
// with a message naming the option (before, --tol abc became NaN and every line failed).

/** The number a flag's text holds, or NaN: "" and "  " are not 0, as Number would have it. */
function numberOf(value: string): number {
  return value.trim() === "" ? NaN : Number(value);
}

/** A positive integer (a count, a size), at most `max` when given, with the reason for the bound. */
export function positiveInteger(flag: string, max = Number.MAX_SAFE_INTEGER, why = "the largest count gradc takes"): (value: string) => number {
  return (value) => {
    const n = numberOf(value);
    if (!Number.isInteger(n) || n < 1) errors.needsPositiveInteger({ flag, value });
    if (n > max) errors.flagTooLarge({ flag, value, max, why });
    return n;
  };
}

/** An integer that is 0 or more (how many of something to show: 0 shows none), at most `max`. */
export function nonNegativeInteger(flag: string, max = Number.MAX_SAFE_INTEGER, why = "the largest count gradc takes"): (value: string) => number {
  return (value) => {
    const n = numberOf(value);
    if (!Number.isInteger(n) || n < 0) errors.needsNonNegativeInteger({ flag, value });
    if (n > max) errors.flagTooLarge({ flag, value, max, why });
    return n;
  };
}

/** A positive, finite number (a learning rate, a tolerance). */
export function positiveNumber(flag: string): (value: string) => number {
  return (value) => {
    const n = numberOf(value);
    if (!Number.isFinite(n) || n <= 0) errors.needsPositiveNumber({ flag, value });
    return n;
  };
}

/** A finite number that is 0 or more (a weight decay, a margin). */
export function nonNegativeNumber(flag: string): (value: string) => number {
  return (value) => {
    const n = numberOf(value);
    if (!Number.isFinite(n) || n < 0) errors.needsNonNegativeNumber({ flag, value });
    return n;
  };
}

/** Any finite number (NaN and ±Infinity refused). */
export function finiteNumber(flag: string): (value: string) => number {
  return (value) => {
    const n = numberOf(value);
    if (!Number.isFinite(n)) errors.needsFiniteNumber({ flag, value });
    return n;
  };
}

/** The largest seed: the generator keeps 32 bits, so a larger seed would repeat a smaller one's numbers. */
export const MAX_SEED = 2 ** 32 - 1;

/** A seed: an integer from 0 to 2^32 - 1. */
export function parseSeed(value: string, flag = "--seed"): number {
  const n = numberOf(value);
  if (!Number.isSafeInteger(n)) errors.needsInteger({ flag, value });
  if (n < 0 || n > MAX_SEED) errors.seedOutOfRange({ flag, value, max: MAX_SEED });
  return n;
}

/** A positive count, or `all` (Infinity). */
export function countOrAll(flag: string): (value: string) => number {
  const count = positiveInteger(flag);
  return (value) => {
    if (value.trim() === "all") return Infinity;
    const n = numberOf(value);
    if (!Number.isInteger(n) || n < 1) errors.needsCountOrAll({ flag, value });
    return count(value);
  };
}

/** What a run's values were not given: inputs drawn at random and dims bound to 3 — said under a figure, and by run and check on stderr. */
export function drawnAtRandom(graph: Graph, given: ReadonlyMap<string, unknown>, seed: number | undefined): string | undefined {
  const random = graph.inputs.filter((i) => !given.has(i.name) && !i.default).map((i) => i.name);
  if (random.length === 0) return undefined;
  const dims = graph.dims.filter((d) => !graph.inputs.some((i) => (given.has(i.name) || i.default) && i.node.type.shape.includes(d)));
  const bound = dims.length > 0 ? `, ${dims.map((d) => `${d} = ${DEFAULT_DIM}`).join(", ")}` : "";
  return `${random.join(", ")}: random values (seed ${seed ?? DEFAULT_SEED}${bound}); --set or --inputs give your own`;
}

/** Says on stderr which inputs run and check drew at random (stdout keeps the results, and run --json's one object). */
export function sayRandom(graph: Graph, given: ReadonlyMap<string, unknown>, seed: number | undefined): void {
  const note = drawnAtRandom(graph, given, seed);
  if (note) process.stderr.write(`note: ${note}\n`);
}
