/** E014: what `gradc export --onnx` cannot write. */
import { type At, type Plain, at, plain } from "../catalogue.js";
import { codes } from "../index.js";

const X = codes.export;

export const nothingToExport: Plain<{ file: string }> = plain(X, "nothing_to_export", (a) => `${a.file} has no output or loss to export`, { file: "empty.graph" });

export const notForwardOp: At<{ op: string }> = at(X, "not_forward_op", (a) => `${a.op} has no ONNX export (it is not an op of forward graphs)`, {
  op: "relu_grad",
});

export const noOnnxRule: Plain<{ op: string }> = plain(X, "no_onnx_rule", (a) => `${a.op} has no ONNX export`, { op: "relu_grad" });

export const noParamValue: Plain<{ name: string }> = plain(X, "no_param_value", (a) => `no value for param ${a.name}`, { name: "W1" });

export const dimNotAnInputAxis: Plain<{ dim: string }> = plain(
  X,
  "dim_not_an_input_axis",
  (a) => `cannot export: dim ${a.dim} is not the size of an axis of any input the model takes`,
  { dim: "M" },
);

/** an op's ONNX rule cannot write this case (OnnxContext.fail: the exporter gives `op`) */
export const onnxMaskOverSomeAxes: At<{ op: string }> = at(
  X,
  "onnx_mask_over_some_axes",
  (a) => `cannot export ${a.op} to ONNX: a first-maximum mask over some but not all of several axes`,
  { op: "max_mask" },
);
