/**
 * The page's state and what it shows: the text is compiled in the page, its values
 * evaluated by the interpreter, the backward pass walked step by step on the diagram.
 * Every change of state redraws the diagram, so the DOM always holds the state the URL
 * names (`?example=apple&step=2`) — a crawler that runs the page sees it too.
 */
import type { Diagnostic } from "../diagnostics/index.js";
import { formatDiagnostic } from "../diagnostics/index.js";
import { nodeNames } from "../graph/print.js";
import { checkNodes } from "./core/check.js";
import { compileSource, type Compiled } from "./core/compile.js";
import { diagramDot, type NodeCheck } from "./core/diagram.js";
import { backprop, clampStep, type Backprop } from "./core/steps.js";
import { explainEdge, explainNode, explainStep } from "./explain.js";
import { dotToSvg } from "./graphviz.js";
import { MathjsPending, mathjsLoaded } from "./platform/mathjs.js";

export interface Shown {
  readonly compiled: Compiled;
  readonly backprop: Backprop | undefined;
  readonly labels: ReadonlyMap<number, string>;
  checks: ReadonlyMap<number, NodeCheck> | undefined;
}

const $ = (id: string) => document.getElementById(id)!;

/** The per-node checks; one that fails is reported and leaves the nodes uncoloured. */
function safeChecks(b: Backprop, c: Compiled): ReadonlyMap<number, NodeCheck> {
  try {
    return checkNodes(b, c.values, c.env);
  } catch (e) {
    console.error("gradient check failed", e);
    return new Map();
  }
}

/** The smallest scale a diagram is shrunk to: below it its labels would be too small to read, so a wider one keeps its size and scrolls. */
const MIN_SCALE = 0.6;

/**
 * Shrinks a diagram a little wider than its box to the box's width, if it fits at MIN_SCALE or more
 * (the SVG's viewBox keeps its proportions); one wider still keeps Graphviz's size and scrolls, since
 * shrinking it would not spare the scrolling. Graphviz's size is kept in data attributes, so a
 * resized window refits.
 */
export function fitDiagram(box: HTMLElement): void {
  const svg = box.querySelector("svg");
  if (!svg) return;
  svg.dataset["width"] ??= String(svg.width.baseVal.value);
  svg.dataset["height"] ??= String(svg.height.baseVal.value);
  const width = Number(svg.dataset["width"]);
  const height = Number(svg.dataset["height"]);
  const room = box.clientWidth;
  const fits = width > 0 && room > 0 ? room / width : 1;
  const scale = fits >= MIN_SCALE && fits < 1 ? fits : 1;
  svg.setAttribute("width", `${width * scale}px`);
  svg.setAttribute("height", `${height * scale}px`);
  box.dataset["scale"] = scale.toFixed(2);
}

export class App {
  file = "graph.graph";
  example: string | undefined;
  step = 0;
  shown: Shown | undefined;
  private lastText: string | undefined;
  private lastDiagnostic: Diagnostic | undefined;
  private drawing = 0;
  private playing: number | undefined;
  /** called after each successful compile (the code panel and the trainer listen) */
  onCompiled: (s: Shown, text: string) => void = () => {};
  /** compiles the editor's text again (the page sets it to re-run the editor's diagnostics) */
  recheck: () => void = () => {};
  /** the diagram being drawn */
  drawn: Promise<void> = Promise.resolve();

  /** Compiles `text` unless it is what was compiled last; returns the user's error, if any. */
  check(text: string): Diagnostic | undefined {
    if (text === this.lastText) return this.lastDiagnostic;
    this.lastText = text;
    const problems = $("problems");
    let r: ReturnType<typeof compileSource>;
    try {
      r = compileSource(text, this.file);
    } catch (e) {
      if (e instanceof MathjsPending) return this.waitForMathjs();
      // gradc's own bug, not the user's: say so, as the command line does
      problems.className = "error";
      problems.textContent = `internal error (a bug in gradc, not in your graph): ${e instanceof Error ? e.message : String(e)}`;
      return undefined;
    }
    if (!r.ok) {
      this.lastDiagnostic = r.diagnostic;
      problems.className = "error";
      problems.textContent = formatDiagnostic(r.diagnostic);
      const span = r.diagnostic.span;
      problems.dataset["line"] = String(span?.line ?? "");
      problems.dataset["col"] = String(span?.col ?? "");
      $("diagram").classList.add("stale");
      return r.diagnostic;
    }
    performance.mark("gradc:compiled");
    this.lastDiagnostic = undefined;
    problems.className = "ok";
    problems.textContent = "no errors";
    delete problems.dataset["line"];
    delete problems.dataset["col"];
    const b = backprop(r.graph, r.values);
    this.shown = { compiled: r, backprop: b, labels: nodeNames(r.graph), checks: undefined };
    this.step = clampStep(this.step, b);
    this.drawn = this.draw();
    this.onCompiled(this.shown, text);
    return undefined;
  }

  /** A user function's derivative needs mathjs, still loading: compile again once it is there. */
  private waitForMathjs(): undefined {
    $("problems").className = "";
    $("problems").textContent = "loading mathjs for the user function's derivative…";
    void mathjsLoaded().then(() => {
      this.lastText = undefined;
      this.recheck();
    });
    return undefined;
  }

  setStep(k: number): void {
    this.step = clampStep(k, this.shown?.backprop);
    this.syncUrl();
    void this.draw();
  }

  play(): void {
    if (this.playing !== undefined) return this.stop();
    const total = this.shown?.backprop?.steps.length ?? 0;
    if (this.step >= total) this.setStep(0);
    $("play").textContent = "⏸ pause";
    this.playing = window.setInterval(() => {
      if (this.step >= (this.shown?.backprop?.steps.length ?? 0)) return this.stop();
      this.setStep(this.step + 1);
    }, 900);
  }

  stop(): void {
    if (this.playing !== undefined) window.clearInterval(this.playing);
    this.playing = undefined;
    $("play").textContent = "▶ play";
  }

  syncUrl(): void {
    const url = new URL(window.location.href);
    if (this.example) url.searchParams.set("example", this.example);
    else url.searchParams.delete("example");
    url.searchParams.set("step", String(this.step));
    window.history.replaceState(null, "", url);
  }

  /** Redraws the diagram for the current step; a later draw wins over one still being laid out. */
  async draw(): Promise<void> {
    const s = this.shown;
    if (!s) return;
    const ticket = ++this.drawing;
    const { compiled, backprop: b, labels } = s;
    s.checks ??= b ? safeChecks(b, compiled) : new Map();
    performance.mark("gradc:checked");
    const dot = diagramDot(compiled.graph, { values: compiled.values, backprop: b, step: this.step, labels, checks: s.checks });
    const svg = await dotToSvg(dot, compiled.graph.nodes.length);
    performance.mark("gradc:laid-out");
    if (ticket !== this.drawing) return;
    const diagram = $("diagram");
    diagram.innerHTML = svg;
    fitDiagram(diagram);
    diagram.classList.remove("stale");
    diagram.dataset["step"] = String(this.step);
    diagram.dataset["steps"] = String(b?.steps.length ?? 0);
    const total = b?.steps.length ?? 0;
    $("step-label").textContent = b ? `step ${this.step} of ${total}` : "no backward pass";
    ($("back") as HTMLButtonElement).disabled = this.step === 0;
    ($("reset") as HTMLButtonElement).disabled = this.step === 0;
    ($("forward") as HTMLButtonElement).disabled = this.step >= total;
    explainStep($("explain"), b, this.step, labels);
    // a wide diagram scrolls: keep the node being processed in view
    const current = this.step > 0 ? b?.steps[this.step - 1]?.node.id : undefined;
    if (current !== undefined) diagram.querySelector(`#node-${current}`)?.scrollIntoView({ block: "nearest", inline: "center" });
    for (const g of diagram.querySelectorAll<SVGGElement>("g.node")) g.addEventListener("click", () => this.showNode(Number(g.id.slice("node-".length))));
    for (const g of diagram.querySelectorAll<SVGGElement>("g.edge")) g.addEventListener("click", () => this.showEdge(g.id));
    const drawn = diagram.querySelectorAll("g.node").length;
    const added = compiled.graph.nodes.length - drawn;
    $("status").textContent = `${compiled.graph.file}: ${drawn} nodes${added > 0 ? `; the backward pass adds ${added}` : ""}`;
    document.body.dataset["ready"] = "true";
  }

  /** edge-U-K: input K of node U */
  showEdge(edgeId: string): void {
    const [user, index] = edgeId.split("-").slice(1).map(Number) as [number, number];
    const s = this.shown;
    const to = s?.compiled.graph.nodes.find((x) => x.id === user);
    const from = to?.inputs[index];
    if (!s || !to || !from) return;
    const done = (s.backprop?.steps ?? []).slice(0, this.step);
    const sent = done.find((st) => st.node.id === user)?.sent.find((e) => e.index === index);
    explainEdge($("node-info"), from, s.compiled.values.get(from.id), sent, s.labels);
  }

  showNode(id: number): void {
    const s = this.shown;
    const n = s?.compiled.graph.nodes.find((x) => x.id === id);
    if (!s || !n) return;
    explainNode($("node-info"), n, s.compiled.values.get(id), s.backprop, s.labels);
  }
}
