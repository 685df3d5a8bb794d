/** The syntax tree of a `.graph` file. Syntax only: no types, no shapes. */
import type { Span } from "../diagnostics/index.js";

export type Expr =
  | { kind: "num"; value: number; span: Span }
  | { kind: "name"; name: string; span: Span }
  | { kind: "array"; items: Expr[]; span: Span }
  | { kind: "unary"; op: "-"; arg: Expr; span: Span }
  | { kind: "binary"; op: BinaryOp; left: Expr; right: Expr; span: Span }
  | { kind: "call"; callee: string; calleeSpan: Span; args: Arg[]; span: Span }
  | { kind: "transpose"; arg: Expr; span: Span };

export type BinaryOp = "+" | "-" | "*" | "/" | "@" | "^";

export interface Arg {
  readonly name?: string;
  readonly nameSpan?: Span;
  readonly value: Expr;
}

export interface Ident {
  readonly name: string;
  readonly span: Span;
}

export interface TypeExpr {
  readonly dtype: Ident;
  /** undefined for a scalar */
  readonly shape?: { dims: (Ident | { value: number; span: Span })[]; span: Span };
  readonly span: Span;
}

export type Init =
  | { kind: "value"; value: Expr }
  | { kind: "init"; fn: Ident; args: Expr[]; span: Span };

export type Stmt =
  | { kind: "dim"; names: Ident[]; span: Span }
  | { kind: "input"; name: Ident; type?: TypeExpr; value?: Expr; span: Span }
  | { kind: "param"; name: Ident; type?: TypeExpr; init: Init; span: Span }
  | { kind: "const"; name: Ident; value: Expr; span: Span }
  | { kind: "assign"; name: Ident; value: Expr; span: Span }
  | { kind: "fn"; name: Ident; params: Ident[]; body: Expr; span: Span }
  | { kind: "output"; names: Ident[]; span: Span }
  | { kind: "loss"; name: Ident; span: Span }
  | { kind: "grad"; of: Ident; wrt: Ident[]; span: Span };

export interface Program {
  readonly file: string;
  readonly stmts: Stmt[];
}
