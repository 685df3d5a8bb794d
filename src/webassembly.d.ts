/**
 * The part of the WebAssembly JavaScript API gradc uses (the runtime's batch gatherer, the
 * tests of the --simd backend). It is a global of Node and every browser, but the type
 * libraries this project compiles with (ES2023 and Node 20's) do not declare it.
 */
declare namespace WebAssembly {
  class Module {
    constructor(bytes: Uint8Array);
  }
  class Memory {
    /** `shared`: backed by a SharedArrayBuffer that worker threads can share (then `maximum` is required) */
    constructor(descriptor: { initial: number; maximum?: number; shared?: boolean });
    readonly buffer: ArrayBuffer;
    /** grows by `pages` of 64 KiB; returns the size it had */
    grow(pages: number): number;
  }
  class Instance {
    constructor(module: Module, imports: Record<string, Record<string, unknown>>);
    readonly exports: Record<string, unknown>;
  }
  function validate(bytes: Uint8Array): boolean;
}
