/**
 * Recursive-descent parser for statements and a precedence-climbing parser for
 * expressions. Nesting is depth-guarded so that hostile input gets a located error,
 * never a stack overflow. Statement words are contextual: `loss = …` is an assignment.
 */
import { suggest } from "../diagnostics/suggest.js";
import type { Source, Span } from "../diagnostics/index.js";
import * as errors from "../diagnostics/errors.js";
import type { Arg, BinaryOp, Expr, Ident, Init, Program, Stmt, TypeExpr } from "./ast.js";
import { lex, type Token } from "./lexer.js";

/** Deepest expression nesting accepted; deeper input is refused with a clear error. */
export const MAX_DEPTH = 500;

/** The statement words (contextual: `loss = …` still defines a node named loss). */
export const KEYWORDS = new Set(["dim", "input", "param", "const", "fn", "output", "loss", "grad"]);

export function parse(source: Source): Program {
  // a byte-order mark is not part of the program: without it, columns on line 1 are right and it is not echoed
  const text = source.text.startsWith("\ufeff") ? { file: source.file, text: source.text.slice(1) } : source;
  return new Parser(lex(text), text).program();
}

/** A span from the start of `a` to the end of `b` (on a's line). */
export function join(a: Span, b: Span): Span {
  if (a.line !== b.line) return a;
  return { ...a, length: Math.max(1, b.col + b.length - a.col) };
}

class Parser {
  private pos = 0;
  private depth = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly source: Source,
  ) {}

  program(): Program {
    const stmts: Stmt[] = [];
    while (this.peek().kind !== "eof") {
      if (this.peek().kind === "newline") {
        this.pos++;
        continue;
      }
      stmts.push(this.statement());
      const end = this.peek();
      if (end.kind !== "newline") errors.expectedEndOfStatement(end.span, { found: describe(end) });
    }
    return { file: this.source.file, stmts };
  }

  private statement(): Stmt {
    const first = this.peek();
    if (first.kind !== "name") errors.expectedStatement(first.span, { found: describe(first) });
    const second = this.peek(1);
    if (KEYWORDS.has(first.text) && second.kind === "name") {
      this.pos++;
      return this.keywordStatement(first);
    }
    const name = this.ident("a name");
    // `ouptut y`: a misspelt statement word followed by a name
    const word = second.kind === "name" ? suggest(first.text, [...KEYWORDS]) : "";
    if (word) errors.expectedAssignment(first.span, { name: name.name, hint: word });
    this.expect("=", `'=' after '${name.name}' (or a statement word: dim, input, param, const, fn, output, loss, grad)`);
    const value = this.expr();
    return { kind: "assign", name, value, span: name.span };
  }

  private keywordStatement(word: Token): Stmt {
    const span = word.span;
    switch (word.text) {
      case "dim":
        return { kind: "dim", names: this.identList(), span };
      case "output":
        return { kind: "output", names: this.identList(), span };
      case "loss":
        return { kind: "loss", name: this.ident("a name"), span };
      case "grad": {
        const of = this.ident("a name");
        const wrt = this.peek();
        if (wrt.kind !== "name" || wrt.text !== "wrt") errors.expectedWrt(wrt.span, { of: of.name, found: describe(wrt), hint: wrt.kind === "name" ? suggest(wrt.text, ["wrt"]) : "" });
        this.pos++;
        return { kind: "grad", of, wrt: this.identList(), span };
      }
      case "input": {
        const name = this.ident("a name");
        const type = this.accept(":") ? this.type() : undefined;
        const value = this.accept("=") ? this.expr() : undefined;
        return { kind: "input", name, type, value, span };
      }
      case "param": {
        const name = this.ident("a name");
        // like an input, a param without a type takes its value's (f64; a scalar for a bare number)
        const type = this.accept(":") ? this.type() : undefined;
        return { kind: "param", name, type, init: this.init(name.name), span };
      }
      case "const": {
        const name = this.ident("a name");
        this.expect("=", `'=' after 'const ${name.name}'`);
        return { kind: "const", name, value: this.expr(), span };
      }
      default: {
        const name = this.ident("a name");
        this.expect("(", `'(' and parameters after 'fn ${name.name}'`);
        const params: Ident[] = [];
        if (!this.accept(")")) {
          do params.push(this.ident("a parameter name"));
          while (this.accept(","));
          this.expect(")", "')' after the parameters");
        }
        this.expect("=", `'=' and a body after 'fn ${name.name}(…)'`);
        return { kind: "fn", name, params, body: this.expr(), span };
      }
    }
  }

  private init(name: string): Init {
    if (this.accept("=")) return { kind: "value", value: this.expr() };
    if (!this.accept("~")) {
      const t = this.peek();
      errors.paramNeedsValue(t.span, { name, found: describe(t) });
    }
    const fn = this.ident("an initializer (zeros, ones, normal, uniform, he, xavier)");
    const args: Expr[] = [];
    let span = fn.span;
    if (this.accept("(")) {
      if (!this.accept(")")) {
        do args.push(this.expr());
        while (this.accept(","));
        span = join(fn.span, this.expect(")", "')' after the initializer's arguments").span);
      }
    }
    return { kind: "init", fn, args, span };
  }

  private type(): TypeExpr {
    const dtype = this.ident("a dtype (f32, f64 or i32)");
    if (!this.accept("[")) return { dtype, span: dtype.span };
    const open = this.tokens[this.pos - 1]!;
    const dims: (Ident | { value: number; span: Span })[] = [];
    if (this.peek().text !== "]") {
      do {
        const t = this.peek();
        if (t.kind === "num") {
          this.pos++;
          dims.push({ value: Number(t.text), span: t.span });
        } else dims.push(this.ident("a dimension (an integer or a declared dim)"));
      } while (this.accept(","));
    }
    const close = this.expect("]", "']' after the shape");
    return { dtype, shape: { dims, span: join(open.span, close.span) }, span: join(dtype.span, close.span) };
  }

  private identList(): Ident[] {
    const names = [this.ident("a name")];
    while (this.accept(",")) names.push(this.ident("a name"));
    return names;
  }

  // ---- expressions -------------------------------------------------------------

  expr(): Expr {
    this.enter();
    let left = this.term();
    for (let t = this.peek(); t.text === "+" || t.text === "-"; t = this.peek()) {
      this.pos++;
      left = this.binary(t, left, this.term());
    }
    this.depth--;
    return left;
  }

  private term(): Expr {
    let left = this.unary();
    for (let t = this.peek(); t.text === "*" || t.text === "/" || t.text === "@"; t = this.peek()) {
      this.pos++;
      left = this.binary(t, left, this.unary());
    }
    return left;
  }

  private unary(): Expr {
    const t = this.peek();
    if (t.text === "-") {
      this.pos++;
      this.enter();
      const arg = this.unary();
      this.depth--;
      return { kind: "unary", op: "-", arg, span: join(t.span, arg.span) };
    }
    return this.power();
  }

  private power(): Expr {
    const base = this.postfix();
    const t = this.peek();
    if (t.text !== "^") return base;
    this.pos++;
    this.enter();
    const exponent = this.unary(); // right-associative; allows 2 ^ -1
    this.depth--;
    return this.binary(t, base, exponent);
  }

  private postfix(): Expr {
    let e = this.primary();
    while (this.peek().text === ".") {
      const dot = this.tokens[this.pos++]!;
      const t = this.peek();
      if (t.kind !== "name" || t.text !== "T") errors.expectedTranspose(t.span);
      this.pos++;
      e = { kind: "transpose", arg: e, span: join(e.span, t.span) };
    }
    return e;
  }

  private primary(): Expr {
    const t = this.peek();
    if (t.kind === "num") {
      this.pos++;
      return { kind: "num", value: Number(t.text), span: t.span };
    }
    if (t.kind === "name") {
      this.pos++;
      if (this.peek().text === "(") return this.call(t);
      return { kind: "name", name: t.text, span: t.span };
    }
    if (t.text === "(") {
      this.pos++;
      const e = this.expr();
      this.expect(")", "')'");
      return e;
    }
    if (t.text === "[") {
      this.pos++;
      this.enter();
      const items: Expr[] = [];
      if (this.peek().text !== "]") {
        do {
          if (this.peek().text === "]") break; // trailing comma
          items.push(this.expr());
        } while (this.accept(","));
      }
      const close = this.expect("]", "',' or ']' in the array");
      this.depth--;
      return { kind: "array", items, span: join(t.span, close.span) };
    }
    errors.expectedExpression(t.span, { found: describe(t) });
  }

  private call(callee: Token): Expr {
    const open = this.expect("(", "'('");
    this.enter();
    const args: Arg[] = [];
    if (!this.accept(")")) {
      do {
        if (this.peek().text === ")") break;
        const t = this.peek();
        if (t.kind === "name" && this.peek(1).text === "=") {
          this.pos += 2;
          args.push({ name: t.text, nameSpan: t.span, value: this.expr() });
        } else args.push({ value: this.expr() });
      } while (this.accept(","));
    }
    const close = args.length > 0 ? this.expect(")", "',' or ')' in the call") : this.tokens[this.pos - 1]!;
    this.depth--;
    return { kind: "call", callee: callee.text, calleeSpan: callee.span, args, span: join(callee.span, close.span ?? open.span) };
  }

  /** A binary expression spans from its left operand to its right one, so errors point at it whole. */
  private binary(op: Token, left: Expr, right: Expr): Expr {
    const span = left.span.line === right.span.line ? join(left.span, right.span) : op.span;
    return { kind: "binary", op: op.text as BinaryOp, left, right, span };
  }

  // ---- tokens ------------------------------------------------------------------

  private enter(): void {
    if (++this.depth > MAX_DEPTH) {
      errors.nestedTooDeeply(this.peek().span, { max: MAX_DEPTH });
    }
  }

  private peek(ahead = 0): Token {
    return this.tokens[Math.min(this.pos + ahead, this.tokens.length - 1)]!;
  }

  private accept(text: string): boolean {
    const t = this.peek();
    if (t.kind === "punct" && t.text === text) {
      this.pos++;
      return true;
    }
    return false;
  }

  private expect(text: string, what: string): Token {
    const t = this.peek();
    if (t.kind !== "punct" || t.text !== text) errors.expected(t.span, { what, found: describe(t) });
    this.pos++;
    return t;
  }

  private ident(what: string): Ident {
    const t = this.peek();
    if (t.kind !== "name") errors.expected(t.span, { what, found: describe(t) });
    this.pos++;
    return { name: t.text, span: t.span };
  }
}

function describe(t: Token): string {
  if (t.kind === "eof") return "the end of the file";
  if (t.kind === "newline") return "the end of the line";
  if (t.kind === "num") return `number ${t.text}`;
  if (t.kind === "name") return `'${t.text}'`;
  return `'${t.text}'`;
}
