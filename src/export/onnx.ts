// proto/onnx_pb.ts is generated from proto/onnx.proto by the command in proto/buf.gen.yaml
/**
 * ONNX export: the forward graph (its outputs and, unless asked not to, its losses) as
 * a standard ONNX model, opset 17, for ONNX Runtime and other engines. Each op is
 * written by the `onnx` rule of its op-table entry; this module only walks the graph,
 * names values after the `.graph` file, casts operands to the dtype a node computes
 * in, and builds the protobuf (@bufbuild/protobuf, with proto/onnx_pb.ts generated from
 * proto/onnx.proto). Params become initializers; inputs with a default become inputs
 * whose initializer is the default; symbolic dims stay symbolic.
 */
import { sourceLine } from "../graph/lines.js";
import { create, toBinary } from "@bufbuild/protobuf";
import * as errors from "../diagnostics/errors.js";
import { ancestors, isConst, isInput, isParam, type Graph, type Named, type Node } from "../graph/ir.js";
import type { Tensor } from "../tensor/tensor.js";
import type { Shape, Type } from "../tensor/types.js";
import { opDef } from "../ops/index.js";
import type { OnnxContext, OnnxType } from "../ops/types.js";
import { VERSION } from "../codegen/header.js";
import {
  AttributeProto_AttributeType as AttributeType,
  ModelProtoSchema,
  NodeProtoSchema,
  TensorProto_DataType as DataType,
  TensorProtoSchema,
  ValueInfoProtoSchema,
  type NodeProto,
  type TensorProto,
  type ValueInfoProto,
} from "./proto/onnx_pb.js";

export const OPSET = 17;

const DATA_TYPE: Record<OnnxType, number> = {
  f32: DataType.FLOAT,
  f64: DataType.DOUBLE,
  i32: DataType.INT32,
  i64: DataType.INT64,
  bool: DataType.BOOL,
};

export interface OnnxOptions {
  /** the value of every param (and of inputs' defaults, when not declared in the graph) */
  readonly values: ReadonlyMap<string, Tensor>;
  /** also export the losses as outputs (default true); without them, labels are not inputs */
  readonly losses?: boolean;
}

export interface OnnxModel {
  readonly bytes: Uint8Array;
  readonly inputs: readonly Named[];
  readonly outputs: readonly Named[];
  /** how many ONNX nodes the model has */
  readonly nodeCount: number;
}

/** The forward graph of `graph` as an ONNX model's bytes. */
export function exportOnnx(graph: Graph, options: OnnxOptions): OnnxModel {
  const roots = uniqueByName([...graph.outputs, ...(options.losses === false ? [] : graph.losses)]);
  if (roots.length === 0) errors.nothingToExport({ file: graph.file });
  const w = new Writer(graph, options.values, ancestors(roots.map((r) => r.node)));
  const inputs = graph.inputs.filter((i) => w.needed.has(i.node.id));
  for (const n of w.nodes) w.emit(n);
  const outputs = roots.map((r) => w.output(r));
  const model = create(ModelProtoSchema, {
    irVersion: 8n,
    opsetImport: [{ domain: "", version: BigInt(OPSET) }],
    producerName: "gradc",
    producerVersion: VERSION,
    docString: `exported by gradc from ${graph.file}`,
    graph: {
      name: graph.file.replace(/^.*[\\/]/, "").replace(/\.graph$/, ""),
      node: w.protos,
      input: inputs.map((i) => valueInfo(i.name, i.node.type)),
      output: roots.map((r, k) => valueInfo(outputs[k]!, r.node.type)),
      initializer: w.initializers,
    },
  });
  return { bytes: toBinary(ModelProtoSchema, model), inputs, outputs: roots, nodeCount: w.protos.length };
}

function uniqueByName(list: readonly Named[]): Named[] {
  const seen = new Set<string>();
  return list.filter((n) => !seen.has(n.name) && seen.add(n.name));
}

function valueInfo(name: string, t: Type): ValueInfoProto {
  const dim = t.shape.map((d) =>
    typeof d === "number"
      ? { value: { case: "dimValue" as const, value: BigInt(d) } }
      : /^[\p{L}_][\p{L}\p{Nd}_]*$/u.test(d)
        ? { value: { case: "dimParam" as const, value: d } }
        : {},
  );
  return create(ValueInfoProtoSchema, { name, type: { value: { case: "tensorType", value: { elemType: DATA_TYPE[t.dtype], shape: { dim } } } } });
}

function tensorProto(name: string, values: ArrayLike<number>, dtype: OnnxType, shape: readonly number[]): TensorProto {
  const arrays = { f32: Float32Array, f64: Float64Array, i32: Int32Array, bool: Uint8Array } as const;
  const raw =
    dtype === "i64" ? new BigInt64Array(Array.from(values, (v) => BigInt(v))) : new arrays[dtype](Array.from(values));
  const rawData = new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
  return create(TensorProtoSchema, { name, dataType: DATA_TYPE[dtype], dims: shape.map((d) => BigInt(d)), rawData });
}

/** Builds the node and initializer lists; one per export. */
class Writer {
  readonly protos: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  readonly needed: ReadonlySet<number>;
  private readonly names = new Map<number, string>();
  private readonly taken = new Set<string>();
  private readonly cache = new Map<string, string>();
  /** `.graph` line → the name defined there: made-up values are named after their statement */
  private readonly lineNames = new Map<number, string>();
  private current: Node | undefined;

  constructor(
    private readonly graph: Graph,
    private readonly values: ReadonlyMap<string, Tensor>,
    readonly nodes: readonly Node[],
  ) {
    this.needed = new Set(nodes.map((n) => n.id));
    for (const d of [...graph.names].reverse()) if (d.node.span) this.lineNames.set(d.node.span.line, d.name);
    const named = [...graph.inputs, ...graph.params, ...graph.names];
    // the graph's names are never given to made-up values
    for (const d of named) this.taken.add(d.name);
    for (const d of named) if (this.needed.has(d.node.id) && !this.names.has(d.node.id)) this.names.set(d.node.id, d.name);
    for (const i of graph.inputs) {
      const d = i.default;
      if (this.needed.has(i.node.id) && d && d.shape.length === i.node.type.shape.length) this.initializers.push(tensorProto(i.name, d.data, i.node.type.dtype, d.shape));
    }
  }

  /** A fresh value name, never one of the graph's names. */
  fresh(base: string): string {
    let name = base;
    for (let k = 1; this.taken.has(name); k++) name = `${base}_${k}`;
    this.taken.add(name);
    return name;
  }

  emit(n: Node): void {
    if (isInput(n)) return;
    if (isParam(n)) return this.param(n);
    if (isConst(n)) return; // written where used, in the dtype its user needs
    const def = opDef(n.op);
    const rule = def.onnx;
    if (!rule) errors.notForwardOp(n.span, { op: n.op });
    this.current = n;
    const first = this.protos.length;
    const o = this.context(n);
    const result = typeof rule === "string" ? o.node(rule, n.inputs.map((_, i) => o.x(i))) : rule(o);
    this.settle(n, result, first);
  }

  /** Gives the rule's result the node's name (the `.graph` name where it has one). */
  private settle(n: Node, result: string, first: number): void {
    const want = this.names.get(n.id);
    const made = this.protos.slice(first).find((p) => p.output[0] === result);
    if (!want) {
      this.names.set(n.id, result);
      return;
    }
    if (made) {
      this.taken.delete(result);
      made.output = [want];
      for (const p of this.protos.slice(first)) p.input = p.input.map((v) => (v === result ? want : v));
    } else this.protos.push(create(NodeProtoSchema, { opType: "Identity", input: [result], output: [want], name: want }));
  }

  private param(n: Node): void {
    const name = this.names.get(n.id)!;
    const v = this.values.get(name) ?? errors.noParamValue({ name });
    this.initializers.push(tensorProto(name, v.data, n.type.dtype, v.shape));
  }

  /** The value of an input node, in `dtype` when given. */
  value(n: Node, dtype?: OnnxType): string {
    if (isConst(n)) return this.constNode(n, dtype ?? n.type.dtype);
    const name = this.names.get(n.id)!;
    return dtype && dtype !== n.type.dtype ? this.cast(name, dtype) : name;
  }

  private constNode(n: Node, dtype: OnnxType): string {
    const v = n.value!;
    return this.constant(v.data, dtype, v.shape, `c${n.id}`);
  }

  constant(values: ArrayLike<number>, dtype: OnnxType, shape: readonly number[] = [], base = "const"): string {
    const key = `const:${dtype}:${shape.join(",")}:${Array.from(values).join(",")}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    const name = this.fresh(values.length === 1 && shape.length === 0 ? `${base}_${String(values[0]).replace(/[^\w]/g, "_")}` : base);
    this.initializers.push(tensorProto(name, values, dtype, shape));
    this.cache.set(key, name);
    return name;
  }

  cast(value: string, to: OnnxType): string {
    const key = `cast:${value}:${to}`;
    return this.cache.get(key) ?? this.cache.set(key, this.add("Cast", [value], { to: DATA_TYPE[to] }, `${value}_${to}`)).get(key)!;
  }

  add(opType: string, input: readonly string[], attrs: Readonly<Record<string, number | readonly number[]>> = {}, base?: string): string {
    const line = this.current?.span?.line;
    const owner = this.names.get(this.current?.id ?? -1) ?? (line === undefined ? undefined : this.lineNames.get(line)) ?? this.current?.op;
    const out = this.fresh(base ?? `${owner ?? "v"}_${opType}`);
    const attribute = Object.entries(attrs).map(([name, v]) =>
      typeof v === "number" ? { name, type: AttributeType.INT, i: BigInt(v) } : { name, type: AttributeType.INTS, ints: v.map((x) => BigInt(x)) },
    );
    const span = this.current?.span;
    const docString = span ? `${span.source.file}:${span.line}: ${sourceLine(span.source.text, span.line).trim()}` : undefined;
    this.protos.push(create(NodeProtoSchema, { opType, input: [...input], output: [out], name: out, attribute, ...(docString ? { docString } : {}) }));
    return out;
  }

  /** A symbolic or numeric shape as a 1-D int64 value. */
  shape(shape: Shape): string {
    if (shape.every((d) => typeof d === "number")) return this.constant(shape as number[], "i64", [shape.length]);
    const key = `shape:${shape.join(",")}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    const made = this.add("Concat", shape.map((d) => this.dim(d)), { axis: 0 }, "shape");
    this.cache.set(key, made);
    return made;
  }

  /** One dim as a 1-element int64 value: a number, a dim read from an input, or a product. */
  private dim(d: number | string): string {
    if (typeof d === "number") return this.constant([d], "i64", [1]);
    const factors = d.split("*");
    if (factors.length > 1) return factors.map((f) => this.dim(/^\d+$/.test(f) ? Number(f) : f)).reduce((a, b) => this.add("Mul", [a, b], {}, `dim_${d.replace(/\W/g, "_")}`));
    const key = `dim:${d}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    for (const i of this.graph.inputs) {
      const axis = i.node.type.shape.indexOf(d);
      if (axis < 0 || !this.needed.has(i.node.id)) continue;
      const shape = this.add("Shape", [i.name], {}, `${i.name}_shape`);
      const made = this.add("Gather", [shape, this.constant([axis], "i64", [1])], { axis: 0 }, `dim_${d}`);
      this.cache.set(key, made);
      return made;
    }
    return errors.dimNotAnInputAxis({ dim: d });
  }

  context(n: Node): OnnxContext {
    const operand = (i: number): Node => n.inputs[i] ?? bug(`${n.op} has no operand ${i}`);
    const out = n.type.dtype;
    const self = this;
    return {
      x: (i) => this.value(operand(i), out),
      raw: (i) => this.value(operand(i)),
      inTypes: n.inputs.map((i) => i.type),
      outType: n.type,
      attrs: n.attrs,
      node: (op, ins, attrs) => this.add(op, ins, attrs),
      constant: (values, dtype, shape) => this.constant(values, dtype, shape),
      cast: (v, to) => this.cast(v, to),
      shape: (s) => this.shape(s),
      fail: (entry) => entry(n.span, { op: n.op }),
      apply(op, values) {
        const rule = opDef(op).onnx ?? errors.noOnnxRule({ op });
        if (typeof rule === "string") return self.add(rule, values);
        return rule({ ...this, x: (i) => values[i]!, raw: (i) => values[i]!, inTypes: values.map(() => n.type), attrs: {} });
      },
    };
  }

  /** The name of a root in the model: the node's value, renamed to the output's name. */
  output(r: Named): string {
    const v = isConst(r.node) ? this.value(r.node) : this.names.get(r.node.id)!;
    if (v === r.name) return v;
    this.protos.push(create(NodeProtoSchema, { opType: "Identity", input: [v], output: [r.name], name: r.name }));
    return r.name;
  }
}

/** Our own mistake, not the user's: the CLI reports it as an internal error (exit 2). */
function bug(message: string): never {
  throw new Error(message);
}
