/**
 * The back end's rules, enforced on its sources (like test/project.test.ts enforces sizes):
 * code is built as kernel-program trees and only the printers write text, so
 *   - no TypeScript text is built outside the printers: no template or string literal
 *     that looks like code in src/kernel/, the lowering files of src/codegen/, or the
 *     kernel templates of src/ops/ (their `emit`, `write`, `combine` and `scratch`);
 *   - no regular expression is applied to generated code: src/kernel/ and src/codegen/
 *     hold regular expressions only in names.ts and escape.ts, which escape a user's text and names.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { ts } from "ts-morph";
import { describe, expect, it } from "vitest";
import { ROOT } from "./helpers.js";

const SRC = join(ROOT, "src");
const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith(".ts") ? [p] : [];
  });

/** The printers: the only files that write code text (the module skeleton, kernels, WebAssembly, meta, the kernel listing). */
const PRINTERS = ["codegen/print-ts.ts", "codegen/print-args.ts", "codegen/module.ts", "codegen/simd-module.ts", "codegen/wasm.ts", "codegen/meta.ts", "codegen/header.ts", "codegen/names.ts", "codegen/escape.ts", "kernel/format.ts"];

/** Text that reads as code: indexing or a call around a substitution, statements, Math, lengths. */
const CODE_TEMPLATE = /\[\$\{|\}\]|\(\$\{|\$\{[^}]*\}\(|;|\bconst |\blet |\bfor \(|\bMath\.|\.length\b|\bnew [A-Z]/;
const CODE_STRING = /;\s*$|\bconst |\blet |\bfor \(|\bMath\.|\w\[\w*\]|=>/;

interface Hit {
  readonly file: string;
  readonly line: number;
  readonly text: string;
}

function parse(file: string): ts.SourceFile {
  return ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, true);
}

const at = (sf: ts.SourceFile, n: ts.Node): Hit => ({ file: relative(SRC, sf.fileName), line: sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1, text: n.getText(sf).slice(0, 120) });

/** Literals under `root` that look like code; a comment statement's text (for readers) is not code. */
function codeLiterals(sf: ts.SourceFile, root: ts.Node): Hit[] {
  const hits: Hit[] = [];
  const visit = (n: ts.Node): void => {
    const isComment = ts.isCallExpression(n) && /(^|\.)comment$/.test(n.expression.getText(sf));
    if (isComment) return;
    if (ts.isTemplateExpression(n) && CODE_TEMPLATE.test(n.getText(sf))) hits.push(at(sf, n));
    if ((ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) && CODE_STRING.test(n.text)) hits.push(at(sf, n));
    ts.forEachChild(n, visit);
  };
  visit(root);
  return hits;
}

/** In an op file: the kernel templates, i.e. `emit`, `write`, `combine`, `scratch` and `kernel` entries, and functions returning Stmt or Expr. */
function kernelTemplates(sf: ts.SourceFile): ts.Node[] {
  const out: ts.Node[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isPropertyAssignment(n) && ["emit", "write", "combine", "scratch", "kernel"].includes(n.name.getText(sf))) return void out.push(n.initializer);
    if (ts.isFunctionDeclaration(n) && n.type && /\b(Stmt|Expr)\b/.test(n.type.getText(sf))) return void out.push(n);
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

function regexLiterals(sf: ts.SourceFile): Hit[] {
  const hits: Hit[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isRegularExpressionLiteral(n) || (ts.isNewExpression(n) && n.expression.getText(sf) === "RegExp")) hits.push(at(sf, n));
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return hits;
}

const backEnd = [...files(join(SRC, "kernel")), ...files(join(SRC, "codegen"))];

describe("the back end's rules", () => {
  it("builds no TypeScript text outside the printers", () => {
    const hits = [
      ...backEnd.filter((f) => !PRINTERS.includes(relative(SRC, f))).flatMap((f) => codeLiterals(parse(f), parse(f))),
      ...files(join(SRC, "ops")).flatMap((f) => {
        const sf = parse(f);
        return kernelTemplates(sf).flatMap((n) => codeLiterals(sf, n));
      }),
    ];
    expect(hits).toEqual([]);
  });

  it("applies no regular expression to generated code", () => {
    const hits = backEnd.filter((f) => !["codegen/names.ts", "codegen/escape.ts"].includes(relative(SRC, f))).flatMap((f) => regexLiterals(parse(f)));
    expect(hits).toEqual([]);
  });

  it("the checks find what they look for (a template that builds code, a regex)", () => {
    const sf = ts.createSourceFile("x.ts", "const a = `${x}[${i}] = 0;`; const b = /\\[i\\]/g; const c = K.comment(`${x}[${i}]`); const d = { emit: (x) => `Math.exp(${x})` };", ts.ScriptTarget.ES2022, true);
    expect(codeLiterals(sf, sf).map((h) => h.text)).toEqual(["`${x}[${i}] = 0;`", "`Math.exp(${x})`"]);
    expect(regexLiterals(sf).map((h) => h.text)).toEqual(["/\\[i\\]/g"]);
    expect(kernelTemplates(sf).map((n) => n.getText(sf))).toEqual(["(x) => `Math.exp(${x})`"]);
  });
});
