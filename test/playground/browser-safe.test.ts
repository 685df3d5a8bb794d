/**
 * What the playground bundles runs in a page and its workers: no file of it may import a
 * Node module or name Node's globals (Buffer, process). The files are those its entries
 * reach through static and dynamic imports, with the browser's platform module in place of
 * autodiff/mathjs.ts, as scripts/build-playground.ts bundles them. (A --simd module printed
 * in the training worker once wrote its bytes with Buffer.)
 */
import { readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { ts } from "ts-morph";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers.js";

const SRC = join(ROOT, "src");
const ENTRIES = ["playground/main.ts", "playground/train/worker.ts", "playground/train/member.ts", "playground/graphviz-worker.ts"].map((f) => join(SRC, f));
/** scripts/build-playground.ts's browser platform: the one module swapped for the page */
const SWAPPED = new Map([[join(SRC, "autodiff/mathjs.ts"), join(SRC, "playground/platform/mathjs.ts")]]);

/** Every module specifier in a file: imports, re-exports and import() calls, type-only ones left out. */
function specifiers(sf: ts.SourceFile): string[] {
  const out: string[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isImportDeclaration(n) && !n.importClause?.isTypeOnly && ts.isStringLiteral(n.moduleSpecifier)) out.push(n.moduleSpecifier.text);
    else if (ts.isExportDeclaration(n) && !n.isTypeOnly && n.moduleSpecifier && ts.isStringLiteral(n.moduleSpecifier)) out.push(n.moduleSpecifier.text);
    else if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.ImportKeyword && n.arguments[0] && ts.isStringLiteral(n.arguments[0])) out.push(n.arguments[0].text);
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

/** Node's globals read as values (not a property name, not a type). */
function nodeGlobals(sf: ts.SourceFile): string[] {
  const found: string[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isIdentifier(n) && (n.text === "Buffer" || n.text === "process")) {
      const p = n.parent;
      const property = (ts.isPropertyAccessExpression(p) && p.name === n) || ts.isPropertyAssignment(p) || ts.isPropertySignature(p);
      if (!property && !ts.isTypeReferenceNode(p)) found.push(`${n.text} at ${sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1}`);
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return found;
}

describe("the playground's code is the browser's", () => {
  it("imports no Node module and names no Node global, in any file its bundles reach", () => {
    const seen = new Set<string>();
    const problems: string[] = [];
    const walk = (file: string): void => {
      const f = SWAPPED.get(file) ?? file;
      if (seen.has(f)) return;
      seen.add(f);
      const sf = ts.createSourceFile(f, readFileSync(f, "utf8"), ts.ScriptTarget.ES2022, true);
      const where = relative(ROOT, f);
      for (const g of nodeGlobals(sf)) problems.push(`${where}: ${g}`);
      for (const spec of specifiers(sf)) {
        if (spec.startsWith("node:")) problems.push(`${where}: imports ${spec}`);
        else if (spec.startsWith(".")) walk(resolve(dirname(f), spec.replace(/\.js$/, ".ts")));
      }
    };
    ENTRIES.forEach(walk);
    // the walk reached the compiler, the runtime's team and the printers it needs
    for (const f of ["codegen/print-wasm.ts", "codegen/simd-module.ts", "runtime/team.ts", "runtime/parallel.ts"]) expect([...seen]).toContain(join(SRC, f));
    expect(problems).toEqual([]);
  });
});
