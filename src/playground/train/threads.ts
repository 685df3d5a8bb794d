/**
 * A training team in the browser (runtime/team.ts), its workers Web Workers (member.ts):
 * the page is cross-origin isolated (gradc playground sends COOP and COEP), so the workers
 * share one WebAssembly memory, and each blocks at the team's barriers with Atomics.wait,
 * which a worker may do.
 */
/// <reference path="../../webassembly.d.ts" />
import type { CompiledModule } from "../../runtime/load.js";
import type { TeamPlan } from "../../runtime/parallel.js";
import { createTeam, type Spawned, type Team, type TeamOptions } from "../../runtime/team.js";

/** What a member worker says: ready to meet, left the team, or why it failed. */
export type MemberMessage = "ready" | "left" | { readonly error: string };

/** Threads can share a memory here: a worker of a cross-origin isolated page. */
export function canShare(): boolean {
  return (self as unknown as { crossOriginIsolated?: boolean }).crossOriginIsolated === true && typeof SharedArrayBuffer !== "undefined";
}

/** A team whose threads − 1 workers run train-member.js (next to the training worker's script). */
export function browserTeam(module: CompiledModule, js: string, o: TeamOptions): Promise<Team> {
  return createTeam(module, js, o, spawn);
}

function spawn(plan: TeamPlan, k: number, memory: WebAssembly.Memory, js: string): Promise<Spawned> {
  const w = new Worker(new URL("train-member.js", self.location.href), { type: "module" });
  let left: () => void = () => undefined;
  const exited = new Promise<void>((resolve) => (left = resolve));
  return new Promise((resolve, reject) => {
    w.addEventListener("message", (e: MessageEvent<MemberMessage>) => {
      if (e.data === "ready") resolve({ exited });
      else if (e.data === "left") left();
      else {
        left();
        reject(new Error(`a training thread failed: ${e.data.error}`));
      }
    });
    w.addEventListener("error", (e) => reject(new Error(`a training thread failed: ${e.message}`)));
    w.postMessage({ plan, k, memory, js });
  });
}
