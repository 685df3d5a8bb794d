/**
 * Walks over kernel-program trees, for the printers: every expression and statement in
 * order, whether an expression loads or calls, whether a loop's body continues it.
 */
import type { Expr, Stmt } from "./ir.js";

/** Whether evaluating e may load or call (a select would evaluate both arms; && and || would evaluate both sides). */
export function hasEffects(e: Expr): boolean {
  switch (e.k) {
    case "load":
    case "math":
      return true;
    case "bin":
      return hasEffects(e.a) || hasEffects(e.b);
    case "neg":
      return hasEffects(e.a);
    case "select":
      return hasEffects(e.cond) || hasEffects(e.a) || hasEffects(e.b);
    default:
      return false;
  }
}

/** A `continue` of this loop (not of a loop inside it). */
export function containsContinue(list: readonly Stmt[]): boolean {
  return list.some((s) => s.k === "continue" || (s.k === "if" && (containsContinue(s.then) || containsContinue(s.else ?? []))) || (s.k === "block" && containsContinue(s.body)));
}

/** Every expression and statement of a list, depth first. */
export function visit(list: readonly Stmt[], onExpr: (e: Expr) => void, onStmt: (s: Stmt) => void): void {
  const expr = (e: Expr): void => {
    onExpr(e);
    if (e.k === "load") expr(e.index);
    else if (e.k === "bin") (expr(e.a), expr(e.b));
    else if (e.k === "neg") expr(e.a);
    else if (e.k === "math") e.args.forEach(expr);
    else if (e.k === "select") (expr(e.cond), expr(e.a), expr(e.b));
  };
  const stmt = (s: Stmt): void => {
    onStmt(s);
    switch (s.k) {
      case "decl":
        return expr(s.init);
      case "set":
        return expr(s.value);
      case "store":
        return (expr(s.index), expr(s.value));
      case "for":
        if (s.init) expr(s.init);
        expr(s.cond);
        return s.body.forEach(stmt);
      case "if":
        expr(s.cond);
        s.then.forEach(stmt);
        return s.else?.forEach(stmt);
      case "block":
        return s.body.forEach(stmt);
      case "fill":
        return (expr(s.value), expr(s.count));
      case "wasm":
        return s.args.forEach(expr);
      default:
        return;
    }
  };
  list.forEach(stmt);
}
