/** "did you mean …?" for misspelt names. */
export function suggest(name: string, candidates: readonly string[]): string {
  let best: string | undefined;
  // a third of the name may be wrong, at least one edit (none for a one-letter name, which is
  // one edit from every other): ge is not mse, ouptut is output, xx is x
  let bestDistance = (name.length === 1 ? 0 : Math.max(1, Math.floor(name.length / 3))) + 1;
  for (const c of candidates) {
    const d = distance(name.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best ? ` (did you mean '${best}'?)` : "";
}

function distance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 3) return 99;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  let before = prev;
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      let d = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      // a swap of two neighbours is one edit (Damerau): ouptut → output
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, before[j - 2]! + 1);
      row.push(d);
    }
    before = prev;
    prev = row;
  }
  return prev[b.length]!;
}
