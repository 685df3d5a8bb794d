/**
 * The browser's autodiff/mathjs.ts (the build swaps it in, see scripts/build-playground.ts):
 * a page has no `require`, so mathjs is bundled and handed over as it is.
 */
import * as mathjs from "mathjs";

export function loadMathjs(): unknown {
  return mathjs;
}
