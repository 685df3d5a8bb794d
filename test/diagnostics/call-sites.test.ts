/**
 * Every error gradc reports comes from a constructor of the catalogue (src/diagnostics/errors/):
 * no file outside src/diagnostics/ throws a GradcError, builds a Diagnostic, picks a kind code,
 * defines an entry, or calls a fail() with words of its own. The sources are parsed with the
 * TypeScript compiler, so a comment or a string that mentions fail( is not a call.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers.js";

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : p.endsWith(".ts") ? [p] : [];
  });
}

/** The catalogue's own files: the only ones that may word an error. */
const CATALOGUE = `${ROOT}src/diagnostics/`;

/** The entry makers of src/diagnostics/catalogue.ts: a value import of one outside defines an entry. */
const MAKERS = new Set(["at", "atFixed", "plain", "plainFixed"]);

/** Where `path` breaks the rule, as "path:line: what": nothing when it keeps it. */
export function violations(path: string, text: string): string[] {
  const sf = ts.createSourceFile(path, text, ts.ScriptTarget.ES2022, true);
  const found: string[] = [];
  const report = (node: ts.Node, what: string) => found.push(`${path}:${sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1}: ${what}: ${node.getText(sf).slice(0, 100)}`);

  // names bound to the catalogue: `import * as errors from "…/diagnostics/errors.js"`, or `import { unknownName } from …`
  const entries = new Set<string>();
  const namespaces = new Set<string>();
  const codeTables = new Set<string>();
  for (const s of sf.statements) {
    if (!ts.isImportDeclaration(s) || !ts.isStringLiteral(s.moduleSpecifier) || !s.importClause) continue;
    const from = s.moduleSpecifier.text;
    if (!from.includes("diagnostics/")) continue;
    const bindings = s.importClause.namedBindings;
    const named = bindings && ts.isNamedImports(bindings) ? bindings.elements : [];
    if (/diagnostics\/errors(\/\w+)?\.js$/.test(from)) {
      if (bindings && ts.isNamespaceImport(bindings)) namespaces.add(bindings.name.text);
      for (const e of named) entries.add(e.name.text);
    }
    for (const e of named) {
      const original = (e.propertyName ?? e.name).text;
      if (original === "codes") codeTables.add(e.name.text);
      if (/catalogue\.js$/.test(from) && MAKERS.has(original) && !e.isTypeOnly && !s.importClause.isTypeOnly) report(e, "defines a catalogue entry outside the catalogue");
    }
  }
  const isEntry = (e: ts.Expression | undefined): boolean =>
    e !== undefined &&
    ((ts.isIdentifier(e) && entries.has(e.text)) || (ts.isPropertyAccessExpression(e) && ts.isIdentifier(e.expression) && namespaces.has(e.expression.text)));

  const visit = (node: ts.Node): void => {
    if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === "GradcError") report(node, "throws a GradcError of its own");
    if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
      // ctx.fail(errors.repeatedAxis, { … }) names an entry; ctx.fail(`repeated axis …`) words its own
      if (name === "fail" && !isEntry(node.arguments[0])) report(node, "calls fail() without a catalogue entry");
    }
    if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression) && codeTables.has(node.expression.text)) report(node, "picks a kind code");
    if (ts.isObjectLiteralExpression(node)) {
      const keys = new Set(node.properties.map((p) => (p.name && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) ? p.name.text : undefined)));
      if (keys.has("code") && keys.has("message")) report(node, "builds a Diagnostic by hand");
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

const sources = files(`${ROOT}src`).filter((f) => !f.startsWith(CATALOGUE));

describe("nothing outside src/diagnostics/ words an error", () => {
  it("reads the sources that report errors", () => {
    // the check is not vacuous: the phases that report errors are among the files it reads
    for (const f of ["src/dsl/parser.ts", "src/graph/lower.ts", "src/ops/shape.ts", "src/cli/options.ts", "src/export/onnx.ts", "src/runtime/idx.ts"]) {
      expect(sources).toContain(`${ROOT}${f}`);
    }
  });

  it("no file throws a GradcError, builds a Diagnostic, picks a code or calls fail() with words of its own", () => {
    expect(sources.flatMap((f) => violations(f.slice(ROOT.length), readFileSync(f, "utf8")))).toEqual([]);
  });

  it("finds a planted violation of each kind, and passes what the catalogue's call sites look like", () => {
    const planted = [
      `import { GradcError } from "../diagnostics/index.js";\nthrow new GradcError({ code: "E007", id: "mine", message: "bad" });`,
      `import type { TypeContext } from "../ops/types.js";\nexport const f = (ctx: TypeContext, n: number) => ctx.fail(\`axis \${n} is out of range\`);`,
      `function fail(message: string): never { throw new Error(message); }\nfail("no local x");`,
      `import { codes } from "../diagnostics/index.js";\nexport const c = codes.shape;`,
      `import { at } from "../diagnostics/catalogue.js";\nexport const mine = at("E007", "mine", () => "bad", {});`,
      `export const d = { code: "E001", id: "x", message: "bad" };`,
    ];
    for (const text of planted) expect(violations("src/planted.ts", text), text).toHaveLength(text.includes("new GradcError") ? 2 : 1);

    const clean = [
      `import * as errors from "../diagnostics/errors.js";\nimport type { TypeContext } from "./types.js";\nexport const f = (ctx: TypeContext) => ctx.fail(errors.repeatedAxis, { axes: "[0,0]" });`,
      `import { unknownName } from "../diagnostics/errors.js";\nexport const g = (span: undefined) => unknownName(span, { name: "a", hint: "" });`,
      `import { GradcError } from "../diagnostics/index.js";\n// a comment that says fail("x") and new GradcError\nexport const h = (e: unknown) => e instanceof GradcError ? "fail(" : "";`,
      `import type { At } from "../diagnostics/catalogue.js";\nexport type T = At<{ op: string }>;`,
    ];
    for (const text of clean) expect(violations("src/clean.ts", text), text).toEqual([]);

    // and among the real sources: one planted file is enough to fail the check
    const tree = [...sources.map((f) => ({ f: f.slice(ROOT.length), text: readFileSync(f, "utf8") })), { f: "src/ops/planted.ts", text: planted[1]! }];
    expect(tree.flatMap(({ f, text }) => violations(f, text))).toEqual([expect.stringMatching(/^src\/ops\/planted\.ts:2: calls fail\(\) without a catalogue entry/)]);
  });
});
