// `require("gradc")`: gradc is an ES module (its compiler loads lazily, with top-level
// await where Graphviz starts), so CommonJS code reaches it through a dynamic import.
throw new Error('gradc is an ES module: use `import { compileText } from "gradc"` (or `await import("gradc")` from CommonJS), not require("gradc")');
