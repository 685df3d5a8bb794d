/**
 * The generated-code panel: the compiled module beside the graph. Each kernel carries a
 * doc comment naming the `.graph` lines it fuses (codegen/naming.ts), so a click on a
 * kernel lights its lines in the editor, and moving the cursor to a line lights the
 * kernels that compute it.
 */
import type { Shown } from "./app.js";

export interface CodePanel {
  compiled(s: Shown, text: string): void;
  showSourceLine(line: number): void;
}

interface Block {
  readonly text: string;
  /** the .graph lines a kernel fuses; empty for the module's other code */
  readonly lines: readonly number[];
  readonly kernel?: string;
}

const $ = (id: string) => document.getElementById(id)!;

/** The module cut into kernels (doc comment and function) and the code between them. */
export function blocks(js: string, file: string): Block[] {
  const base = file.slice(file.lastIndexOf("/") + 1);
  const out: Block[] = [];
  let rest: string[] = [];
  const lines = js.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const doc = lines[i] === "/**" ? lines.indexOf(" */", i) : -1;
    const fn = doc > 0 ? lines[doc + 1] ?? "" : "";
    if (doc < 0 || !fn.startsWith("function ")) {
      rest.push(lines[i]!);
      continue;
    }
    const end = lines.indexOf("}", doc + 1);
    if (rest.length > 0) out.push({ text: rest.join("\n"), lines: [] });
    rest = [];
    const comment = lines.slice(i, doc + 1);
    const src = comment.flatMap((l) => {
      const at = l.indexOf(`${base}:`);
      const n = at < 0 ? NaN : parseInt(l.slice(at + base.length + 1), 10);
      return Number.isFinite(n) ? [n] : [];
    });
    out.push({ text: lines.slice(i, end + 1).join("\n"), lines: src, kernel: fn.slice("function ".length, fn.indexOf("(")) });
    i = end;
  }
  if (rest.length > 0) out.push({ text: rest.join("\n"), lines: [] });
  return out;
}

export function setupCodePanel(light: (lines: readonly number[]) => void): CodePanel {
  const panel = $("code-panel") as HTMLDetailsElement;
  let pending: { s: Shown; text: string } | undefined;
  let printedFor: string | undefined;
  let cursor = 0;
  const refresh = async () => {
    if (!panel.open || !pending || pending.text === printedFor) return;
    const { s, text } = pending;
    $("code-info").textContent = "generating…";
    const started = performance.now();
    const { emitJs } = await import("./codegen-chunk.js");
    if (pending.text !== text) return;
    const js = emitJs(s.compiled.graph);
    printedFor = text;
    const parts = blocks(js, s.compiled.graph.file);
    const pre = $("code");
    pre.replaceChildren(...parts.map((b) => block(b, light)));
    const kernels = parts.filter((b) => b.kernel).length;
    $("code-info").textContent = `${kernels} kernels, ${js.split("\n").length} lines, generated in ${Math.round(performance.now() - started)} ms — click a kernel to see its .graph line`;
    showLine(cursor);
  };
  const showLine = (line: number) => {
    cursor = line;
    for (const k of document.querySelectorAll<HTMLElement>("#code .kernel")) {
      const lit = (k.dataset["lines"] ?? "").split(",").includes(String(line));
      k.classList.toggle("lit", lit);
    }
    document.querySelector("#code .lit")?.scrollIntoView({ block: "nearest" });
  };
  panel.addEventListener("toggle", () => void refresh());
  return {
    compiled: (s, text) => {
      pending = { s, text };
      void refresh();
    },
    showSourceLine: showLine,
  };
}

function block(b: Block, light: (lines: readonly number[]) => void): HTMLElement {
  const e = document.createElement("div");
  e.textContent = b.text;
  if (b.kernel) {
    e.className = "kernel";
    e.dataset["kernel"] = b.kernel;
    e.dataset["lines"] = b.lines.join(",");
    e.title = `kernel ${b.kernel}: .graph line ${b.lines.join(", ")}`;
    e.addEventListener("click", () => {
      for (const k of document.querySelectorAll("#code .kernel.lit")) k.classList.remove("lit");
      e.classList.add("lit");
      light(b.lines);
    });
  }
  return e;
}
