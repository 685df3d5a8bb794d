/**
 * The matmul writer: C = A · B into the float64 scratch, for kernels that then store C
 * or run an epilogue over it. For each row i of C it first lists the non-zeros of row i
 * of A (MNIST pixels are 81% zeros), then computes C[i, j..j+7] in eight register
 * accumulators over that list. Sums run over p in increasing order, as the
 * interpreter's do, so float64 results are the same bit for bit. Skipping a zero of A is
 * exact only for finite B (0 · ∞ is NaN): one pass over B first sums B[q] · 0, which is 0
 * unless B holds an infinity or a NaN, and then no zero is skipped. A transposed A (xᵀ · dH) is read in place: its non-zeros are
 * listed per column first (a CSC pass), so nothing is copied.
 */
import { indent } from "./loops.js";

export interface MatmulShape {
  readonly a: string;
  readonly b: string;
  readonly aTransposed: boolean;
  readonly bTransposed: boolean;
  readonly M: string;
  readonly K: string;
  readonly N: string;
  readonly scratch: string;
  /** an Int32Array for the lists' offsets */
  readonly iscratch: string;
}

const TILE = 8;

/** The code, and how many float64 and int32 scratch elements it needs. */
export function matmulCode(s: MatmulShape): { code: string; size: string; intSize: string } {
  const mn = `${s.M} * ${s.N}`;
  return s.aTransposed ? transposedA(s, mn) : rowsOfA(s, mn);
}

/** `dense` is 0 when every element of B is finite, NaN otherwise: then zeros of A must be multiplied too. */
const finiteCheck = (s: MatmulShape) => [
  `// 0 · B is 0 only for finite B: with an infinity or a NaN in ${s.b}, no zero of ${s.a} is skipped`,
  `let dense = 0;`,
  `for (let q = 0; q < ${s.K} * ${s.N}; q++) dense += ${s.b}[q] * 0;`,
];

/** B(p, j) for p and j as code. */
const bAt = (s: MatmulShape, p: string, j: string) => (s.bTransposed ? `${s.b}[${/ /.test(j) ? `(${j})` : j} * ${s.K} + ${p}]` : `${s.b}[${p} * ${s.N} + ${j}]`);

/** C[i, :] from the list of (value, column) pairs at [from, to) of the scratch's value and index regions. */
function rowFromList(s: MatmulShape, V: string, X: string, from: string, to: string): string {
  const acc = Array.from({ length: TILE }, (_, t) => `c${t}`);
  const tile = [
    `let ${acc.map((c) => `${c} = 0`).join(", ")};`,
    `for (let q = ${from}; q < ${to}; q++) {`,
    `  const a = ${s.scratch}[${V} + q];`,
    `  const p = ${s.iscratch}[${X} + q];`,
    ...(s.bTransposed
      ? acc.map((c, t) => `  ${c} += a * ${bAt(s, "p", t === 0 ? "j" : `j + ${t}`)};`)
      : [`  const r = p * ${s.N} + j;`, ...acc.map((c, t) => `  ${c} += a * ${s.b}[r${t === 0 ? "" : ` + ${t}`}];`)]),
    `}`,
    ...acc.map((c, t) => `${s.scratch}[row + j${t === 0 ? "" : ` + ${t}`}] = ${c};`),
  ].join("\n");
  const rest = [
    `let c0 = 0;`,
    `for (let q = ${from}; q < ${to}; q++) c0 += ${s.scratch}[${V} + q] * ${bAt(s, `${s.iscratch}[${X} + q]`, "j")};`,
    `${s.scratch}[row + j] = c0;`,
  ].join("\n");
  return [
    `const row = i * ${s.N};`,
    `let j = 0;`,
    `for (; j + ${TILE} <= ${s.N}; j += ${TILE}) {\n${indent(tile)}\n}`,
    `for (; j < ${s.N}; j++) {\n${indent(rest)}\n}`,
  ].join("\n");
}

function rowsOfA(s: MatmulShape, mn: string): { code: string; size: string; intSize: string } {
  const V = `${mn}`;
  const X = "0";
  const code = [
    ...finiteCheck(s),
    `// the non-zeros of row i of ${s.a}, then C[i, :] eight columns at a time`,
    `for (let i = 0; i < ${s.M}; i++) {`,
    indent(
      [
        `let nz = 0;`,
        `for (let p = 0; p < ${s.K}; p++) {`,
        `  const a = ${s.a}[i * ${s.K} + p];`,
        `  if (a !== 0 || dense !== 0) {`,
        `    ${s.scratch}[${V} + nz] = a;`,
        `    ${s.iscratch}[nz] = p;`,
        `    nz++;`,
        `  }`,
        `}`,
        rowFromList(s, V, X, "0", "nz"),
      ].join("\n"),
    ),
    `}`,
  ].join("\n");
  return { code, size: `${mn} + ${s.K}`, intSize: s.K };
}

function transposedA(s: MatmulShape, mn: string): { code: string; size: string; intSize: string } {
  // A(i, p) = a[p * M + i]: list the non-zeros of each column i of the stored array;
  // list starts and cursors live in the int scratch, then the column indices; values after C
  const S = "0";
  const W = `${s.M} + 1`;
  const X = `2 * ${s.M} + 1`;
  const V = `${mn}`;
  const code = [
    ...finiteCheck(s),
    `// the non-zeros of each column of ${s.a} (read transposed in place), then C[i, :] eight columns at a time`,
    `for (let i = 0; i <= ${s.M}; i++) ${s.iscratch}[${S} + i] = 0;`,
    `for (let p = 0; p < ${s.K}; p++) {`,
    `  for (let i = 0; i < ${s.M}; i++) if (${s.a}[p * ${s.M} + i] !== 0 || dense !== 0) ${s.iscratch}[${S} + i + 1]++;`,
    `}`,
    `for (let i = 0; i < ${s.M}; i++) {`,
    `  ${s.iscratch}[${S} + i + 1] += ${s.iscratch}[${S} + i];`,
    `  ${s.iscratch}[${W} + i] = ${s.iscratch}[${S} + i];`,
    `}`,
    `for (let p = 0; p < ${s.K}; p++) {`,
    `  for (let i = 0; i < ${s.M}; i++) {`,
    `    const a = ${s.a}[p * ${s.M} + i];`,
    `    if (a === 0 && dense === 0) continue;`,
    `    const at = ${s.iscratch}[${W} + i]++;`,
    `    ${s.scratch}[${V} + at] = a;`,
    `    ${s.iscratch}[${X} + at] = p;`,
    `  }`,
    `}`,
    `for (let i = 0; i < ${s.M}; i++) {`,
    indent(rowFromList(s, V, X, `${s.iscratch}[${S} + i]`, `${s.iscratch}[${S} + i + 1]`)),
    `}`,
  ].join("\n");
  return { code, size: `${mn} + ${s.K} * ${s.M}`, intSize: `2 * ${s.M} + 1 + ${s.K} * ${s.M}` };
}
