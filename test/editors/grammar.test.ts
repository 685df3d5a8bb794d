/**
 * The TextMate grammar of docs/editors (the VS Code extension), run by the same engine
 * VS Code uses (vscode-textmate with Oniguruma, through shiki) on the example graphs:
 * each kind of token gets its scope, and every built-in function of the op table is
 * highlighted as one.
 */
import { readdirSync, readFileSync } from "node:fs";
import { createHighlighter, type Highlighter } from "shiki";
import { beforeAll, describe, expect, it } from "vitest";
import { builtins } from "../../src/ops/index.js";
import { ROOT } from "../helpers.js";

const grammar = JSON.parse(readFileSync(`${ROOT}docs/editors/vscode/syntaxes/graph.tmLanguage.json`, "utf8")) as Record<string, unknown>;
let hl: Highlighter;

beforeAll(async () => {
  hl = await createHighlighter({ themes: ["min-light"], langs: [{ ...grammar, name: "graph" } as never] });
});

/** Each token's text and its innermost scope, blank tokens left out. */
function tokens(code: string): [string, string][] {
  // "graph" is our grammar's name, registered above (shiki's types list only its bundled ones)
  const lines = hl.codeToTokens(code, { lang: "graph" as never, theme: "min-light", includeExplanation: true }).tokens;
  return lines.flat().flatMap((t) => (t.explanation ?? []).filter((e) => e.content.trim() !== "").map((e): [string, string] => [e.content.trim(), e.scopes.at(-1)!.scopeName]));
}

const scopeOf = (code: string, text: string) => tokens(code).find(([t]) => t === text)?.[1];

describe("the .graph TextMate grammar", () => {
  it("scopes statements, types, initializers, functions, numbers, operators and comments", () => {
    const code = "dim N\nparam W1: f32[784, 50] ~ normal(0, 0.01)  # weights\nh = relu(x @ W1.T + 1e-3)\nfn leaky(x) = maximum(x, 0.1 * x)\ngrad loss wrt W1\n";
    expect(scopeOf(code, "dim")).toBe("keyword.other.statement.graph");
    expect(scopeOf(code, "param")).toBe("keyword.other.statement.graph");
    expect(scopeOf(code, "f32")).toBe("storage.type.graph");
    expect(scopeOf(code, "normal")).toBe("support.function.initializer.graph");
    expect(scopeOf(code, "# weights")).toBe("comment.line.number-sign.graph");
    expect(scopeOf(code, "h")).toBe("variable.other.definition.graph");
    expect(scopeOf(code, "relu")).toBe("support.function.builtin.graph");
    expect(scopeOf(code, "@")).toBe("keyword.operator.graph");
    expect(scopeOf(code, ".T")).toBe("keyword.operator.transpose.graph");
    expect(scopeOf(code, "1e-3")).toBe("constant.numeric.graph");
    expect(scopeOf(code, "leaky")).toBe("entity.name.function.graph");
    expect(scopeOf(code, "wrt")).toBe("keyword.other.wrt.graph");
  });

  it("treats statement words as names where the language does (`loss = …` defines a node)", () => {
    expect(tokens("loss = sum(x)\n")[0]).toEqual(["loss", "variable.other.definition.graph"]);
    expect(tokens("loss loss\n")[0]).toEqual(["loss", "keyword.other.statement.graph"]);
    expect(tokens("사과 = 100 * W1\n")[0]).toEqual(["사과", "variable.other.definition.graph"]);
  });

  it("highlights every built-in function of the op table", () => {
    for (const name of [...builtins.keys(), "grad"]) expect([name, scopeOf(`y = ${name}(x)\n`, name)]).toEqual([name, "support.function.builtin.graph"]);
  });

  it("tokenizes every example graph without leaving text unscoped", () => {
    for (const f of readdirSync(`${ROOT}graphs`).filter((x) => x.endsWith(".graph"))) {
      const bare = tokens(readFileSync(`${ROOT}graphs/${f}`, "utf8")).filter(([, s]) => s === "source.graph");
      expect([f, bare]).toEqual([f, []]);
    }
  });
});
