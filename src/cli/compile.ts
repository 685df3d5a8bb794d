/** `gradc compile FILE`: write the generated module (default generated/NAME.ts, generated/NAME.simd.ts with --simd). */
import { basename, dirname, join } from "node:path";
import { emitModule } from "../codegen/index.js";
import * as errors from "../diagnostics/errors.js";
import { loadGraph, requireResults } from "../pipeline.js";
import { writeGenerated } from "../runtime/files.js";

export interface CompileOptions {
  readonly output?: string;
  readonly dtype?: "f32" | "f64";
  readonly simd?: boolean;
  readonly force?: boolean;
}

export function compileFile(file: string, opts: CompileOptions): string {
  // the default name says which back end wrote it: generated/two_layer_net.simd.ts, as the repository keeps it
  const out = opts.output ?? join("generated", `${basename(file).replace(/\.graph$/, "")}${opts.simd ? ".simd" : ""}.ts`);
  // -o NAME.js (or .mjs) writes the same module as JavaScript
  const language = /\.m?js$/.test(out) ? "js" : "ts";
  const code = emitModule(requireResults(loadGraph(file)), { dtype: opts.dtype, source: file, simd: opts.simd, language });
  writeGenerated(out, code, opts.force === true, [file]);
  return out;
}

export function compileCommand(files: string[], opts: CompileOptions & { watch?: boolean }): Promise<void> | void {
  if (files.length > 1 && opts.output) errors.oneOutputFile({ count: files.length });
  if (files.length > 1 && opts.watch) errors.watchOneGraph();
  for (const file of files) process.stdout.write(`wrote ${compileFile(file, opts)}\n`);
  if (opts.watch) return watch(files[0]!, opts);
}

async function watch(file: string, opts: CompileOptions): Promise<void> {
  const { watch: watchFile } = await import("node:fs");
  const { GradcError, formatDiagnostic } = await import("../diagnostics/index.js");
  process.stdout.write(`watching ${file} (Ctrl-C to stop)\n`);
  let timer: NodeJS.Timeout | undefined;
  const rebuild = () => {
    try {
      process.stdout.write(`wrote ${compileFile(file, opts)}\n`);
    } catch (e) {
      if (e instanceof GradcError) process.stderr.write(formatDiagnostic(e.diagnostic) + "\n");
      else throw e;
    }
  };
  // watch the folder: editors often replace the file rather than write it
  const watcher = watchFile(dirname(file) || ".", (_event, name) => {
    if (name !== basename(file)) return;
    clearTimeout(timer);
    timer = setTimeout(rebuild, 50);
  });
  await new Promise<void>((resolve) => {
    process.once("SIGINT", () => {
      watcher.close();
      resolve();
    });
  });
}
