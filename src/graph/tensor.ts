/** Moved to src/tensor/tensor.ts; kept for src/codegen until its rewrite imports tensor/ directly. */
export * from "../tensor/tensor.js";
