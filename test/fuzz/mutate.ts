/**
 * Inputs for the fuzzer: the graphs in graphs/ and random well-typed graphs, mutated
 * by byte-level edits (deletions, duplications, swaps, random characters) and by
 * token-level ones (operators, brackets, names and numbers of the language).
 */
import { Random } from "../../src/runtime/random.js";
import { randomGraph } from "../gen/random-graph.js";

const TOKENS = ["(", ")", "[", "]", ",", "=", ":", "~", "+", "-", "*", "/", "@", "^", ".T", "\n", "#", " ", "0", "-1", "1e308", "N", "x", "sum(", "grad(", "axis=", "keepdims=true", "f32[", "i32", "dim ", "input ", "param ", "loss ", "output ", "fn f(a) = ", "wrt ", "사과", "__proto__", "class", "1.5", "NaN"];

export function fuzzInput(seed: number, corpus: readonly string[]): string {
  const rng = new Random(seed);
  let text = rng.uniform() < 0.3 ? randomGraph(seed).text : corpus[rng.int(corpus.length)]!;
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
