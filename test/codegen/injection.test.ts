/**
 * User text never becomes code. Every kind of user text that a printer writes — source
 * lines in kernel comments, the file path in the header and meta, names — is fed with
 * every terminator a comment or string can have, through every output: TypeScript
 * (plain, --dtype, --simd with its WAT listing), DOT/SVG and ONNX. The generated module
 * is scanned with TypeScript's own scanner (the payload's identifier must appear in no
 * token outside comments and strings) and then run (the payload must not run).
 */
import { describe, expect, it } from "vitest";
import ts from "typescript";
import { compileText, exportOnnx, GradcError, renderDot, type Graph } from "../../src/index.js";
import { emitModule } from "../../src/codegen/index.js";
import { loadCompiled } from "../../src/runtime/load.js";
import { dotToSvg } from "../../src/render/svg.js";
import { bind } from "../../src/runtime/bind.js";
import { runCompiled } from "../../src/runtime/compiled.js";

export const TERMINATORS = ["*/", "\n", "\r", "\r\n", "\u2028", "\u2029", "`", "${", "</script>", '"', "\\", "'", "-->", ";;"];
const PAYLOAD = "globalThis.gradcInjected = 1;";
const MARK = "gradcInjected";

/** Every identifier of a TypeScript module, from TypeScript's own parse (comments and strings hold none). */
function identifiers(code: string): string[] {
  const file = ts.createSourceFile("module.ts", code, ts.ScriptTarget.ESNext, true);
  const out: string[] = [];
  const walk = (n: ts.Node): void => {
    if (ts.isIdentifier(n) || ts.isPrivateIdentifier(n)) out.push(n.text);
    n.forEachChild(walk);
  };
  walk(file);
  return out;
}

function graphText(t: string): string {
  return `input x: f32[2, 4] = [[1, 0, 2, 0], [0, 3, 0, 4]]\nparam w: f32[4, 4] = 0.5\n# ${t} ${PAYLOAD} ${t === "*/" ? "/*" : "//"}\ny = x @ w  # ${t} ${PAYLOAD} ${t === "*/" ? "/*" : ""}\nL = sum(y * y)  # a${t}${PAYLOAD}\noutput y\nloss L\n`;
}

const cases = TERMINATORS.flatMap((t) => [
  { what: `a comment with ${JSON.stringify(t)}`, text: graphText(t), file: "evil.graph" },
  { what: `a file path with ${JSON.stringify(t)}`, text: graphText("#"), file: `dir${t}${PAYLOAD}${t}"];n999[label="INJECTED"];"${t}x.graph` },
]);

/** The graph, or undefined when gradc refuses the text with a located error (refusing is safe too). */
function tryCompile(text: string, file: string): Graph | undefined {
  try {
    return compileText(text, file);
  } catch (e) {
    if (e instanceof GradcError) return undefined;
    throw e;
  }
}

describe("no user text escapes a comment or a string", () => {
  for (const c of cases) {
    it(`${c.what}: TypeScript modules (plain, f64, --simd) scan and run clean`, async () => {
      const g = tryCompile(c.text, c.file);
      if (!g) return;
      for (const options of [{}, { dtype: "f64" as const }, { simd: true }]) {
        const code = emitModule(g, options);
        expect(identifiers(code)).not.toContain(MARK);
        const mod = await loadCompiled(g, options);
        runCompiled(mod, g, bind(g, { seed: 1 }), { dtype: options.dtype ?? "f32" });
        expect((globalThis as Record<string, unknown>)[MARK]).toBeUndefined();
      }
      if (c.file !== "evil.graph") expect(emitModule(g, { simd: true })).toContain("(call $rows_");
    });

    it(`${c.what}: DOT draws the same nodes, and ONNX keeps the text as data`, async () => {
      const g = tryCompile(c.text, c.file);
      if (!g) return;
      const clean = compileText(graphText("#"), "clean.graph");
      for (const backward of [false, true]) {
        const dot = renderDot(g, { backward });
        expect(dot.split("\n").length).toBe(renderDot(clean, { backward }).split("\n").length);
        const svg = await dotToSvg(dot);
        const nodes = (s: string) => s.split('class="node"').length;
        expect(nodes(svg)).toBe(nodes(await dotToSvg(renderDot(clean, { backward }))));
        expect(svg).not.toContain("<script");
      }
      const values = (h: Graph) => bind(h, { seed: 1 }).values;
      const onnx = exportOnnx(g, { values: values(g) });
      expect(onnx.nodeCount).toBe(exportOnnx(clean, { values: values(clean) }).nodeCount);
    });
  }
});
