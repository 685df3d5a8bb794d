/**
 * No file outside src/ops/ switches on op names: phases ask a node's kind (isInput,
 * isConst, … in graph/ir.ts) and the entries' fields and traits. Measured on the
 * TypeScript syntax tree, so a comparison split over lines or written with `!=` is
 * found too: `x.op === "mul"`, `op !== "relu"`, `switch (n.op) { case "add": … }`,
 * `["relu", "tanh"].includes(op)`, `new Set(["input", "param"]).has(n.op)`.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { LEAVES, OP_NAMES } from "../src/ops/index.js";
import { ROOT } from "./helpers.js";

const SRC = join(ROOT, "src");
/** Where op names may be compared: the table itself. */
const ALLOWED = ["ops/"];

const NAMES: ReadonlySet<string> = new Set<string>([...OP_NAMES, ...LEAVES]);

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) return sources(p);
    return n.endsWith(".ts") && !n.endsWith(".d.ts") ? [p] : [];
  });
}

const EQUALITY = new Set([ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsEqualsToken, ts.SyntaxKind.EqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsToken]);
const MEMBERSHIP = new Set(["includes", "indexOf", "has", "lastIndexOf"]);

const isName = (e: ts.Node): e is ts.StringLiteralLike => ts.isStringLiteralLike(e) && NAMES.has(e.text);

/** An expression that holds an op name: `x.op`, `x?.op`, or a variable called op. */
function isOpValue(e: ts.Expression): boolean {
  const x = ts.isParenthesizedExpression(e) ? e.expression : e;
  return (ts.isPropertyAccessExpression(x) && x.name.text === "op") || (ts.isIdentifier(x) && (x.text === "op" || x.text === "opName"));
}

/**
 * A list of string literals that is a list of op names: `["relu", "tanh"]`, `new Set(["input", …])`
 * — one asked about an op value, or one mostly of op names (`["grad", "examples"]` of commands is not).
 */
function isNameList(e: ts.Expression, arg: ts.Expression | undefined): boolean {
  let x = ts.isParenthesizedExpression(e) ? e.expression : e;
  if (ts.isNewExpression(x) && x.arguments?.length === 1) x = x.arguments[0]!;
  if (!ts.isArrayLiteralExpression(x) || !x.elements.every(ts.isStringLiteralLike)) return false;
  const names = x.elements.filter(isName).length;
  return names > 0 && ((arg !== undefined && isOpValue(arg)) || names * 2 > x.elements.length);
}

/** Each comparison of an op name in `text`, as "LINE: code". */
export function opNameComparisons(file: string, text: string): string[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const found: ts.Node[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isBinaryExpression(n) && EQUALITY.has(n.operatorToken.kind)) {
      if ((isName(n.right) && isOpValue(n.left)) || (isName(n.left) && isOpValue(n.right))) found.push(n);
    } else if (ts.isSwitchStatement(n) && isOpValue(n.expression)) {
      if (n.caseBlock.clauses.some((c) => ts.isCaseClause(c) && isName(c.expression))) found.push(n.expression);
    } else if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && MEMBERSHIP.has(n.expression.name.text)) {
      // a list of op names asked about a value, or a list of ops asked about one op: ops.includes("add")
      const arg = n.arguments[0];
      if (isNameList(n.expression.expression, arg) || (arg !== undefined && isName(arg) && OP_NAMES.includes(arg.text as never))) found.push(n);
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return found.map((n) => `${sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1}: ${n.getText(sf).split("\n")[0]}`);
}

describe("op names", () => {
  it("finds each way of comparing an op name (the check itself)", () => {
    const code = [
      'if (n.op === "mul") f();',
      'const leaf = "input" == at?.op;',
      'switch (node.op) {\n  case "add": break;\n}',
      'const act = ["relu", "sigmoid"].includes(o);',
      'const leaves = new Set(["input", "param"]).has(n.op);',
      'const affine = ops.includes("add");',
      // not op names: the DSL's operators and statement kinds, comparing two ops, a kind, command names
      'if (e.op === "@" || s.kind === "input" || a.op === b.op || n.kind === "const") f();',
      'const light = ["grad", "examples", "reference"].includes(c.name());',
    ].join("\n");
    expect(opNameComparisons("sample.ts", code).map((l) => l.split(":")[0])).toEqual(["1", "2", "3", "6", "7", "8"]);
  });

  it("are compared only in src/ops/", () => {
    const found = sources(SRC).flatMap((f) => {
      const rel = relative(SRC, f).split("\\").join("/");
      if (ALLOWED.some((p) => rel.startsWith(p))) return [];
      return opNameComparisons(f, readFileSync(f, "utf8")).map((l) => `src/${rel}:${l}`);
    });
    expect(found).toEqual([]);
  });
});
