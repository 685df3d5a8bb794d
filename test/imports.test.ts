/**
 * No import cycles in src/: each module can be understood (and loaded) after the ones it
 * imports, and each folder (a phase: dsl, graph, autodiff, ops, optimize, …) after the
 * folders it imports. A cycle is found among value imports — `import type` is erased, and
 * `import()` inside a function is the commands' deliberate lazy loading, so neither counts.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { ts } from "ts-morph";
import { describe, expect, it } from "vitest";
import { ROOT } from "./helpers.js";

const SRC = join(ROOT, "src");

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) return sources(p);
    return n.endsWith(".ts") && !n.endsWith(".d.ts") ? [p] : [];
  });
}

/** The files a module imports values from (relative specifiers, resolved to .ts). */
function valueImports(file: string): string[] {
  const sf = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, false);
  const out: string[] = [];
  for (const s of sf.statements) {
    let spec: ts.Expression | undefined;
    if (ts.isImportDeclaration(s)) {
      const c = s.importClause;
      const typeOnly = c !== undefined && (c.isTypeOnly || (!c.name && c.namedBindings !== undefined && ts.isNamedImports(c.namedBindings) && c.namedBindings.elements.length > 0 && c.namedBindings.elements.every((e) => e.isTypeOnly)));
      if (!typeOnly) spec = s.moduleSpecifier;
    } else if (ts.isExportDeclaration(s) && !s.isTypeOnly) spec = s.moduleSpecifier;
    if (spec && ts.isStringLiteral(spec) && spec.text.startsWith(".")) out.push(resolve(dirname(file), spec.text.replace(/\.js$/, ".ts")));
  }
  return out;
}

/** Every strongly connected group of more than one module, or a module importing itself (Tarjan). */
export function cycles(edges: ReadonlyMap<string, readonly string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    for (const w of edges.get(v) ?? []) {
      if (!edges.has(w)) continue;
      if (!index.has(w)) visit(w);
      if (stack.includes(w)) low.set(v, Math.min(low.get(v)!, low.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const group: string[] = [];
    for (let w = stack.pop()!; ; w = stack.pop()!) {
      group.push(w);
      if (w === v) break;
    }
    if (group.length > 1 || (edges.get(v) ?? []).includes(v)) found.push(group.sort());
  };
  for (const v of edges.keys()) if (!index.has(v)) visit(v);
  return found;
}

describe("imports", () => {
  it("finds a cycle when there is one (the check itself)", () => {
    const g = new Map([["a", ["b"]], ["b", ["c"]], ["c", ["a"]], ["d", ["a"]], ["e", ["e"]]]);
    expect(cycles(g)).toEqual([["a", "b", "c"], ["e"]]);
    expect(cycles(new Map([["a", ["b"]], ["b", []]]))).toEqual([]);
  });

  it("src/ has no import cycle", () => {
    const files = sources(SRC);
    const edges = new Map(files.map((f) => [relative(SRC, f), valueImports(f).map((d) => relative(SRC, d))]));
    expect(edges.size).toBeGreaterThan(50);
    expect(cycles(edges)).toEqual([]);
  });

  it("the folders of src/ import each other without a cycle (graph/ does not import autodiff/)", () => {
    // a file directly in src/ (index.ts, pipeline.ts) is the folder "."
    const folder = (file: string): string => (file.includes("/") ? file.slice(0, file.indexOf("/")) : ".");
    const edges = new Map<string, Set<string>>();
    const why = new Map<string, string>();
    for (const f of sources(SRC)) {
      const from = relative(SRC, f).split("\\").join("/");
      for (const d of valueImports(f)) {
        const to = relative(SRC, d).split("\\").join("/");
        const [a, b] = [folder(from), folder(to)];
        if (!edges.has(a)) edges.set(a, new Set());
        if (a === b) continue;
        edges.get(a)!.add(b);
        why.set(`${a}>${b}`, `${from} imports ${to}`);
      }
    }
    const graph = new Map([...edges].map(([k, v]) => [k, [...v]]));
    expect(graph.size).toBeGreaterThan(8);
    // each cycle, with one import of each folder it passes through, to say where to cut it
    const found = cycles(graph).map((group) => group.flatMap((a) => group.filter((b) => why.has(`${a}>${b}`)).map((b) => why.get(`${a}>${b}`)!)));
    expect(found).toEqual([]);
  });
});
