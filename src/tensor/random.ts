/**
 * A seeded generator that gives the same numbers on every machine: mulberry32 for
 * uniforms (integer arithmetic only), Box–Muller for normals.
 */
export class Random {
  // the state lives in a typed array: a uint32 in an object field would be boxed
  // on every draw, and a training step must allocate nothing
  private readonly state = new Uint32Array(1);
  private readonly spare = new Float64Array(1);
  private hasSpare = false;

  constructor(seed: number) {
    this.state[0] = (Math.trunc(seed) ^ 0x9e3779b9) >>> 0;
  }

  /** the generator's state, to save in a checkpoint and resume from */
  get seedState(): number {
    return this.state[0]!;
  }

  set seedState(s: number) {
    this.state[0] = s >>> 0;
    this.hasSpare = false;
  }

  /** uniform in [0, 1) */
  uniform(): number {
    this.state[0] = this.state[0]! + 0x6d2b79f5;
    let t = this.state[0]!;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** integer in [0, n) */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  normal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare[0]!;
    }
    const u = 1 - this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare[0] = r * Math.sin(2 * Math.PI * v);
    this.hasSpare = true;
    return r * Math.cos(2 * Math.PI * v);
  }
}
