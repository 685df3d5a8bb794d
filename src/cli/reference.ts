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
  lines.push("## Primitives", "", "| op | operands | differentiable | rule |", "|---|---|---|---|");
  for (const op of [...ops.values()].sort((a, b) => a.name.localeCompare(b.name))) {
    const formula = op.scalar?.formula ? ` — formula \`${op.scalar.formula}\`, checked against mathjs` : "";
    lines.push(`| \`${op.name}\` | ${op.inputs.map((i) => `\`${i}\``).join(", ")} | ${op.vjp === "none" ? "no (passes no gradient)" : "yes"} | ${cell(op.doc)}${formula} |`);
  }
  return lines.join("\n") + "\n";
}

export function referenceCommand(): void {
  process.stdout.write(languageReference());
}
