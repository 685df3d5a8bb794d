/**
 * A worker thread of a training team (pool.ts starts it, through pool-worker.mjs): imports the compiled module from
 * its text, becomes Member k of the team over the shared memory, says it is ready, and
 * serves until the team stops.
 */
/// <reference path="../webassembly.d.ts" />
import { parentPort, workerData } from "node:worker_threads";
import type { CompiledModule } from "./load.js";
import { Member, type TeamPlan } from "./parallel.js";

const { plan, k, memory, js } = workerData as { plan: TeamPlan; k: number; memory: WebAssembly.Memory; js: string };
const module = (await import(`data:text/javascript;base64,${Buffer.from(js).toString("base64")}`)) as CompiledModule;
const member = new Member(plan, k, memory, module);
parentPort!.postMessage("ready");
try {
  member.serve();
} catch (e) {
  member.giveUp();
  throw e;
}
