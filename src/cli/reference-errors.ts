/**
 * docs/errors.md, generated from the catalogue of diagnostics so it cannot drift:
 * `gradc reference --errors > docs/errors.md` (a test checks the file is current).
 */
import { catalogue } from "../diagnostics/list.js";
import { codes } from "../diagnostics/index.js";

/** What each kind code covers. */
const KINDS: Readonly<Record<keyof typeof codes, string>> = {
  syntax: "the text does not parse, or the graph asks for nothing",
  unknownName: "a name that is not defined, not yet defined, or not a value",
  unknownFunction: "a call of a function that does not exist (yet)",
  redefinition: "something defined or asked for twice",
  arguments: "the arguments of a call or an initializer",
  type: "dtypes, declared shapes and the values that must fit them",
  shape: "operands that an op's type rule refuses",
  loss: "what `loss` may name",
  grad: "what a gradient may be taken of, and with respect to",
  value: "literals, initializers and class indices",
  limit: "sizes and depths beyond gradc's limits",
  cli: "a command's flags and arguments, and the values given with --set and --inputs",
  io: "reading and writing files and folders, MNIST, checkpoints",
  export: "what `gradc export --onnx` cannot write",
};

/** A message in a table cell: a code span that survives backticks and pipes. */
function code(text: string): string {
  const escaped = text.replace(/\|/g, "\\|");
  return escaped.includes("`") ? `\`\` ${escaped} \`\`` : `\`${escaped}\``;
}

export function errorsReference(): string {
  const entries = catalogue();
  const lines = [
    "# gradc's error messages",
    "",
    "Generated from the catalogue in src/diagnostics/errors/ by `npx gradc reference --errors` — do not edit",
    "by hand. Every error gradc reports is one of these messages: one constructor of the catalogue each.",
    "",
    "An error in a `.graph` file is printed as `FILE:LINE:COL: error: MESSAGE`, then the source line and a caret",
    "under the column; one about a flag, a file or a folder as `gradc: error: MESSAGE`. Either way the exit",
    "code is 1. A library caller catches a `GradcError` whose `diagnostic` has the message, the span, and two",
    "stable names for what went wrong:",
    "",
    "- `code`: the kind of mistake, `E001`–`E014`, as gradc has always given them;",
    "- `id`: which message of the table below it is (its constructor's name in snake_case).",
    "",
    "In a message, `{name}` stands for what the error fills in; the example shows one as a user sees it.",
    "A `{hint}` is a did-you-mean (` (did you mean 'apple'?)`) when a known name is close, or nothing.",
    `The catalogue holds ${entries.length} messages.`,
  ];
  for (const [kind, c] of Object.entries(codes) as [keyof typeof codes, string][]) {
    lines.push("", `## ${c}: ${KINDS[kind]}`, "", "| id | message | example |", "|---|---|---|");
    for (const e of entries.filter((x) => x.code === c)) {
      lines.push(`| \`${e.id}\`${e.located ? "" : " ¹"} | ${code(e.pattern())} | ${code(e.sample())} |`);
    }
  }
  lines.push("", "¹ not located in a `.graph` file: about a flag, a file or a folder.");
  return lines.join("\n") + "\n";
}
