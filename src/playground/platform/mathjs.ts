/**
 * The browser's autodiff/mathjs.ts (the build swaps it in, see scripts/build-playground.ts).
 * A page has no `require`, and mathjs takes ~0.5 s to load and evaluate, which only graphs
 * with a user function need: it is a chunk of its own, loaded after the page is drawn.
 * Until it is there, loadMathjs throws MathjsPending, and the page compiles again once
 * mathjsLoaded() resolves.
 */

export class MathjsPending extends Error {
  constructor() {
    super("mathjs is still loading");
    this.name = "MathjsPending";
  }
}

let mathjs: unknown;
let loading: Promise<void> | undefined;

export function mathjsLoaded(): Promise<void> {
  loading ??= import("mathjs").then((m) => {
    mathjs = m;
  });
  return loading;
}

export function loadMathjs(): unknown {
  if (mathjs === undefined) {
    void mathjsLoaded();
    throw new MathjsPending();
  }
  return mathjs;
}
