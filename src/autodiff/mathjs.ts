/**
 * How the symbolic derivatives get mathjs, in Node: `createRequire` keeps the load
 * synchronous and lazy, so only graphs with a user function pay its ~1 s import. This
 * is the one platform-specific piece of autodiff/: the playground's bundle replaces this
 * file by src/playground/platform/mathjs.ts, which imports mathjs into the page (a browser
 * has no `require`). Both return the mathjs module, which symbolic.ts reads through its
 * own narrow interface.
 */
import { createRequire } from "node:module";

export function loadMathjs(): unknown {
  return createRequire(import.meta.url)("mathjs");
}
