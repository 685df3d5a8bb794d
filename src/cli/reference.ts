/**
 * The language reference, generated from the op table so it cannot drift:
 * `gradc reference > docs/language.md` (a test checks the file is current).
 */
import { builtins, ops } from "../ops/index.js";

/** A table cell: a `|` would end it. */
const cell = (s: string) => s.replace(/\|/g, "\\|");

export function languageReference(): string {
  const lines: string[] = [
    "# The .graph language — built-in functions",
    "",
    "Generated from the op table by `npx gradc reference` — do not edit by hand. The statements,",
    "types and expressions are described in the README and in SPEC §1; this page lists every",
    "function and every primitive with its derivative rule.",
    "",
    "## Functions you can call",
    "",
    "| function | arguments | what it does and how its gradient flows |",
    "|---|---|---|",
  ];
  for (const f of [...builtins.values()].sort((a, b) => a.name.localeCompare(b.name))) {
    const attrs = Object.entries(f.attrs).map(([k, spec]) => (spec.default === undefined ? k : `${k}=${JSON.stringify(spec.default)}`));
    lines.push(`| \`${f.name}\` | ${[...f.inputs, ...attrs].map((a) => `\`${a}\``).join(", ")} | ${cell(f.doc)}${f.composite ? " *(composite: expands into primitives)*" : ""} |`);
  }
  lines.push("| `grad` | `L`, `X` | The gradient of the scalar `L` with respect to `X`, as a node of `X`'s shape: gradients are graphs, so they differentiate again. |");
  lines.push("", "Operators: `+ - * / ^` are `add sub mul div pow` below (NumPy broadcasting), `@` is `matmul`, `x.T` is `transpose`, unary `-` is `neg`.", "");
  lines.push("## Primitives", "", "The ONNX column says how `gradc export --onnx` writes each op: one ONNX op, or several.", "");
  lines.push("| op | operands | differentiable | rule | ONNX |", "|---|---|---|---|---|");
  for (const op of [...ops.values()].sort((a, b) => a.name.localeCompare(b.name))) {
    const formula = op.scalar?.formula ? ` — formula \`${op.scalar.formula}\`, checked against mathjs` : "";
    const onnx = typeof op.onnx === "string" ? `\`${op.onnx}\`` : op.onnx ? "several nodes" : "—";
    lines.push(`| \`${op.name}\` | ${op.inputs.map((i) => `\`${i}\``).join(", ")} | ${op.vjp === "none" ? "no (passes no gradient)" : "yes"} | ${cell(op.doc)}${formula} | ${onnx} |`);
  }
  return lines.join("\n") + "\n";
}

const sentence = (s: string) => s.charAt(0).toUpperCase() + s.slice(1) + ".";

/** The command-line reference, from the commands' own definitions (docs/cli.md). */
export async function cliReference(): Promise<string> {
  const { commandLine } = await import("./main.js");
  const lines: string[] = [
    "# gradc — command-line reference",
    "",
    "Generated from the commands' definitions by `npx gradc reference --cli` — do not edit by hand.",
    "",
    "Most commands take a `.graph` file. Errors go to stderr as `FILE:LINE:COL: error: …` with the",
    "source line and a caret; the exit code is 1 for a mistake in a `.graph` file or an argument,",
    "2 for a bug in gradc (\"internal error\"). `gradc COMMAND --help` prints the same as below.",
    "",
    "| command | does |",
    "|---|---|",
  ];
  const commands = commandLine().commands;
  for (const c of commands) lines.push(`| [\`${c.name()}\`](#gradc-${c.name()}) | ${cell(c.description())} |`);
  for (const c of commands) {
    lines.push("", `## gradc ${c.name()}`, "", "```", `gradc ${c.name()} ${c.usage()}`, "```", "", sentence(c.description()), "");
    const args = c.registeredArguments.map((a) => {
      const dflt = a.defaultValue === undefined ? "" : ` (default \`${String(a.defaultValue)}\`)`;
      return `| \`${a.name()}${a.variadic ? "..." : ""}\` | ${a.required ? "required" : "optional"}: ${cell(a.description)}${dflt} |`;
    });
    const opts = c.options.map((o) => {
      const notes = [
        o.mandatory ? "required" : "",
        o.argChoices ? `one of ${o.argChoices.map((x) => `\`${x}\``).join(", ")}` : "",
        o.defaultValue !== undefined && !o.negate && !(Array.isArray(o.defaultValue) && o.defaultValue.length === 0) ? `default \`${String(o.defaultValue)}\`` : "",
      ].filter(Boolean);
      return `| \`${o.flags}\` | ${cell(o.description)}${notes.length ? ` (${notes.join("; ")})` : ""} |`;
    });
    if (args.length + opts.length > 0) lines.push("| argument or option | meaning |", "|---|---|", ...args, ...opts);
  }
  return lines.join("\n") + "\n";
}

export async function referenceCommand(opts: { cli?: boolean } = {}): Promise<void> {
  process.stdout.write(opts.cli ? await cliReference() : languageReference());
}
