/** The front end: `.graph` text → syntax tree with spans. */
export { parse } from "./parser.js";
export type * from "./ast.js";
