/**
 * `gradc export FILE --onnx OUT.onnx`: the forward graph as an ONNX model. Params are
 * written as initializers: from a training checkpoint (--checkpoint), from --set /
 * --inputs, or from their initializers with --seed.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { exportOnnx } from "../export/onnx.js";
import * as errors from "../diagnostics/errors.js";
import { tensor } from "../tensor/tensor.js";
import { formatType } from "../tensor/types.js";
import { loadGraph } from "../pipeline.js";
import { bind } from "../runtime/bind.js";
import { loadCheckpoint } from "../runtime/checkpoint.js";
import { writeOutput } from "../runtime/files.js";
import { givenValues, type ValueOptions } from "./options.js";

export interface ExportFlags extends ValueOptions {
  readonly onnx: string;
  readonly checkpoint?: string;
  readonly force?: boolean;
  /** false with --no-loss */
  readonly loss: boolean;
}

export function exportCommand(file: string, f: ExportFlags): void {
  const graph = loadGraph(file);
  const given = givenValues(f);
  if (f.checkpoint) {
    const saved = loadCheckpoint(f.checkpoint, graph);
    for (const p of graph.params) {
      const a = saved.params[p.name];
      const shape = p.node.type.shape.map((d) => (typeof d === "number" ? d : errors.symbolicParamShape({ name: p.name })));
      if (a && !given.has(p.name)) given.set(p.name, tensor(shape, a));
    }
  }
  const params = new Map([...bind(graph, { given, seed: f.seed }).values].filter(([name]) => graph.params.some((p) => p.name === name)));
  const model = exportOnnx(graph, { values: params, losses: f.loss });
  writeOutput(f.onnx, model.bytes, { kind: "onnx", force: f.force, inputs: [file, ...(f.checkpoint ? [f.checkpoint] : []), ...(f.inputs ? [f.inputs] : [])] });
  const list = (xs: typeof model.inputs) => xs.map((x) => `${x.name}: ${formatType(x.node.type)}`).join(", ");
  const count = [...params.values()].reduce((a, t) => a + t.data.length, 0);
  process.stdout.write(
    [
      `wrote ${f.onnx} (ONNX opset 17, ${model.nodeCount} nodes, ${model.bytes.length.toLocaleString("en-US")} bytes)`,
      `  inputs   ${list(model.inputs) || "(none)"}`,
      `  outputs  ${list(model.outputs)}`,
      `  params   ${params.size === 0 ? "(none)" : `${count.toLocaleString("en-US")} values${f.checkpoint ? ` from ${f.checkpoint}` : `, initialized with seed ${f.seed ?? 1}`}`}`,
    ].join("\n") + "\n",
  );
}
