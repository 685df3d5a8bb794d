/**
 * Learning curves as a standalone SVG: the loss per iteration (and its moving
 * average) beside the train and test accuracy per epoch, like the textbook's
 * figures 4-11 and 5-?: drawn by hand so the picture needs no library.
 */

export interface Curves {
  readonly losses: ArrayLike<number>;
  readonly epochs: readonly { iteration: number; trainAcc: number; testAcc: number }[];
  readonly title: string;
}

const W = 420;
const H = 300;
const M = { left: 52, right: 16, top: 34, bottom: 40 };
const FONT = `font-family="Liberation Sans, Helvetica, Arial, sans-serif"`;

export function curvesSvg(c: Curves): string {
  const loss = panel("loss", c.losses.length, 0, maxOf(c.losses), [
    { points: Array.from(c.losses, (v, i) => [i + 1, v] as const), color: "#b8c7e0", width: 1 },
    { points: movingAverage(c.losses, 50), color: "#1f4e9c", width: 2 },
  ], "iteration");
  // accuracy over the same iterations as the loss, its axis fitted to the data (0–1 flattens the last epochs),
  // and a little room on the right so the last evaluation is not drawn on the border
  const accs = c.epochs.flatMap((e) => [e.trainAcc, e.testAcc]).filter(Number.isFinite);
  const lo = accs.length > 0 ? Math.max(0, Math.floor((Math.min(...accs) - 0.02) * 50) / 50) : 0;
  const hi = accs.length > 0 ? Math.min(1, Math.ceil((Math.max(...accs) + 0.01) * 50) / 50) : 1;
  const last = Math.max(c.losses.length, ...c.epochs.map((e) => e.iteration), 1);
  const acc = panel("accuracy (evaluated at the end of each epoch)", last * 1.04, lo, hi, [
    { points: c.epochs.map((e) => [e.iteration, e.trainAcc] as const), color: "#1f4e9c", width: 2, label: "train", dots: true },
    { points: c.epochs.map((e) => [e.iteration, e.testAcc] as const), color: "#d2691e", width: 2, label: "test", dots: true, dash: "5 3" },
  ], "iteration");
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${2 * W}" height="${H + 30}" viewBox="0 0 ${2 * W} ${H + 30}">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${W}" y="20" text-anchor="middle" font-size="15" ${FONT}>${escape(c.title)}</text>`,
    `<g transform="translate(0, 24)">${loss}</g>`,
    `<g transform="translate(${W}, 24)">${acc}</g>`,
    `</svg>`,
  ].join("\n") + "\n";
}

interface Series {
  readonly points: readonly (readonly [number, number])[];
  readonly color: string;
  readonly width: number;
  readonly label?: string;
  readonly dots?: boolean;
  readonly dash?: string;
}

function panel(title: string, xMax: number, yMin: number, yMax: number, series: readonly Series[], xLabel: string): string {
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const sx = (x: number) => M.left + (x / Math.max(1, xMax)) * pw;
  const sy = (y: number) => M.top + ph - ((y - yMin) / Math.max(1e-12, yMax - yMin)) * ph;
  const out: string[] = [`<text x="${M.left}" y="${M.top - 10}" font-size="13" ${FONT}>${title}</text>`];
  out.push(`<rect x="${M.left}" y="${M.top}" width="${pw}" height="${ph}" fill="none" stroke="#999"/>`);
  for (const t of ticks(yMin, yMax)) {
    out.push(`<line x1="${M.left}" x2="${M.left + pw}" y1="${sy(t).toFixed(1)}" y2="${sy(t).toFixed(1)}" stroke="#eee"/>`);
    out.push(`<text x="${M.left - 6}" y="${(sy(t) + 4).toFixed(1)}" text-anchor="end" font-size="11" ${FONT}>${fmt(t)}</text>`);
  }
  for (const t of ticks(0, xMax)) out.push(`<text x="${sx(t).toFixed(1)}" y="${M.top + ph + 16}" text-anchor="middle" font-size="11" ${FONT}>${fmt(t)}</text>`);
  out.push(`<text x="${M.left + pw / 2}" y="${H - 6}" text-anchor="middle" font-size="12" ${FONT}>${xLabel}</text>`);
  series.forEach((s, k) => {
    if (s.points.length === 0) return;
    const d = s.points.map(([x, y], i) => `${i === 0 ? "M" : "L"}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join("");
    out.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="${s.width}"${s.dash ? ` stroke-dasharray="${s.dash}"` : ""}/>`);
    if (s.dots) for (const [x, y] of s.points) out.push(`<circle cx="${sx(x).toFixed(1)}" cy="${sy(y).toFixed(1)}" r="3" fill="${s.color}"/>`);
    if (s.label) {
      const ly = M.top + ph - 40 + k * 18;
      out.push(`<line x1="${M.left + pw - 70}" x2="${M.left + pw - 50}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ""}/>`);
      out.push(`<text x="${M.left + pw - 44}" y="${ly + 4}" font-size="12" ${FONT}>${s.label}</text>`);
    }
  });
  return out.join("\n");
}

function maxOf(xs: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < xs.length; i++) if (Number.isFinite(xs[i]!)) m = Math.max(m, xs[i]!);
  return m || 1;
}

function movingAverage(xs: ArrayLike<number>, k: number): [number, number][] {
  const out: [number, number][] = [];
  let sum = 0;
  for (let i = 0; i < xs.length; i++) {
    sum += xs[i]!;
    if (i >= k) sum -= xs[i - k]!;
    if (i >= k - 1 || i === xs.length - 1) out.push([i + 1, sum / Math.min(k, i + 1)]);
  }
  return out;
}

function ticks(lo: number, hi: number): number[] {
  const span = hi - lo || 1;
  const step = 10 ** Math.floor(Math.log10(span / 4));
  const nice = [1, 2, 5, 10].map((m) => m * step).find((s) => span / s <= 6) ?? step * 10;
  const out: number[] = [];
  for (let t = Math.ceil(lo / nice) * nice; t <= hi + 1e-9; t += nice) out.push(Number(t.toPrecision(6)));
  return out;
}

const fmt = (v: number) => String(Number(v.toPrecision(4)));
const escape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");
