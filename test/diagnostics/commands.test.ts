/**
 * The catalogue's entries about commands, flags, values and files, produced in-process
 * (the CLI tests cover the rest through the gradc command): each asserts id, code and text.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compileCommand } from "../../src/cli/compile.js";
import { examplesCommand } from "../../src/cli/examples.js";
import { exportCommand } from "../../src/cli/export.js";
import { gradCommand } from "../../src/cli/grad.js";
import { givenValues } from "../../src/cli/options.js";
import { trainCommand, type TrainFlags } from "../../src/cli/train.js";
import { GradcError } from "../../src/diagnostics/index.js";
import { exportOnnx } from "../../src/export/onnx.js";
import { fromNested } from "../../src/tensor/tensor.js";
import { bind } from "../../src/runtime/bind.js";
import { graphHash, saveCheckpoint, type Checkpoint } from "../../src/runtime/checkpoint.js";
import { readLabels } from "../../src/runtime/idx.js";
import { compile, entryCode, thrown, throwsError } from "../helpers.js";

const dir = mkdtempSync(join(tmpdir(), "gradc-commands-"));
const file = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};

/** The message of the GradcError that the promise rejects with, after checking it is entry `id`. */
async function rejects(id: string, p: Promise<unknown>): Promise<string> {
  const e: unknown = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  if (!(e instanceof GradcError)) throw new Error(`expected a GradcError, got ${String(e)}`);
  expect([e.diagnostic.id, e.diagnostic.code], e.diagnostic.message).toEqual([id, entryCode(id)]);
  return e.diagnostic.message;
}

describe("kind codes", () => {
  // written out, not read from the catalogue (errors.test.ts does the same for located errors)
  it("E012 for a flag or a value, E013 for a file, E014 for what ONNX cannot hold", () => {
    expect(thrown(() => givenValues({ set: ["apple"] }))).toMatchObject({ code: "E012", id: "set_needs_name_value" });
    expect(thrown(() => readLabels(join(dir, "none")))).toMatchObject({ code: "E013", id: "cannot_read" });
    expect(thrown(() => exportOnnx(compile("input x = 1\ny = x * 2\n"), { values: new Map() }))).toMatchObject({ code: "E014", id: "nothing_to_export" });
  });
});

describe("gradc grad", () => {
  it("asks for --symbolic, and for a gradient", () => {
    expect(throwsError("grad_needs_symbolic", () => gradCommand("graphs/apple.graph", {}))).toBe("gradc grad prints gradients as formulas: add --symbolic (use gradc run for numbers)");
    const forward = file("forward.graph", "input x = 1\ny = x * 2\noutput y\n");
    expect(throwsError("asks_for_no_gradient", () => gradCommand(forward, { symbolic: true }))).toBe(`${forward} asks for no gradient: add 'grad NAME wrt X' or 'loss NAME'`);
  });
});

describe("gradc compile", () => {
  it("takes one graph with -o or --watch", () => {
    expect(throwsError("one_output_file", () => compileCommand(["a.graph", "b.graph"], { output: "x.ts" }))).toBe("-o names one output file, but 2 graphs were given");
    expect(throwsError("watch_one_graph", () => compileCommand(["a.graph", "b.graph"], { watch: true }))).toBe("--watch takes one graph");
  });
});

describe("gradc train", () => {
  const flags: TrainFlags = { iters: 10, batch: 10, optimizer: "sgd", seed: 1 };
  it("checks its flags and the graph before anything is printed or created", { timeout: 60_000 }, async () => {
    expect(await rejects("unknown_optimizer", trainCommand(undefined, { ...flags, optimizer: "rmsprop" }))).toBe("unknown optimizer 'rmsprop' (expected sgd, momentum or adam)");
    expect(await rejects("iters_and_batch_positive", trainCommand(undefined, { ...flags, iters: 0 }))).toBe("--iters and --batch need positive integers");
    expect(await rejects("lr_positive", trainCommand(undefined, { ...flags, lr: -1 }))).toBe("--lr needs a positive number, got -1");
    expect(await rejects("not_trainable", trainCommand("graphs/apple.graph", flags))).toMatch(/^graphs\/apple.graph cannot be trained on MNIST: it needs 'dim N'/);
  });

  it("refuses an --out that is a file, not a folder", { timeout: 60_000 }, async () => {
    // a folder of the four MNIST files, one 28×28 image each: enough to get past loading the data
    const data = join(dir, "mnist");
    mkdirSync(data);
    const idx = (magic: number, dims: number[]) => {
      const head = Buffer.alloc(4 + 4 * dims.length);
      head.writeUInt32BE(magic, 0);
      dims.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
      return Buffer.concat([head, Buffer.alloc(dims.reduce((a, b) => a * b, 1), 1)]);
    };
    for (const set of ["train", "t10k"]) {
      writeFileSync(join(data, `${set}-images-idx3-ubyte`), idx(2051, [1, 28, 28]));
      writeFileSync(join(data, `${set}-labels-idx1-ubyte`), idx(2049, [1]));
    }
    const out = file("runs.txt", "not a folder\n");
    expect(await rejects("out_is_file", trainCommand(undefined, { ...flags, data, out }))).toBe(`--out ${out}: it is a file, not a folder`);
  });
});

describe("--set and --inputs", () => {
  it("say what is wrong with a value", () => {
    expect(throwsError("set_needs_name_value", () => givenValues({ set: ["apple"] }))).toBe("--set needs NAME=VALUE, got 'apple'");
    expect(throwsError("not_number_or_array", () => givenValues({ set: ["apple=abc"] }))).toBe("--set apple: the value must be a number or a JSON array, got 'abc'");
    const list = file("list.json", "[1, 2]");
    expect(throwsError("inputs_not_object", () => givenValues({ inputs: list }))).toBe(`--inputs ${list} must hold a JSON object {"NAME": value, ...}`);
    const broken = file("broken.json", "{");
    expect(throwsError("bad_json", () => givenValues({ inputs: broken }))).toMatch(new RegExp(`^--inputs ${broken}: `));
  });

  it("check each value against its declaration", () => {
    const g = compile("dim N\ninput a: f64[N]\ninput b: f64[N]\ninput t: i32[N]\ny = sum(a + b) + sum(t)\noutput y\n");
    const given = (values: Record<string, unknown>) => new Map(Object.entries(values).map(([k, v]) => [k, fromNested(v)!]));
    expect(throwsError("dim_conflict", () => bind(g, { given: given({ a: [1, 2], b: [1, 2, 3] }) }))).toBe("b has N = 3, but an earlier value set N = 2");
    expect(throwsError("given_not_integers", () => bind(g, { given: given({ t: [1.5] }) }))).toBe("t is i32 but was given non-integers");
  });
});

describe("files", () => {
  it("a folder that cannot be created", () => {
    const blocker = file("blocker", "a file where a folder would go\n");
    expect(throwsError("cannot_create", () => examplesCommand({ copy: join(blocker, "examples") }))).toBe(`cannot create ${join(blocker, "examples")}: a part of the path is a file, not a directory`);
  });

  it("a checkpoint of arrays the graph does not have, or of the wrong size", () => {
    const g = compile("param w: f32[2] = 0\nL = sum(w)\nloss L\n");
    const c: Checkpoint = { graphHash: "", source: "test.graph", iteration: 1, optimizer: { name: "sgd", lr: 0.1, steps: 1 }, rng: 1, params: {}, state: {} };
    const path = join(dir, "c.safetensors");
    expect(throwsError("checkpoint_not_a_param", () => saveCheckpoint(path, { ...c, params: { v: new Float32Array(2) } }, g))).toBe("cannot save v in a checkpoint: v is not a param of test.graph");
    expect(throwsError("checkpoint_shape_mismatch", () => saveCheckpoint(path, { ...c, params: { w: new Float32Array(3) } }, g))).toBe("cannot save w in a checkpoint: its 3 values do not fit its shape [2]");
  });
});

describe("gradc export --onnx", () => {
  it("needs something to export, every param's value, and dims that inputs give", () => {
    expect(throwsError("nothing_to_export", () => exportOnnx(compile("input x = 1\ny = x * 2\n"), { values: new Map() }))).toBe("test.graph has no output or loss to export");
    expect(throwsError("no_param_value", () => exportOnnx(compile("param w = 1\ny = w * 2\noutput y\n"), { values: new Map() }))).toBe("no value for param w");
    const sized = compile("dim M\nparam w: f64[M] = 0\ny = mean(w)\noutput y\n");
    expect(throwsError("dim_not_an_input_axis", () => exportOnnx(sized, { values: new Map([["w", fromNested([1, 2])!]]) }))).toBe("cannot export: dim M is not the size of an axis of any input the model takes");
  });

  it("needs every param's shape from the graph or --set when it reads a checkpoint", () => {
    const path = file("sized.graph", "dim N\ninput x: f32[N]\nparam w: f32[N] = 0\ny = sum(x * w)\noutput y\n");
    const g = compile(readFileSync(path, "utf8"), path);
    const checkpoint = join(dir, "sized.safetensors");
    saveCheckpoint(checkpoint, { graphHash: graphHash(g), source: path, iteration: 1, optimizer: { name: "sgd", lr: 0.1, steps: 1 }, rng: 1, params: { w: new Float32Array(2) }, state: {} }, g);
    expect(throwsError("symbolic_param_shape", () => exportCommand(path, { onnx: join(dir, "sized.onnx"), checkpoint, loss: true }))).toBe("param w has a symbolic shape; give it with --set");
  });

  it("says which op's ONNX rule cannot write a case", () => {
    // max_mask is max's gradient: a grad() in the graph puts it in the forward graph
    const g = compile("input x: f64[2, 3, 4] = 1\ny = grad(sum(max(x, axis=[0, 1])), x)\noutput y\n");
    expect(throwsError("onnx_mask_over_some_axes", () => exportOnnx(g, { values: new Map() }))).toBe("cannot export max_mask to ONNX: a first-maximum mask over some but not all of several axes");
  });
});
