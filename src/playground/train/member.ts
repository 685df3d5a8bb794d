/**
 * A training thread in the browser: a Web Worker the training worker starts (threads.ts),
 * given the team's plan, its shared memory and the compiled module's JavaScript. It imports
 * the module, becomes Member k of the team (runtime/parallel.ts, the same code Node's
 * worker threads run), says it is ready, serves until the team stops, and closes.
 */
/// <reference path="../../webassembly.d.ts" />
import type { CompiledModule } from "../../runtime/load.js";
import { Member, type TeamPlan } from "../../runtime/parallel.js";
import type { MemberMessage } from "./threads.js";

interface Start {
  readonly plan: TeamPlan;
  readonly k: number;
  readonly memory: WebAssembly.Memory;
  readonly js: string;
}

const post = (m: MemberMessage) => (self as unknown as { postMessage(m: MemberMessage): void }).postMessage(m);

self.addEventListener("message", (e: MessageEvent<Start>) => {
  const { plan, k, memory, js } = e.data;
  const url = URL.createObjectURL(new Blob([js], { type: "text/javascript" }));
  import(/* @vite-ignore */ url)
    .then((module: CompiledModule) => {
      URL.revokeObjectURL(url);
      const member = new Member(plan, k, memory, module);
      post("ready");
      try {
        member.serve();
        post("left");
      } catch (err) {
        member.giveUp();
        post({ error: err instanceof Error ? err.message : String(err) });
      }
      self.close();
    })
    .catch((err: unknown) => post({ error: err instanceof Error ? err.message : String(err) }));
});
