/**
 * Checkpoints are safetensors files: they round-trip; an independent reader (Python with
 * NumPy only, written here from the safetensors definition) reads the one a real training
 * run writes and gets the same tensors bit for bit; every field and layout rule is checked
 * on load, so a damaged or hand-edited file is one clear error, never an internal one or a
 * partial load; and files of the older "GRADCKPT" layout still load, as checked as before.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { GradcError } from "../../src/index.js";
import { compileText, loadGraph } from "../../src/pipeline.js";
import { graphHash, isCheckpointHead, loadCheckpoint, saveCheckpoint, type Checkpoint } from "../../src/runtime/checkpoint.js";
import { loadCompiled } from "../../src/runtime/load.js";
import { defaultDataDir, loadMnist, type Split } from "../../src/runtime/mnist.js";
import { train, type Reporter } from "../../src/runtime/train.js";
import { ROOT, entryCode } from "../helpers.js";

const g = loadGraph(`${ROOT}graphs/two_layer_net.graph`);
const sizes: Record<string, number> = { W1: 39200, b1: 50, W2: 500, b2: 10 };
const tmp = (name: string) => join(mkdtempSync(join(tmpdir(), "gradc-ckpt-")), name);
const bits = (a: Float32Array | Float64Array): (number | string)[] => (a instanceof Float32Array ? Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length)) : Array.from(new BigUint64Array(a.buffer, a.byteOffset, a.length), String));
/** values that are not round, so a byte out of place shows */
const values = (n: number, k: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37 + k) / 3);

/** The refusal to load `path`, after checking it is catalogue entry `id` (most are checkpoint_unusable: the reason varies) */
const error = (path: string, id = "checkpoint_unusable") => {
  try {
    loadCheckpoint(path, g);
  } catch (e) {
    if (!(e instanceof GradcError)) throw e;
    expect([e.diagnostic.id, e.diagnostic.code], e.diagnostic.message).toEqual([id, entryCode(id)]);
    return e.diagnostic.message.replace(`${path}: `, "");
  }
  return "loaded";
};

/** An Adam checkpoint of the two-layer net with every array filled. */
const adam = (): Checkpoint => ({
  graphHash: graphHash(g),
  source: "graphs/two_layer_net.graph",
  iteration: 600,
  optimizer: { name: "adam", lr: 0.001, steps: 600 },
  rng: 4000000007,
  params: Object.fromEntries(Object.entries(sizes).map(([n, size], k) => [n, values(size, k)])),
  state: Object.fromEntries(Object.entries(sizes).map(([n, size], k) => [n, [values(size, 10 + k), values(size, 20 + k)]])),
  dims: { N: 100 },
});

/** The safetensors file saveCheckpoint writes, its JSON header then edited, and its data buffer cut short or lengthened. */
function edited(edit: (h: Record<string, Record<string, unknown>>) => void, dataBytes = 0, c: Checkpoint = adam()): string {
  const path = tmp("c.safetensors");
  saveCheckpoint(path, c, g);
  const bytes = readFileSync(path);
  const n = Number(bytes.readBigUInt64LE(0));
  const h = JSON.parse(bytes.subarray(8, 8 + n).toString("utf8")) as Record<string, Record<string, unknown>>;
  edit(h);
  const json = Buffer.from(JSON.stringify(h));
  const head = Buffer.alloc(8);
  head.writeBigUInt64LE(BigInt(json.length));
  const data = bytes.subarray(8 + n);
  writeFileSync(path, Buffer.concat([head, json, dataBytes < 0 ? data.subarray(0, data.length + dataBytes) : data, Buffer.alloc(Math.max(0, dataBytes))]));
  return path;
}

describe("checkpoints in the safetensors layout", () => {
  it("round-trip every array bit for bit, with the fields, and the layout the definition asks", () => {
    const path = tmp("c.bin");
    const c = adam();
    saveCheckpoint(path, c, g);
    const bytes = readFileSync(path);
    const n = Number(bytes.readBigUInt64LE(0));
    expect(n % 8).toBe(0);
    const text = bytes.subarray(8, 8 + n).toString("utf8");
    expect(text).toMatch(/^\{"__metadata__":\{"format":"gradc",.*\} *$/);
    const h = JSON.parse(text) as Record<string, { dtype: string; shape: number[]; data_offsets: number[] }>;
    expect(Object.keys(h)).toEqual(["__metadata__", "W1", "b1", "W2", "b2", ...["W1", "b1", "W2", "b2"].flatMap((p) => [`optimizer.${p}.0`, `optimizer.${p}.1`])]);
    expect(h["W1"]).toEqual({ dtype: "F32", shape: [784, 50], data_offsets: [0, 156800] });
    expect(h["optimizer.b2.1"]!.shape).toEqual([10]);
    expect(h["__metadata__"]).toEqual({ format: "gradc", format_version: "1", graph_hash: graphHash(g), source: "graphs/two_layer_net.graph", iteration: "600", optimizer: "adam", optimizer_lr: "0.001", optimizer_steps: "600", rng: "4000000007", dims: '{"N":100}' });
    const back = loadCheckpoint(path, g);
    expect({ ...back, params: undefined, state: undefined }).toEqual({ ...c, params: undefined, state: undefined });
    for (const [p, a] of Object.entries(c.params)) expect(bits(back.params[p]!)).toEqual(bits(a));
    for (const [p, list] of Object.entries(c.state)) list.forEach((a, i) => expect(bits(back.state[p]![i]!)).toEqual(bits(a)));
    expect(isCheckpointHead(bytes.subarray(0, 4096).toString("latin1"))).toBe(true);
    expect(isCheckpointHead("GRADCKPT...")).toBe(true);
    expect(isCheckpointHead("my notes\n")).toBe(false);
  });

  it("load tensors listed in any order, and ignore metadata gradc does not use (as another safetensors writer may leave them)", () => {
    const path = edited((h) => {
      const entries = Object.entries(h).reverse();
      for (const [k] of entries) delete h[k];
      for (const [k, v] of entries) h[k] = v;
      h["__metadata__"]!["note"] = "fine-tuned elsewhere";
    });
    expect(Object.keys(JSON.parse(readFileSync(path).subarray(8, 8 + Number(readFileSync(path).readBigUInt64LE(0))).toString()) as object)[0]).toBe("optimizer.b2.1");
    const c = adam();
    const back = loadCheckpoint(path, g);
    for (const [p, a] of Object.entries(c.params)) expect(bits(back.params[p]!)).toEqual(bits(a));
    expect(bits(back.state["W1"]![1]!)).toEqual(bits(c.state["W1"]![1]!));
  });

  it("say first that a checkpoint is another graph's, however damaged its tensors", () => {
    const path = edited((h) => {
      h["__metadata__"]!["graph_hash"] = "0123456789abcdef";
      h["__metadata__"]!["source"] = "graphs/other.graph";
      delete h["W1"];
    });
    expect(error(path, "checkpoint_other_graph")).toBe(`${path} was saved from graphs/other.graph, whose params differ from ${g.file}'s: it cannot be loaded into this graph`);
  });

  const meta = (k: string, v: unknown) => (h: Record<string, Record<string, unknown>>) => void (v === undefined ? delete h["__metadata__"]![k] : (h["__metadata__"]![k] = v));
  const tensor = (name: string, k: string, v: unknown) => (h: Record<string, Record<string, unknown>>) => void (h[name]![k] = v);
  const cases: [string, (h: Record<string, Record<string, unknown>>) => void, string, number?][] = [
    ["metadata that is not a string", meta("iteration", 600), "__metadata__.iteration is 600: safetensors metadata values must be strings"],
    ["metadata that is not a map", (h) => (h["__metadata__"] = ["gradc"] as never), "its __metadata__ is not a map of strings"],
    ["another program's safetensors file", (h) => delete h["__metadata__"], 'it is not a gradc checkpoint: its __metadata__.format is undefined, not "gradc"'],
    ["a later format_version", meta("format_version", "2"), 'it is checkpoint format_version "2"; this gradc reads 1'],
    ["iteration \"-100\"", meta("iteration", "-100"), "iteration must be a count, got -100"],
    ["iteration \"ten\"", meta("iteration", "ten"), 'iteration must be a count, got "ten"'],
    ["lr \"NaN\"", meta("optimizer_lr", "NaN"), 'its learning rate must be a positive number, got "NaN"'],
    ["an unknown optimizer", meta("optimizer", "lbfgs"), "its optimizer is missing or unknown"],
    ["no step count", meta("optimizer_steps", undefined), "its optimizer's step count is damaged"],
    ["a damaged random state", meta("rng", "1.5"), "its random state is damaged"],
    ["dims that are not JSON", meta("dims", "N=100"), 'its __metadata__.dims must be a JSON object of dims and sizes, got "N=100"'],
    ["a dim the graph lacks", meta("dims", '{"M":3}'), `its __metadata__.dims names 'M', which is not a dim of ${g.file}`],
    ["an unknown dtype", tensor("b1", "dtype", "F16"), `tensor 'b1' has dtype "F16"; gradc reads F32 and F64`],
    ["a shape that is not a list of sizes", tensor("b1", "shape", [50.5]), "tensor 'b1' has shape [50.5], not a list of sizes"],
    ["offsets that are not [begin, end]", tensor("b1", "data_offsets", [157000, 156800]), "tensor 'b1' has data_offsets [157000,156800], not [begin, end] with begin ≤ end"],
    ["a shape whose bytes are not the offsets' span", tensor("b1", "shape", [49]), "tensor 'b1' is F32[49], 196 bytes, but its data_offsets [156800, 157000] span 200"],
    ["overlapping tensors", tensor("b1", "data_offsets", [156796, 156996]), "tensor 'b1' (data_offsets [156796, 156996]) overlaps 'W1', which ends at 156800"],
    ["a gap between tensors", tensor("W2", "data_offsets", [157004, 159004]), "the data buffer has a gap of 4 bytes before tensor 'W2' (data_offsets [157004, 159004])"],
    ["offsets far past the end", tensor("optimizer.b2.1", "data_offsets", [1e9, 1e9 + 40]), "tensor 'optimizer.b2.1' (data_offsets [1000000000, 1000000040]) runs past the end of the data buffer (477120 bytes): the file is truncated"],
    ["a last tensor longer than the data", (h) => ((h["optimizer.b2.1"]!["shape"] = [20]), (h["optimizer.b2.1"]!["data_offsets"] = [477080, 477160])), "tensor 'optimizer.b2.1' (data_offsets [477080, 477160]) runs past the end of the data buffer (477120 bytes): the file is truncated"],
    ["a truncated data buffer", () => {}, "tensor 'optimizer.b2.1' (data_offsets [477080, 477120]) runs past the end of the data buffer (477116 bytes): the file is truncated", -4],
    ["bytes after the last tensor", () => {}, "8 bytes follow the last tensor", 8],
    ["a transposed weight", tensor("W1", "shape", [50, 784]), "W1 has shape [50, 784], but W1 is [784, 50]"],
    ["an unknown tensor", (h) => ((h["nosuch"] = h["b1"]!), delete h["b1"]), `it holds 'nosuch', which is not a param of ${g.file}`],
    ["a state array the optimizer does not keep", (h) => ((h["optimizer.b2.2"] = h["b2"]!), delete h["b2"]), "it holds 'optimizer.b2.2', but adam keeps 2 state arrays per param"],
    ["a malformed state name", (h) => ((h["optimizer.b2.0x"] = h["b2"]!), delete h["b2"]), `it holds 'optimizer.b2.0x', which is not a param of ${g.file}`],
  ];
  for (const [what, edit, message, dataBytes] of cases) {
    it(`refuse ${what}`, () => expect(error(edited(edit, dataBytes))).toBe(`not a usable gradc checkpoint: ${message}`));
  }

  it("refuse a bad header length, a header that is not JSON, an array of another dtype than its param's, a missing param or state array", () => {
    const raw = (head: bigint, rest: string) => {
      const path = tmp("raw.bin");
      const b = Buffer.alloc(8);
      b.writeBigUInt64LE(head);
      writeFileSync(path, Buffer.concat([b, Buffer.from(rest)]));
      return path;
    };
    const say = (path: string) => error(path).replace("not a usable gradc checkpoint: ", "");
    expect(say(raw(200n, "{}"))).toBe("its header length is 200 bytes, but only 2 bytes follow it: the file is truncated");
    expect(say(raw(100_000_001n, "{}"))).toBe("it is not a safetensors file: its first 8 bytes give a header length of 100000001 bytes, over safetensors' limit of 100 MB");
    expect(say(raw(4n, "[1] "))).toBe("its header is not a UTF-8 JSON object");
    expect(say(raw(2n, "{]"))).toBe("its header is not a UTF-8 JSON object");
    const short = tmp("short.bin");
    writeFileSync(short, "abc");
    expect(say(short)).toBe("it is 3 bytes long, too short for the 8-byte header length that starts a safetensors file");
    expect(error(join(tmpdir(), "gradc-no-such-dir", "c.bin"), "cannot_read_checkpoint")).toMatch(/^cannot read checkpoint /);
    const c = adam();
    const f64 = { ...c, params: { ...c.params, b1: Float64Array.from(c.params["b1"]!) } };
    expect(error(edited(() => {}, 0, f64))).toBe("not a usable gradc checkpoint: b1 holds f64 values, but b1 is f32");
    const { b2: _, ...noB2 } = c.params;
    expect(error(edited(() => {}, 0, { ...c, params: noB2 }))).toBe("not a usable gradc checkpoint: it holds no values for param b2");
    expect(error(edited(() => {}, 0, { ...c, state: { ...c.state, b2: c.state["b2"]!.slice(0, 1) } }))).toBe("not a usable gradc checkpoint: it holds no adam state 1 for param b2");
  });

  const python = spawnSync("python3", ["-c", "import numpy"], { encoding: "utf8" }).status === 0;
  /** safetensors as its definition reads: u64 LE header length N, N bytes of JSON, tensors at data_offsets into the buffer after it. */
  const READER = `
import json, struct, sys
import numpy as np
raw = open(sys.argv[1], "rb").read()
(n,) = struct.unpack("<Q", raw[:8])
header = json.loads(raw[8:8 + n].decode("utf-8"))
data = raw[8 + n:]
meta = header.pop("__metadata__")
assert all(isinstance(k, str) and isinstance(v, str) for k, v in meta.items())
at = 0
for name, t in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"]):
    assert t["data_offsets"][0] == at, name
    at = t["data_offsets"][1]
assert at == len(data)
out = {}
for name, t in header.items():
    b, e = t["data_offsets"]
    a = np.frombuffer(data[b:e], dtype={"F32": "<f4", "F64": "<f8"}[t["dtype"]]).reshape(t["shape"])
    out[name] = {"dtype": str(a.dtype), "shape": list(a.shape), "bits": a.view("<u4" if a.dtype == np.float32 else "<u8").ravel(order="C").tolist()}
print(json.dumps({"metadata": meta, "tensors": out}))
`;
  const quiet: Reporter = { start() {}, tick() {}, epoch() {}, stop() {} };

  it.skipIf(!python)(`read by an independent reader, Python + NumPy, after a real training run: the same tensors bit for bit, shaped as the graph says${python ? "" : " — SKIPPED: python3 with numpy is not installed"}`, { timeout: 120_000 }, async () => {
    const full = loadMnist(defaultDataDir());
    const cut = (s: Split, n: number): Split => ({ count: n, pixels: s.pixels.subarray(0, n * 784), labels: s.labels.subarray(0, n) });
    const dir = mkdtempSync(join(tmpdir(), "gradc-st-"));
    const r = await train(g, await loadCompiled(g), { source: full.source, train: cut(full.train, 1000), test: cut(full.test, 200) }, { iters: 30, batch: 50, optimizer: "adam", seed: 5, dir }, quiet);
    const py = spawnSync("python3", ["-c", READER, join(dir, "checkpoint.bin")], { encoding: "utf8", maxBuffer: 64 << 20 });
    expect(py.stderr).toBe("");
    const read = JSON.parse(py.stdout) as { metadata: Record<string, string>; tensors: Record<string, { dtype: string; shape: number[]; bits: number[] }> };
    for (const p of g.params) {
      const a = r.model.params[p.name]!;
      expect(read.tensors[p.name]!.dtype).toBe("float32");
      expect(read.tensors[p.name]!.shape).toEqual(p.node.type.shape);
      expect(read.tensors[p.name]!.bits).toEqual(bits(a));
    }
    const saved = loadCheckpoint(join(dir, "checkpoint.bin"), g);
    for (const p of g.params) saved.state[p.name]!.forEach((a, i) => expect(read.tensors[`optimizer.${p.name}.${i}`]!.bits).toEqual(bits(a)));
    expect(Object.keys(read.tensors).length).toBe(3 * g.params.length);
    expect(read.metadata).toEqual({ format: "gradc", format_version: "1", graph_hash: graphHash(g), source: g.file, iteration: "30", optimizer: "adam", optimizer_lr: "0.001", optimizer_steps: "30", rng: String(saved.rng), dims: '{"N":50}' });
  });
});

/** A file of the older layout from a header (edited as a test likes), its arrays holding values() of the lengths it names. */
function legacy(edit: (h: Record<string, unknown>) => void, extraBytes = 0): string {
  const arrays = Object.entries(sizes).map(([n, length]) => ({ name: `param:${n}`, dtype: "f32", length }));
  const h: Record<string, unknown> = { graphHash: graphHash(g), source: "graphs/two_layer_net.graph", iteration: 600, optimizer: { name: "sgd", lr: 0.1, steps: 600 }, rng: 7, arrays };
  edit(h);
  const header = Buffer.from(JSON.stringify(h));
  const listed = Array.isArray(h["arrays"]) ? (h["arrays"] as { length?: unknown }[]).reduce((n, a) => n + (typeof a?.length === "number" && a.length >= 0 && a.length < 1e6 ? a.length : 0), 0) : 0;
  const head = Buffer.alloc(12);
  head.write("GRADCKPT", 0, "latin1");
  head.writeUInt32LE(header.length, 8);
  const path = tmp("c.bin");
  const data = values(listed, 0);
  writeFileSync(path, Buffer.concat([head, header, new Uint8Array(data.buffer), Buffer.alloc(extraBytes)]));
  return path;
}

describe("checkpoints of the older GRADCKPT layout", () => {
  it("still load, every array where it was", () => {
    const c = loadCheckpoint(legacy(() => {}), g);
    expect({ iteration: c.iteration, optimizer: c.optimizer, rng: c.rng, dims: c.dims }).toEqual({ iteration: 600, optimizer: { name: "sgd", lr: 0.1, steps: 600 }, rng: 7, dims: undefined });
    const all = values(39200 + 50 + 500 + 10, 0);
    expect(bits(c.params["W1"]!)).toEqual(bits(all.subarray(0, 39200)));
    expect(bits(c.params["b2"]!)).toEqual(bits(all.subarray(39750)));
    expect(c.state).toEqual({});
  });
  it("load their optimizer state, and are replaced by the new layout on the next save", () => {
    const withState = legacy((h) => {
      h["optimizer"] = { name: "momentum", lr: 0.01, steps: 600 };
      h["arrays"] = [...(h["arrays"] as object[]), ...Object.entries(sizes).map(([n, length]) => ({ name: `state:${n}:0`, dtype: "f32", length }))];
    });
    const c = loadCheckpoint(withState, g);
    expect(bits(c.state["b2"]![0]!)).toEqual(bits(values(2 * 39760, 0).subarray(39760 + 39750)));
    saveCheckpoint(withState, c, g);
    expect(readFileSync(withState).subarray(0, 8).toString("latin1")).not.toBe("GRADCKPT");
    expect(bits(loadCheckpoint(withState, g).state["W2"]![0]!)).toEqual(bits(c.state["W2"]![0]!));
  });
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
    it(`refuse ${what}`, () => expect(error(legacy(edit))).toBe(`not a usable gradc checkpoint: ${message}`));
  }
  it("refuse a header of null, and bytes after the last array", () => {
    const path = tmp("n.bin");
    const head = Buffer.alloc(12);
    head.write("GRADCKPT", 0, "latin1");
    head.writeUInt32LE(4, 8);
    writeFileSync(path, Buffer.concat([head, Buffer.from("null")]));
    expect(error(path)).toBe("not a usable gradc checkpoint: its header is not an object");
    expect(error(legacy(() => {}, 8))).toBe("not a usable gradc checkpoint: 8 bytes follow the last array");
  });
});

describe("a param named like safetensors' reserved key", () => {
  it("__metadata__ is stored as param.__metadata__ and loads back under its own name", () => {
    const odd = compileText("input x: f32[2] = [1, 2]\nparam __metadata__: f32[2] = [3, 4]\ny = sum(x * __metadata__)\noutput y\ngrad y wrt __metadata__\n", "odd.graph");
    const path = join(mkdtempSync(join(tmpdir(), "gradc-ckpt-")), "c.bin");
    const c: Checkpoint = { graphHash: graphHash(odd), source: "odd.graph", iteration: 1, optimizer: { name: "sgd", lr: 0.1, steps: 1 }, rng: 1, params: { __metadata__: new Float32Array([3, 4]) }, state: {} };
    saveCheckpoint(path, c, odd);
    const bytes = readFileSync(path);
    const header = JSON.parse(bytes.subarray(8, 8 + Number(bytes.readBigUInt64LE(0))).toString("utf8")) as Record<string, unknown>;
    expect(Object.keys(header)).toEqual(["__metadata__", "param.__metadata__"]);
    expect(Array.from(loadCheckpoint(path, odd).params["__metadata__"]!)).toEqual([3, 4]);
  });
});
