/**
 * The kernel program as a listing, for `gradc ir --kernels` and docs: one statement a
 * line, every operator parenthesized so the tree shows, locals and buffers by the names
 * they want (the printers make them unique), dims as `dim N`.
 */
import type { Buf, Expr, Local, Stmt } from "./ir.js";

export function formatExpr(e: Expr): string {
  switch (e.k) {
    case "num":
      return Object.is(e.value, -0) ? "-0" : String(e.value);
    case "dim":
      return `dim ${e.name}`;
    case "get":
      return e.v.hint;
    case "load":
      return `${e.buf.hint}[${bare(e.index)}]`;
    case "byteOffset":
      return `offset(${e.buf.hint})`;
    case "neg":
      return `(-${formatExpr(e.a)})`;
    case "math":
      return `${e.fn}(${e.args.map(formatExpr).join(", ")})`;
    case "select":
      return `(${formatExpr(e.cond)} ? ${formatExpr(e.a)} : ${formatExpr(e.b)})`;
    case "bin":
      return `(${formatExpr(e.a)} ${e.op} ${formatExpr(e.b)})`;
  }
}

/** Top-level index arithmetic reads better without its outer parentheses. */
function bare(e: Expr): string {
  const s = formatExpr(e);
  return e.k === "bin" ? s.slice(1, -1) : s;
}

export function formatStmts(list: readonly Stmt[], depth = 0): string[] {
  const pad = "  ".repeat(depth);
  return list.flatMap((s): string[] => {
    switch (s.k) {
      case "decl":
        return [`${pad}${s.mutable ? "let" : "const"} ${s.v.hint} = ${bare(s.init)}`];
      case "set":
        return [`${pad}${s.v.hint} ${s.op} ${bare(s.value)}`];
      case "store":
        return [`${pad}${s.buf.hint}[${bare(s.index)}] ${s.op} ${bare(s.value)}`];
      case "for":
        return [`${pad}for ${s.v.hint}${s.init ? ` from ${bare(s.init)}` : ""} while ${bare(s.cond)} step ${s.step}`, ...formatStmts(s.body, depth + 1)];
      case "if":
        return [`${pad}if ${bare(s.cond)}`, ...formatStmts(s.then, depth + 1), ...(s.else ? [`${pad}else`, ...formatStmts(s.else, depth + 1)] : [])];
      case "block":
        return [`${pad}block`, ...formatStmts(s.body, depth + 1)];
      case "fill":
        return [`${pad}fill ${s.buf.hint} ${bare(s.value)}`];
      case "wasm":
        return [`${pad}wasm ${s.fn}(${s.args.map(bare).join(", ")})`];
      case "comment":
        return [`${pad}; ${oneLine(s.text)}`];
      default:
        return [`${pad}${s.k}`];
    }
  });
}

/** A comment's text on one line: control characters and line separators as spaces. */
const oneLine = (text: string): string => [...text].map((c) => (c < " " || c === "\u2028" || c === "\u2029" ? " " : c)).join("");

/** A kernel's parameter as the listing shows it: a dim, an array with its dtype, or a scalar. */
export type ListedParam = { readonly kind: "dim"; readonly name: string } | { readonly kind: string; readonly buf: Buf } | { readonly kind: string; readonly v: Local };

/** One kernel: its doc lines as comments, its signature, its statements. */
export function formatKernel(name: string, doc: string, params: readonly ListedParam[], body: readonly Stmt[]): string {
  const param = (a: ListedParam): string => ("buf" in a ? `${a.buf.hint}: ${a.buf.dtype}[]` : "v" in a ? (a.kind === "simd" ? a.v.hint : `${a.v.hint}: number`) : `dim ${a.name}`);
  return [...doc.split("\n").map((l) => `; ${l}`), `kernel ${name}(${params.map(param).join(", ")})`, ...formatStmts(body, 1)].join("\n");
}
