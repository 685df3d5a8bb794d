/** Every field of a checkpoint is checked on load: a damaged or hand-edited file is one clear error, never an internal one or a partial load. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { GradcError } from "../../src/index.js";
import { loadGraph } from "../../src/pipeline.js";
import { graphHash, loadCheckpoint } from "../../src/runtime/checkpoint.js";
import { ROOT } from "../helpers.js";

const g = loadGraph(`${ROOT}graphs/two_layer_net.graph`);
const sizes: Record<string, number> = { W1: 39200, b1: 50, W2: 500, b2: 10 };

/** A checkpoint file from a header (edited as a test likes) and arrays of the lengths it names. */
function file(edit: (h: Record<string, unknown>) => void, extraBytes = 0): string {
  const arrays = Object.entries(sizes).map(([n, length]) => ({ name: `param:${n}`, dtype: "f32", length }));
  const h: Record<string, unknown> = { graphHash: graphHash(g), source: "graphs/two_layer_net.graph", iteration: 600, optimizer: { name: "sgd", lr: 0.1, steps: 600 }, rng: 7, arrays };
  edit(h);
  const header = Buffer.from(JSON.stringify(h));
  const listed = Array.isArray(h["arrays"]) ? (h["arrays"] as { length?: unknown }[]).reduce((n, a) => n + (typeof a?.length === "number" && a.length >= 0 && a.length < 1e6 ? a.length : 0), 0) : 0;
  const head = Buffer.alloc(12);
  head.write("GRADCKPT", 0, "latin1");
  head.writeUInt32LE(header.length, 8);
  const path = join(mkdtempSync(join(tmpdir(), "gradc-ckpt-")), "c.bin");
  writeFileSync(path, Buffer.concat([head, header, Buffer.alloc(4 * listed + extraBytes)]));
  return path;
}

const error = (path: string) => {
  try {
    loadCheckpoint(path, g);
  } catch (e) {
    if (e instanceof GradcError) return e.diagnostic.message.replace(`${path}: `, "");
    throw e;
  }
  return "loaded";
};

describe("loading a checkpoint", () => {
  it("loads a whole one", () => expect(error(file(() => {}))).toBe("loaded"));
  const cases: [string, (h: Record<string, unknown>) => void, string][] = [
    ["arrays missing", (h) => delete h["arrays"], "it lists no arrays"],
    ["arrays null", (h) => (h["arrays"] = null), "it lists no arrays"],
    ["arrays an object", (h) => (h["arrays"] = {}), "it lists no arrays"],
    ["no arrays at all", (h) => (h["arrays"] = []), "it lists no arrays"],
    ["a fractional length", (h) => ((h["arrays"] as Record<string, unknown>[])[1]!["length"] = 49.5), "an array entry is damaged"],
    ["a negative length", (h) => ((h["arrays"] as Record<string, unknown>[])[1]!["length"] = -50), "an array entry is damaged"],
    ["a short array", (h) => ((h["arrays"] as Record<string, unknown>[])[1]!["length"] = 40), "param:b1 has 40 values, but b1 has 50"],
    ["an unknown param", (h) => ((h["arrays"] as Record<string, unknown>[])[1]!["name"] = "param:nosuch"), `it holds 'param:nosuch', which is not a param of ${ROOT}graphs/two_layer_net.graph`],
    ["a missing param", (h) => (h["arrays"] as unknown[]).pop(), "it holds no values for param b2"],
    ["iteration -100", (h) => (h["iteration"] = -100), "iteration must be a count, got -100"],
    ["lr \"NaN\"", (h) => ((h["optimizer"] as Record<string, unknown>)["lr"] = "NaN"), 'its learning rate must be a positive number, got "NaN"'],
    ["no optimizer", (h) => delete h["optimizer"], "its optimizer is missing or unknown"],
    ["an unknown optimizer", (h) => ((h["optimizer"] as Record<string, unknown>)["name"] = "lbfgs"), "its optimizer is missing or unknown"],
  ];
  for (const [what, edit, message] of cases) {
    it(`refuses ${what}`, () => expect(error(file(edit))).toBe(`not a usable gradc checkpoint: ${message}`));
  }
  it("refuses a header of null, and bytes after the last array", () => {
    const path = join(mkdtempSync(join(tmpdir(), "gradc-ckpt-")), "n.bin");
    const head = Buffer.alloc(12);
    head.write("GRADCKPT", 0, "latin1");
    head.writeUInt32LE(4, 8);
    writeFileSync(path, Buffer.concat([head, Buffer.from("null")]));
    expect(error(path)).toBe("not a usable gradc checkpoint: its header is not an object");
    expect(error(file(() => {}, 8))).toBe("not a usable gradc checkpoint: 8 bytes follow the last array");
  });
});
