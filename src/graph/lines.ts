/**
 * The lines of a source text, split once: kernels, ONNX nodes and diagnostics quote
 * their `.graph` line, and splitting the whole text for each of 10,000 kernels made
 * code generation quadratic. One text is kept (the one being compiled).
 */
let last: { readonly text: string; readonly lines: readonly string[] } | undefined;

/** Line `line` (1-based) of `text`, without its line break; "" past the end. */
export function sourceLine(text: string, line: number): string {
  if (last?.text !== text) last = { text, lines: text.split(/\r?\n/) };
  return last.lines[line - 1] ?? "";
}
