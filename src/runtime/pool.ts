/**
 * The threads of a training run in Node: a team (team.ts) whose workers are worker_threads,
 * each importing the compiled module's text and running parallel.ts's Member.
 */
/// <reference path="../webassembly.d.ts" />
import { Worker } from "node:worker_threads";
import type { CompiledModule } from "./load.js";
import type { TeamPlan } from "./parallel.js";
import { createTeam as makeTeam, type Spawned, type Team, type TeamOptions } from "./team.js";

export type { Team, TeamOptions } from "./team.js";

/** A team of threads − 1 worker threads and this one. */
export function createTeam(module: CompiledModule, js: string, o: TeamOptions): Promise<Team> {
  return makeTeam(module, js, o, start);
}

/** A worker thread running parallel.ts's Member k; resolves once it is ready to meet at the first barrier. */
function start(plan: TeamPlan, k: number, memory: WebAssembly.Memory, js: string): Promise<Spawned> {
  // started from the sources (the tests, the bench), the worker loads TypeScript through tsx; from dist/, JavaScript
  const typescript = import.meta.url.endsWith(".ts");
  const w = new Worker(new URL("./pool-worker.mjs", import.meta.url), { workerData: { plan, k, memory, js, typescript } });
  const exited = new Promise((resolve) => w.once("exit", resolve));
  return new Promise((resolve, reject) => {
    w.once("message", () => resolve({ exited }));
    w.once("error", reject);
  });
}
