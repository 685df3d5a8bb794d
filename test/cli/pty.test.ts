/**
 * What a person sees in a real terminal: `gradc train` run under a pseudo-terminal
 * (util-linux `script`), its bar redrawn while training and every epoch line printed
 * above it as the epoch ends, in order — not everything at once when the run is over.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers.js";

// util-linux's script is in Debian's essential bsdutils: no skipping when it is missing
describe("gradc train in a terminal", () => {
  it("redraws the bar while training and prints each epoch line as it ends", () => {
    const dir = mkdtempSync(join(tmpdir(), "gradc-pty-"));
    const command = `node ${ROOT}bin/gradc.js train --iters 1800 --batch 100 --simd --eval-limit 1000 --out ${join(dir, "run")}`;
    const r = spawnSync("script", ["-qec", command, join(dir, "typescript")], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    const screen = readFileSync(join(dir, "typescript"), "utf8");
    // the bar's states, in the order they were drawn, and where each epoch line appears among them
    type Event = { bar: number } | { epoch: number; at: number };
    const events = [...screen.matchAll(/(\d+)\/1800 iters|epoch +(\d) · iteration +(\d+)/g)].map((m): Event => (m[1] ? { bar: Number(m[1]) } : { epoch: Number(m[2]), at: Number(m[3]) }));
    const bars = events.flatMap((e) => ("bar" in e ? [e.bar] : []));
    expect(new Set(bars).size, "distinct bar states").toBeGreaterThanOrEqual(4);
    expect(bars).toEqual([...bars].sort((a, b) => a - b));
    expect(events.flatMap((e) => ("epoch" in e ? [e.epoch] : []))).toEqual([1, 2, 3]);
    // each epoch line comes after the bar reached its iteration and before the bar went past it
    events.forEach((e, i) => {
      if (!("epoch" in e)) return;
      const before = events.slice(0, i).flatMap((x) => ("bar" in x ? [x.bar] : []));
      expect(before.length, `bar states before epoch ${e.epoch}`).toBeGreaterThan(e.epoch);
      expect(Math.max(...before)).toBeLessThanOrEqual(e.at);
    });
    expect(screen).toContain("sgd, lr 0.1, batch 100");
    expect(screen).toMatch(/train acc 0\.\d{4} {2}test acc 0\.\d{4}/);
  });
});
