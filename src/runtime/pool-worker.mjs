// A worker thread of a training team starts here (pool.ts): plain JavaScript, so that a
// worker started from the TypeScript sources (the tests, the bench) can first register tsx's
// loader and then import pool-thread.ts; from dist/ it imports pool-thread.js directly.
import { workerData } from "node:worker_threads";

if (workerData.typescript) {
  const { register } = await import("tsx/esm/api");
  register();
}
await import(workerData.typescript ? "./pool-thread.ts" : "./pool-thread.js");
