/** Moved to src/tensor/types.ts; kept for src/codegen until its rewrite imports tensor/ directly. */
export * from "../tensor/types.js";
