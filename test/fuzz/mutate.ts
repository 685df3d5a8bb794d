/**
 * Inputs for the fuzzer: the graphs in graphs/ and random well-typed graphs, mutated
 * by byte-level edits (deletions, duplications, swaps, random characters) and by
 * token-level ones (operators, brackets, names and numbers of the language).
 */
import { Random } from "../../src/tensor/random.js";
import { randomGraph } from "../gen/random-graph.js";

/** Everything that can end a comment or a string in some output (test/codegen/injection.test.ts feeds the same). */
export const TERMINATORS = ["*/", "\r", "\u2028", "\u2029", "`", "${", "</script>", '"', "\\", "'", "-->", ";;"];
/** What a comment that escaped would run: the fuzzer checks it never does. */
export const PAYLOAD = "globalThis.fuzzInjected = 1;";

const TOKENS = ["(", ")", "[", "]", ",", "=", ":", "~", "+", "-", "*", "/", "@", "^", ".T", "\n", "#", " ", "0", "-1", "1e308", "N", "x", "sum(", "grad(", "axis=", "keepdims=true", "f32[", "i32", "dim ", "input ", "param ", "loss ", "output ", "fn f(a) = ", "wrt ", "사과", "__proto__", "class", "1.5", "NaN", "1e309", "-1e309", "0", "[1]", "f64[1, 1]", "Math", "dims", "i1", "xⸯ"];

export function fuzzInput(seed: number, corpus: readonly string[]): string {
  const rng = new Random(seed);
  const kind = rng.uniform();
  let text = kind < 0.45 ? randomGraph(seed, { hostile: kind < 0.15, unicode: kind >= 0.15 && kind < 0.25 }).text : corpus[rng.int(corpus.length)]!;
  // comments holding every terminator, after some lines
  if (rng.uniform() < 0.4) {
    text = text
      .split("\n")
      .map((line) => (rng.uniform() < 0.3 ? `${line}  # ${TERMINATORS[rng.int(TERMINATORS.length)]} ${PAYLOAD} ${TERMINATORS[rng.int(TERMINATORS.length)]}` : line))
      .join("\n");
  }
  // a third of the inputs are kept whole: well-typed graphs must reach code generation
  if (rng.uniform() < 0.33) return text;
  const edits = 1 + rng.int(4);
  for (let e = 0; e < edits; e++) {
    const at = rng.int(text.length + 1);
    const len = 1 + rng.int(12);
    switch (rng.int(6)) {
      case 0:
        text = text.slice(0, at) + text.slice(at + len);
        break;
      case 1:
        text = text.slice(0, at) + TOKENS[rng.int(TOKENS.length)] + text.slice(at);
        break;
      case 2:
        text = text.slice(0, at) + text.slice(at, at + len) + text.slice(at);
        break;
      case 3:
        text = text.slice(0, at) + String.fromCharCode(rng.int(0x2000)) + text.slice(at + 1);
        break;
      case 4: {
        const lines = text.split("\n");
        const i = rng.int(lines.length);
        const j = rng.int(lines.length);
        [lines[i], lines[j]] = [lines[j]!, lines[i]!];
        text = lines.join("\n");
        break;
      }
      default:
        text = text.replace(/\d+/, String(rng.int(5)));
    }
  }
  return text;
}
