/** The messages between the page and the training worker. */

export interface TrainRequest {
  readonly kind: "train";
  /** the graph to train (the TwoLayerNet, or the user's graph with MNIST-shaped x and t) */
  readonly text: string;
  readonly file: string;
  readonly iters: number;
  readonly batch: number;
  readonly lr: number;
  readonly seed: number;
  /** the folder of the MNIST IDX files, as a URL */
  readonly data: string;
  /** threads sharing each step (a team of Web Workers over one memory, every kernel in WebAssembly, when the page may share memory and the step splits by rows; else one thread of TypeScript) */
  readonly threads: number;
}

export interface Digit {
  readonly pixels: Uint8Array;
  readonly label: number;
  readonly predicted: number;
}

export type TrainMessage =
  | { readonly kind: "status"; readonly text: string }
  | { readonly kind: "progress"; readonly iter: number; readonly loss: number; readonly testAccuracy?: number; readonly ms: number; readonly threads: number; readonly wasm: boolean }
  | { readonly kind: "done"; readonly iter: number; readonly testAccuracy: number; readonly tested: number; readonly ms: number; readonly threads: number; readonly wasm: boolean; readonly digits: readonly Digit[] }
  | { readonly kind: "error"; readonly text: string };
