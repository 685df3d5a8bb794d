/** The command line as a user meets it: outputs, JSON, exit codes, errors without stack traces. */
import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { newestRun } from "../../src/cli/predict.js";
import { expectReported, gradc } from "../helpers.js";

const tmp = mkdtempSync(join(tmpdir(), "gradc-cli-"));
const file = (name: string, text: string) => {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
};

describe("gradc run", () => {
  it("prints the apple graph's price and gradients like the textbook", () => {
    const r = gradc(["run", "graphs/apple.graph"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      ["price = 715", "", "gradients of price:", "  apple       2.2", "  apple_num   110", "  orange      3.3", "  orange_num  165", "  tax         650", ""].join("\n"),
    );
  });

  it("--json prints exactly one JSON object in SPEC's form", () => {
    const r = gradc(["run", "graphs/apple.graph", "--json"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      '{"outputs": {"price": 715.0000000000001}, "grads": {"price": {"apple": 2.2, "apple_num": 110.00000000000001, "orange": 3.3000000000000003, "orange_num": 165, "tax": 650}}}\n',
    );
    expect(JSON.parse(r.stdout)).toHaveProperty("grads.price.tax", 650);
  });

  it("--set and --inputs override defaults, and params too", () => {
    const inputs = file("in.json", JSON.stringify({ apple: 200, orange_num: 1 }));
    const r = gradc(["run", "graphs/apple.graph", "--inputs", inputs, "--set", "tax=1", "--json"]);
    expect(JSON.parse(r.stdout).outputs.price).toBe(200 * 2 + 150);
    const aff = gradc(["run", "graphs/affine.graph", "--set", "B=[0, 0]", "--set", "X=[[1, 0, 0]]", "--json"]);
    expect(JSON.parse(aff.stdout).outputs.Y).toEqual([[0.1, 0.2]]);
  });

  it("gives unset inputs seeded random values and binds unbound dims to 3", () => {
    const a = JSON.parse(gradc(["run", "graphs/two_layer_net.graph", "--json", "--seed", "7"]).stdout);
    const b = JSON.parse(gradc(["run", "graphs/two_layer_net.graph", "--json", "--seed", "7"]).stdout);
    expect(a).toEqual(b);
    expect(a.outputs.score).toHaveLength(3);
    expect(Object.keys(a.grads.loss)).toEqual(["W1", "b1", "W2", "b2"]);
  });

  it("reports a bad --set value as a user error", () => {
    const r = gradc(["run", "graphs/apple.graph", "--set", "apple=[1, 2]"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("gradc: error: apple is declared f64 but was given a value of shape [2]\n");
    expectReported(r, "given_shape_mismatch");
    const unknown = gradc(["run", "graphs/apple.graph", "--set", "banana=1"]);
    expect(unknown.stderr).toBe("gradc: error: 'banana' is not an input or param of graphs/apple.graph\n");
    expectReported(unknown, "not_input_or_param");
  });
});

describe("gradc check", () => {
  it("prints a line per param of the two-layer net, each below 1e-6", () => {
    const r = gradc(["check", "graphs/two_layer_net.graph"]);
    expect(r.code).toBe(0);
    // the textbook's lines first; each gradient's worst element after a blank line
    const lines = r.stdout.split("\n\n")[0]!.split("\n");
    expect(lines.map((l) => l.split(":")[0])).toEqual(["W1", "b1", "W2", "b2"]);
    for (const l of lines) expect(Number(l.split(":")[1]!.split(" ")[0])).toBeLessThan(1e-6);
  });

  it("exits 1 when a gradient is wrong (here: a gradient that stops where the function does not)", () => {
    const bad = file("stop.graph", "input x: f64[3] = [1, 2, 3]\ny = sum(x * stop_gradient(x))\ngrad y wrt x\n");
    const r = gradc(["check", bad]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^x:\d\.\de[-+]\d+ {3}<-- above tolerance\n\nworst element of each \(backprop, central differences\):\n {2}x\[2\]: 3, 6\.0+\d*, differ by 3\.0e\+0\n$/);
  });
});

describe("gradc ir", () => {
  it("prints one node a line with types, names and source lines", () => {
    const r = gradc(["ir", "graphs/two_layer_net.graph"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("f32[N, 50] = relu %");
    expect(r.stdout).toMatch(/%\d+: f32\[N, 784\] = input x\s+# x · two_layer_net\.graph:3/);
    expect(r.stdout).toMatch(/%\d+: f32 = softmax_ce %\d+ %\d+\s+# loss · two_layer_net\.graph:12/);
  });

  it("--backward adds the gradient nodes", () => {
    const fwd = gradc(["ir", "graphs/apple.graph"]).stdout.trim().split("\n");
    const bwd = gradc(["ir", "graphs/apple.graph", "--backward"]).stdout.trim().split("\n");
    expect(bwd.length).toBeGreaterThan(fwd.length);
    expect(bwd).toContain("grad price wrt tax = %11");
  });
});

describe("errors", () => {
  it("a mistake in a .graph file: located, exit 1, no stack trace", () => {
    const bad = file("bad.graph", "dim N\ninput x: f32[N, 784]\nparam W: f32[50, 10] = 0\ny = x @ W\n");
    const r = gradc(["run", bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`${bad}:4:5: error: @ needs inner dimensions to agree: f32[N, 784] @ f32[50, 10]\n   4 | y = x @ W\n     |     ^~~~~\n`);
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/);
    expectReported(r, "matmul_inner_dims");
  });

  it("a missing file and a bad flag are user errors too", () => {
    const missing = gradc(["run", "nope.graph"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe("gradc: error: cannot read nope.graph: no such file\n");
    expectReported(missing, "cannot_read");
    const flag = gradc(["run", "graphs/apple.graph", "--frobnicate"]);
    expect(flag.code).toBe(1);
    expect(flag.stderr).toBe("gradc: error: unknown option '--frobnicate'\n(gradc run --help lists the options)\n");
    // commander's messages read like gradc's own, its suggestion kept
    expect(gradc(["train", "--iter", "5"]).stderr).toBe("gradc: error: unknown option '--iter'\n(Did you mean --iters?)\n");
    expect(gradc(["compile", "graphs/apple.graph", "--dtype", "f16"]).stderr).toBe("gradc: error: option '--dtype <dtype>' argument 'f16' is invalid. Allowed choices are f32, f64.\n");
    expect(gradc(["run"]).stderr).toBe("gradc: error: missing required argument 'file'\n");
  });
});

describe("files that are not there, or not files", () => {
  it("a folder given as a graph or as --inputs says it is a directory, in words", () => {
    expect(gradc(["run", tmp]).stderr).toBe(`gradc: error: cannot read ${tmp}: it is a directory\n`);
    expect(gradc(["run", "graphs/apple.graph", "--inputs", tmp]).stderr).toMatch(/: it is a directory\n$/);
  });

  it("predict and train --resume with no checkpoint say what to do instead", () => {
    const cwd = mkdtempSync(join(tmpdir(), "gradc-nockpt-"));
    const net = join(process.cwd(), "graphs/two_layer_net.graph");
    const p = gradc(["predict", net], undefined, cwd);
    expect(p.code).toBe(1);
    expect(p.stderr).toBe(`gradc: error: cannot read checkpoint runs/two_layer_net/checkpoint.bin: no such file: train it first (gradc train ${net})\n`);
    const r = gradc(["train", net, "--resume", "--out", "mine", "--iters", "1"], undefined, cwd);
    expect(r.stderr).toBe(`gradc: error: cannot read checkpoint mine/checkpoint.bin: no such file: nothing to resume in mine (gradc train ${net} without --resume starts a run)\n`);
  });
});

describe("predict's default checkpoint", () => {
  it("is the newest run's: runs/NAME, runs/NAME-K, whichever was written last (--resume rewrites an old one)", () => {
    const root = mkdtempSync(join(tmpdir(), "gradc-runs-"));
    expect(newestRun("net", root)).toBe(join(root, "net", "checkpoint.bin"));
    const run = (dir: string, seconds: number) => {
      mkdirSync(join(root, dir), { recursive: true });
      writeFileSync(join(root, dir, "checkpoint.bin"), "x");
      utimesSync(join(root, dir, "checkpoint.bin"), seconds, seconds);
    };
    run("net", 1000);
    run("net-2", 2000);
    run("net-3", 3000);
    run("net-old", 9000); // not a run of net: its suffix is not a number
    run("network", 9000);
    mkdirSync(join(root, "net-4")); // a folder with no checkpoint
    expect(newestRun("net", root)).toBe(join(root, "net-3", "checkpoint.bin"));
    run("net", 4000);
    expect(newestRun("net", root)).toBe(join(root, "net", "checkpoint.bin"));
  });
});

describe("gradc run's tensors", () => {
  it("prints up to 64 elements, ten to a line: a long vector wraps, a matrix keeps its rows; more is summarized", () => {
    const g = file("wrap.graph", "input v: f64[12] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]\ninput m: f64[2, 3] = [[1, 2, 3], [4, 5, 6]]\ninput big: f64[65] = 0.5\na = v * 2\nb = m + 0\nc = big * 1\noutput a, b, c\n");
    expect(gradc(["run", g]).stdout).toBe(
      [
        "a = [12] [",
        "    2, 4, 6, 8, 10, 12, 14, 16, 18, 20,",
        "    22, 24",
        "  ]",
        "b = [2, 3] [",
        "    [1, 2, 3],",
        "    [4, 5, 6]",
        "  ]",
        "c = [65] [0.5, 0.5, 0.5, 0.5, 0.5, …]  mean 0.5  min 0.5  max 0.5",
        "",
      ].join("\n"),
    );
  });
});
