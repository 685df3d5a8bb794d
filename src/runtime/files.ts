/**
 * Safe writes, for every command that writes a file. A file is written to a temporary
 * name and renamed, so a crash never leaves half a file (and a failed write leaves no
 * temporary file behind). An existing file is replaced only when gradc wrote it — each
 * kind of output carries a mark near its start that only its first bytes are read for —
 * unless forced; and never when it is one of the command's own inputs, forced or not.
 * File-system failures are one-line errors naming the path and the cause.
 */
import { closeSync, lstatSync, mkdirSync, openSync, readSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, extname, resolve } from "node:path";
import { HEADER_MARK, VERSION } from "../codegen/header.js";
import * as errors from "../diagnostics/errors.js";

/** How gradc recognises its own outputs: a string in the first bytes of the file. */
export const MARKS = {
  /** generated modules start with their header */
  module: HEADER_MARK,
  /** SVG diagrams and curves carry an XML comment after the declaration */
  svg: "<!-- Written by gradc",
  /** DOT text starts with a comment */
  dot: "// Written by gradc",
  /** ONNX models name gradc as their producer (protobuf field 2, length 5) */
  onnx: "\u0012\u0005gradc",
} as const;
export type OutputKind = keyof typeof MARKS;

const HEAD_BYTES = 4096;

/** An SVG with gradc's mark after its XML declaration, so a later run may replace it. */
export function markSvg(svg: string): string {
  const mark = `${MARKS.svg} ${VERSION} -->`;
  const end = svg.startsWith("<?xml") ? svg.indexOf("?>") + 2 : 0;
  return `${svg.slice(0, end)}${end > 0 ? "\n" : ""}${mark}\n${svg.slice(end).replace(/^\n/, "")}`;
}

export interface WriteOptions {
  readonly kind: OutputKind;
  readonly force?: boolean;
  /** the files the command reads: never written over, even with --force */
  readonly inputs?: readonly string[];
}

/** Each kind of output: what it is called, and the extensions that name it. */
const FORMATS: Record<OutputKind, { readonly name: string; readonly exts: readonly string[]; readonly want: string }> = {
  module: { name: "a module", exts: ["ts", "mts", "cts", "js", "mjs", "cjs"], want: ".ts, or .js / .mjs for JavaScript" },
  svg: { name: "SVG", exts: ["svg"], want: ".svg" },
  dot: { name: "DOT text", exts: ["dot", "gv"], want: ".dot or .gv" },
  onnx: { name: "an ONNX model", exts: ["onnx"], want: ".onnx" },
};
/** Extensions of formats gradc never writes: a file named so would not hold what its name says. */
const OTHER_FORMATS = ["png", "jpg", "jpeg", "gif", "webp", "bmp", "tif", "tiff", "pdf", "eps", "ps", "html", "json", "graph", "bin", "safetensors", "pb", "pt", "npy"];

/** A name whose extension belongs to another format is refused; an unknown extension, or none, is the user's choice. */
function checkExtension(path: string, kind: OutputKind): void {
  const ext = extname(path).slice(1).toLowerCase();
  const { name, exts, want } = FORMATS[kind];
  if (!ext || exts.includes(ext)) return;
  const known = OTHER_FORMATS.includes(ext) || Object.values(FORMATS).some((f) => f.exts.includes(ext));
  if (known) errors.wrongExtension({ path, writes: name, ext, want });
}

/** Writes `content` to `path` if gradc may; otherwise a clear refusal that names the file and the flag. */
export function writeOutput(path: string, content: string | Uint8Array, o: WriteOptions): void {
  // one of the command's inputs is named as such first, whatever its extension
  for (const input of o.inputs ?? []) {
    if (samePath(path, input)) errors.refuseToWriteInput({ path, input });
  }
  checkExtension(path, o.kind);
  const existing = statOf(path);
  if (existing) {
    if (existing.isDirectory()) errors.cannotWriteDirectory({ path });
    if (!existing.isFile()) errors.cannotWriteNonFile({ path });
    if (!o.force && !head(path).includes(MARKS[o.kind])) errors.refuseToOverwrite({ path });
  }
  writeAtomic(path, content);
}

/** `path` written through a temporary file and a rename; a failure is a user-facing error, and cleans up. */
export function writeAtomic(path: string, text: string | Uint8Array): void {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(path) || ".", { recursive: true });
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    errors.cannotWrite({ path, why: reason(e) });
  }
}

/** A generated module: replaces only a file gradc generated itself, unless forced. */
export function writeGenerated(path: string, code: string, force: boolean, inputs: readonly string[] = []): void {
  writeOutput(path, code, { kind: "module", force, inputs });
}

function statOf(path: string) {
  try {
    return lstatSync(path).isSymbolicLink() ? statSync(path) : lstatSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    return errors.cannotWrite({ path, why: reason(e) });
  }
}

/** The first bytes of a regular file (never the whole of it: it may be huge). */
function head(path: string): string {
  const buf = Buffer.alloc(HEAD_BYTES);
  let fd: number | undefined;
  try {
    fd = openSync(path, "r");
    return buf.subarray(0, readSync(fd, buf, 0, HEAD_BYTES, 0)).toString("latin1");
  } catch (e) {
    return errors.cannotRead({ path, why: reason(e) });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function samePath(a: string, b: string): boolean {
  const real = (p: string) => {
    try {
      return realpathSync(p);
    } catch {
      return resolve(p);
    }
  };
  return real(a) === real(b);
}

const CAUSES: Record<string, string> = {
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EISDIR: "it is a directory",
  ENOTDIR: "a part of the path is a file, not a directory",
  ENOENT: "no such file",
  EROFS: "read-only file system",
  ENOSPC: "no space left on the device",
  EEXIST: "a file is in the way",
};

/** A file-system error's cause in words. */
export function reason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  return (code && CAUSES[code]) ?? (e instanceof Error ? e.message : String(e));
}
