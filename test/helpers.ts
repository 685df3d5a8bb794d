/** Shared test helpers: compile graph text, evaluate it, read errors. */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import { GradcError, bind, compileText, formatDiagnostic, interpret, type Graph, type Tensor } from "../src/index.js";
import { catalogue } from "../src/diagnostics/list.js";
import { fromNested, toNested } from "../src/tensor/tensor.js";

export const ROOT = fileURLToPath(new URL("..", import.meta.url));

export function compile(text: string, file = "test.graph"): Graph {
  return compileText(text, file);
}

/** Runs a graph on its defaults (or `given`), returning outputs and grads as nested arrays. */
export function runText(text: string, given: Record<string, unknown> = {}, seed = 1) {
  const g = compile(text);
  const values = new Map<string, Tensor>(Object.entries(given).map(([k, v]) => [k, fromNested(v)!]));
  const env = bind(g, { given: values, seed });
  const r = interpret(g, env);
  const outputs: Record<string, unknown> = {};
  for (const [k, v] of r.outputs) outputs[k] = toNested(v);
  const grads: Record<string, Record<string, unknown>> = {};
  for (const [of, m] of r.grads) grads[of] = Object.fromEntries([...m].map(([w, v]) => [w, toNested(v)]));
  return { outputs, grads, graph: g, env };
}

/** The located error a graph text produces, formatted; fails the test if it compiles. */
export function errorOf(text: string, file = "bad.graph"): string {
  try {
    compile(text, file);
  } catch (e) {
    if (e instanceof GradcError) return formatDiagnostic(e.diagnostic);
    throw e;
  }
  throw new Error(`expected an error from:\n${text}`);
}

/** The id of the error a graph text produces, and the error as formatted (as errorOf): tests assert both. */
export function diagnosticOf(text: string, file = "bad.graph"): { id: string; code: string; text: string } {
  try {
    compile(text, file);
  } catch (e) {
    if (e instanceof GradcError) return { id: e.diagnostic.id, code: e.diagnostic.code, text: formatDiagnostic(e.diagnostic) };
    throw e;
  }
  throw new Error(`expected an error from:\n${text}`);
}

/** The kind code of the catalogue entry `id` (fails the test if there is none). */
export function entryCode(id: string): string {
  const entry = catalogue().find((e) => e.id === id);
  if (!entry) throw new Error(`no catalogue entry ${id}`);
  return entry.code;
}

/** The formatted error a graph text produces, after checking that it is catalogue entry `id`, with its code. */
export function errorIs(id: string, text: string, file = "bad.graph"): string {
  const d = diagnosticOf(text, file);
  expect([d.id, d.code], d.text).toEqual([id, entryCode(id)]);
  return d.text;
}

/** The message of the GradcError that `f` throws, after checking that it is catalogue entry `id`, with its code. */
export function throwsError(id: string, f: () => unknown): string {
  const e = thrown(f);
  expect([e.id, e.code], e.message).toEqual([id, entryCode(id)]);
  return e.message;
}

/** The GradcError that `f` throws: its id, code and message (fails the test if it throws nothing or another error). */
export function thrown(f: () => unknown): { id: string; code: string; message: string } {
  try {
    f();
  } catch (e) {
    if (e instanceof GradcError) return { id: e.diagnostic.id, code: e.diagnostic.code, message: e.diagnostic.message };
    throw e;
  }
  throw new Error("expected a GradcError");
}

let logs: string | undefined;
let runs = 0;

/**
 * Runs the gradc command; returns stdout, stderr, the exit code, and the id and code of the
 * error it reported, if any (from GRADC_DIAGNOSTICS_LOG: stderr does not show them).
 */
export function gradc(args: string[], input?: string, cwd = ROOT) {
  logs ??= mkdtempSync(join(tmpdir(), "gradc-diagnostics-"));
  const log = join(logs, `${process.pid}-${runs++}.jsonl`);
  const env = { ...process.env, GRADC_DIAGNOSTICS_LOG: log };
  const r = spawnSync(process.execPath, [`${ROOT}bin/gradc.js`, ...args], { cwd, encoding: "utf8", input, env, timeout: 60_000 });
  const reported = existsSync(log) ? (JSON.parse(readFileSync(log, "utf8").trim().split("\n")[0]!) as { id: string; code: string }) : undefined;
  rmSync(log, { force: true });
  return { stdout: r.stdout, stderr: r.stderr, code: r.status, id: reported?.id, errorCode: reported?.code };
}

/** Checks that a gradc run reported catalogue entry `id`, with its code. */
export function expectReported(r: { id?: string; errorCode?: string; stderr: string }, id: string): void {
  expect([r.id, r.errorCode], r.stderr).toEqual([id, entryCode(id)]);
}

/** The stderr of a gradc run, after checking that it reported catalogue entry `id`. */
export function stderrIs(id: string, r: { id?: string; errorCode?: string; stderr: string }): string {
  expectReported(r, id);
  return r.stderr;
}

/** Relative closeness of nested arrays/numbers. */
export function close(a: unknown, b: unknown, rtol = 1e-12, atol = 1e-12): boolean {
  if (typeof a === "number" && typeof b === "number") return Math.abs(a - b) <= atol + rtol * Math.abs(b);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => close(x, b[i], rtol, atol));
  return false;
}
