/**
 * Nothing a user owns is lost: every command that writes a file refuses to replace one
 * gradc did not write (unless --force) and never writes over its own inputs; file-system
 * failures are one-line errors; a training run never replaces an earlier run's results
 * unasked, checks the graph before creating anything, and resumes as a whole run.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { expectReported, gradc, ROOT } from "../helpers.js";

const fresh = () => {
  const dir = mkdtempSync(join(tmpdir(), "gradc-out-"));
  cpSync(join(ROOT, "graphs/apple.graph"), join(dir, "X.graph"));
  writeFileSync(join(dir, "README.md"), "mine\n");
  return dir;
};

describe("commands that write files", () => {
  const writers = (d: string, out: string) => [
    ["render", join(d, "X.graph"), "-o", out],
    ["render", join(d, "X.graph"), "--dot", "-o", out],
    ["export", join(d, "X.graph"), "--onnx", out],
    ["compile", join(d, "X.graph"), "-o", out],
  ];

  it("never write over their own input, even with --force", { timeout: 120_000 }, () => {
    const d = fresh();
    for (const args of writers(d, join(d, "X.graph"))) {
      for (const force of [[], ["--force"]]) {
        const r = gradc([...args, ...force]);
        expect(r.code, args.join(" ")).toBe(1);
        expect(r.stderr).toContain(`refusing to write ${join(d, "X.graph")}: it is this command's input`);
        expectReported(r, "refuse_to_write_input");
      }
    }
    expect(readFileSync(join(d, "X.graph"), "utf8")).toBe(readFileSync(join(ROOT, "graphs/apple.graph"), "utf8"));
  });

  it("refuse a file gradc did not write unless --force, and replace their own outputs", { timeout: 120_000 }, () => {
    const d = fresh();
    for (const args of writers(d, join(d, "README.md"))) {
      const r = gradc(args);
      expect(r.code, args.join(" ")).toBe(1);
      expect(r.stderr).toBe(`gradc: error: refusing to overwrite ${join(d, "README.md")}: gradc did not write it (use --force)\n`);
      expectReported(r, "refuse_to_overwrite");
      expect(readFileSync(join(d, "README.md"), "utf8")).toBe("mine\n");
    }
    for (const [k, args] of writers(d, "").entries()) {
      const out = join(d, `out${k}`);
      const again = args.map((a) => (a === "" ? out : a));
      expect(gradc(again).code, again.join(" ")).toBe(0);
      expect(gradc(again).code, `${again.join(" ")} again`).toBe(0);
    }
    expect(gradc([...writers(d, join(d, "README.md"))[0]!, "--force"]).code).toBe(0);
  });

  it("say in one line why a path cannot be written, and leave no temporary file", { timeout: 60_000 }, () => {
    const d = fresh();
    mkdirSync(join(d, "dir"));
    const cases: [string, string, string][] = [
      [join(d, "dir"), "it is a directory", "cannot_write_directory"],
      [join(d, "README.md", "x.svg"), "a part of the path is a file, not a directory", "cannot_write"],
      ["/dev/zero", "it is not a regular file", "cannot_write_non_file"],
    ];
    for (const [out, why, id] of cases) {
      const r = gradc(["render", join(d, "X.graph"), "-o", out]);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(`gradc: error: cannot write ${out}: ${why}\n`);
      expectReported(r, id);
    }
    expect(readdirSync(d).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });
});

describe("training runs", () => {
  it("check the graph before printing or creating anything", () => {
    const d = fresh();
    const r = gradc(["train", join(d, "X.graph"), "--iters", "10", "--out", join(d, "run")]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(existsSync(join(d, "run"))).toBe(false);
  });

  it("keep an earlier run's results, say when a resume has nothing to do, and draw the whole resumed run", { timeout: 120_000 }, () => {
    const d = fresh();
    const run = join(d, "run");
    const train = (...extra: string[]) => gradc(["train", "--iters", "600", "--eval-limit", "500", "--out", run, ...extra]);
    expect(train().code).toBe(0);
    const checkpoint = readFileSync(join(run, "checkpoint.bin"));
    const again = train();
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`${run} holds an earlier run's results: continue it with --resume, replace it with --force`);
    expectReported(again, "earlier_run");
    expect(readFileSync(join(run, "checkpoint.bin")).equals(checkpoint)).toBe(true);
    const noop = train("--resume");
    expect(noop.stdout).toBe(`${run} is already at iteration 600 of 600: nothing to do (ask for more with --iters)\n`);
    expect(readFileSync(join(run, "checkpoint.bin")).equals(checkpoint)).toBe(true);
    const more = gradc(["train", "--iters", "1200", "--eval-limit", "500", "--out", run, "--resume"]);
    expect(more.stdout).toContain("epoch  2 · iteration  1200");
    const metrics = readFileSync(join(run, "metrics.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { epoch: number; iteration: number });
    expect(metrics.map((m) => [m.epoch, m.iteration])).toEqual([[1, 600], [2, 1200]]);
    // the curves hold all 1,200 iterations' losses and both evaluations
    expect(readFileSync(join(run, "losses.f32")).length).toBe(1200 * 4);
    const svg = readFileSync(join(run, "curves.svg"), "utf8");
    expect(svg.split("<circle").length - 1).toBe(4);
    expect(svg).toContain(">1200<");
  });

  it("one run at a time in a folder: a live lock refuses, a stale one is taken over and removed at the end", { timeout: 120_000 }, () => {
    const d = fresh();
    const run = join(d, "run");
    mkdirSync(run);
    writeFileSync(join(run, "run.lock"), String(process.pid));
    const busy = gradc(["train", "--iters", "10", "--eval-limit", "100", "--out", run]);
    expect(busy.code).toBe(1);
    expect(busy.stderr).toBe(`gradc: error: ${run} is in use by another gradc train (process ${process.pid}); wait for it, or choose another --out\n`);
    expectReported(busy, "run_in_use");
    writeFileSync(join(run, "run.lock"), "999999999");
    writeFileSync(join(run, "checkpoint.bin.12345.tmp"), "left by a killed run");
    expect(gradc(["train", "--iters", "10", "--eval-limit", "100", "--out", run]).code).toBe(0);
    expect(readdirSync(run).sort()).toEqual(["checkpoint.bin", "curves.svg", "losses.f32", "metrics.jsonl"]);
  });

  it("never replaces a user's own files in --out", { timeout: 60_000 }, () => {
    const d = fresh();
    for (const name of ["metrics.jsonl", "curves.svg"]) {
      const out = join(d, `mine-${name}`);
      mkdirSync(out);
      writeFileSync(join(out, name), "my notes\n");
      const r = gradc(["train", "--iters", "10", "--out", out]);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(`gradc: error: refusing to overwrite ${join(out, name)}: gradc did not write it (use --force, or choose another --out)\n`);
      expectReported(r, "refuse_to_overwrite_in_run");
      expect(readFileSync(join(out, name), "utf8")).toBe("my notes\n");
    }
  });
});
