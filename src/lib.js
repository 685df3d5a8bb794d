// The package's entry for `import … from "gradc"` in plain Node: loads the TypeScript
// sources through tsx's scoped loader (it does not change how the importing program
// loads its own files), so the library works right after `npm install`, no build step.
// TypeScript projects get the types from src/index.ts ("types" in package.json).
import { tsImport } from "tsx/esm/api";

const api = await tsImport("./index.ts", import.meta.url);

// the names of src/index.ts, one by one (a test checks that none is missing)
export const {
  GradcError,
  formatDiagnostic,
  parseGraph,
  compileText,
  loadGraph,
  buildGraph,
  differentiate,
  printGraph,
  evaluate,
  interpret,
  checkGradients,
  bind,
  fromNested,
  toNested,
  loadModule,
  renderDot,
  renderSvg,
  exportOnnx,
  compileGraph,
} = api;
