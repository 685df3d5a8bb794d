/**
 * Runs compiled graphs: the generated TypeScript is transpiled in memory and loaded as
 * an ES module, cached by a hash of the graph, the options and gradc's own sources — so
 * a second `gradc run` of the same graph skips code generation (and ts-morph). cache.ts
 * says where the cache lives, and why an entry can be trusted before it runs.
 */
/// <reference path="../webassembly.d.ts" />
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { EmitOptions } from "../codegen/index.js";
import type { Graph } from "../graph/ir.js";
import { cacheDir, readEntry, trustedDir, writeEntry } from "./cache.js";

/** The shape every generated module has (see SPEC §3); values are typed arrays and numbers. */
export interface CompiledModule {
  /** `place`: --simd modules lay the workspace in this memory from byte `base` (see workspaceBytes) */
  createWorkspace(dims: Record<string, number>, place?: { readonly memory: WebAssembly.Memory; readonly base: number }): CompiledWorkspace;
  /** --simd modules: the bytes a workspace takes in its memory */
  readonly workspaceBytes?: (dims: Record<string, number>) => number;
  forward(ws: CompiledWorkspace, inputs: Record<string, unknown>, params: Record<string, unknown>): Record<string, unknown>;
  step(ws: CompiledWorkspace, inputs: Record<string, unknown>, params: Record<string, unknown>): CompiledWorkspace;
  readonly meta: { readonly dims: readonly string[] };
}

export interface CompiledWorkspace {
  readonly outputs: Record<string, unknown>;
  readonly grads: Record<string, Record<string, unknown>>;
}

/** The JavaScript text each compiled module was imported from: worker threads import it again. */
const texts = new WeakMap<CompiledModule, string>();
export function moduleText(m: CompiledModule): string | undefined {
  return texts.get(m);
}

const SRC = fileURLToPath(new URL("..", import.meta.url));

let fingerprint: string | undefined;
/** A hash of gradc's own sources: a changed compiler never reuses stale modules. */
function sourcesFingerprint(): string {
  if (fingerprint) return fingerprint;
  const h = createHash("sha256");
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(ts|js|mjs)$/.test(name)) h.update(p.slice(SRC.length)).update(readFileSync(p));
    }
  };
  walk(SRC);
  fingerprint = h.digest("hex");
  return fingerprint;
}

/** The compiled module of a graph, generated and transpiled once per content hash (see cache.ts). */
export async function loadCompiled(graph: Graph, options: EmitOptions = {}): Promise<CompiledModule> {
  const key = createHash("sha256")
    .update(sourcesFingerprint())
    .update("\0" + graph.file + "\0" + graph.text + "\0" + JSON.stringify(options))
    .digest("hex")
    .slice(0, 24);
  const dir = trustedDir(cacheDir());
  const path = dir === undefined ? undefined : join(dir, `${key}.mjs`);
  let js = path === undefined ? undefined : readEntry(path);
  if (js === undefined) {
    const { emitModule } = await import("../codegen/index.js");
    const { ts } = await import("ts-morph");
    const code = emitModule(graph, options);
    js = ts.transpileModule(code, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
    if (path !== undefined) writeEntry(path, js);
  }
  // imported from the checked text itself, never from a path that could change after the check
  const module = (await import(`data:text/javascript;base64,${Buffer.from(js).toString("base64")}`)) as CompiledModule;
  texts.set(module, js);
  return module;
}
