/**
 * The playground page: an editor for `.graph` text, the compiler running in the page,
 * the diagram with values and the step-through backward pass, the generated code and
 * training on MNIST in a worker. `?example=NAME&step=K` opens an example K steps in.
 */
import { App, fitDiagram } from "./app.js";
import { preloadGraphviz } from "./graphviz.js";
import { mathjsLoaded } from "./platform/mathjs.js";
import { createEditor, lightLines, setText, showDiagnostic } from "./editor.js";
import { setupCodePanel } from "./code-view.js";
import { setupTraining } from "./train/panel.js";

interface Example {
  readonly name: string;
  readonly about: string;
  readonly text: string;
}

const $ = (id: string) => document.getElementById(id)!;

/** The example a URL names: `apple`, `apple.graph` or `graphs/apple.graph`. */
export function findExample(all: readonly Example[], asked: string | null): Example | undefined {
  if (!asked) return undefined;
  const name = asked.replace(/^.*\//, "").replace(/\.graph$/, "");
  return all.find((e) => e.name === name);
}

/** The step-through's buttons: reset, back, forward, play. */
function wireSteps(app: App): void {
  $("reset").addEventListener("click", () => app.setStep(0));
  $("back").addEventListener("click", () => app.setStep(app.step - 1));
  $("forward").addEventListener("click", () => app.setStep(app.step + 1));
  $("play").addEventListener("click", () => app.play());
}

async function boot(): Promise<void> {
  // marks for measuring the page's start (docs/playground.md): boot, examples, compiled, checked, laid-out
  performance.mark("gradc:boot");
  preloadGraphviz();
  const examples = (await (await fetch("examples.json")).json()) as Example[];
  performance.mark("gradc:examples");
  const params = new URLSearchParams(window.location.search);
  const asked = findExample(examples, params.get("example"));
  const first = asked ?? examples[0]!;
  const app = new App();
  window.addEventListener("resize", () => fitDiagram($("diagram")));
  app.example = first.name;
  app.file = `${first.name}.graph`;
  app.step = Number(params.get("step") ?? 0);
  if (params.get("example") && !asked) $("status").textContent = `no example named ${params.get("example")}; showing ${first.name}`;

  const select = $("examples") as HTMLSelectElement;
  for (const e of examples) select.append(new Option(`${e.name} — ${e.about}`, e.name, false, e === first));
  const edited = new Option("(your own graph)", "");
  edited.hidden = true;
  select.append(edited);
  let loading = false;
  const code = setupCodePanel((lines) => lightLines(editor, lines));
  const editor = createEditor($("editor"), first.text, {
    check: (text) => {
      // an edit makes the text the user's own: the URL no longer names an example
      if (!loading && app.example && text !== examples.find((e) => e.name === app.example)?.text) {
        app.example = undefined;
        edited.hidden = false;
        select.value = "";
      }
      return app.check(text);
    },
    cursorLine: (line) => code.showSourceLine(line),
  });
  select.addEventListener("change", () => {
    const e = examples.find((x) => x.name === select.value);
    if (!e) return;
    loading = true;
    app.example = e.name;
    app.file = `${e.name}.graph`;
    app.step = 0;
    setText(editor, e.text);
    app.check(e.text);
    loading = false;
    app.syncUrl();
  });
  wireSteps(app);
  const net = examples.find((e) => e.name === "two_layer_net");
  const training = setupTraining(net ? { text: net.text, file: "two_layer_net.graph" } : undefined);
  app.onCompiled = (s, text) => {
    code.compiled(s, text);
    training.compiled(s, text);
  };
  app.recheck = () => showDiagnostic(editor, app.check(editor.state.doc.toString()));
  app.check(first.text);
  // mathjs (~0.5 s to evaluate) is for user functions only: loaded once the diagram is up
  await app.drawn;
  void mathjsLoaded();
}

void boot().catch((e: unknown) => {
  $("status").textContent = `the playground failed to start: ${String(e)}`;
  throw e;
});
