/**
 * The editor: CodeMirror 6 with `.graph` highlighting, completion of the built-ins, and
 * diagnostics as you type — the compiler's own message, underlined at its line:col.
 * Lines can be lit from outside (a kernel of the generated code was clicked).
 */
import { basicSetup, EditorView } from "codemirror";
import { autocompletion } from "@codemirror/autocomplete";
import { linter, setDiagnostics, type Diagnostic as LintDiagnostic } from "@codemirror/lint";
import { EditorState, StateEffect, StateField, type Text } from "@codemirror/state";
import { Decoration, type DecorationSet } from "@codemirror/view";
import type { Diagnostic } from "../diagnostics/index.js";
import { completeGraph, graphLanguage } from "./language.js";

export interface EditorHooks {
  /** the text changed (after a short pause): compile it; a user error comes back located */
  check(text: string): Diagnostic | undefined;
  /** the cursor moved to this 1-based line */
  cursorLine(line: number): void;
}

const light = StateEffect.define<readonly number[]>();
const litLines = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(set, tr) {
    for (const e of tr.effects) {
      if (!e.is(light)) continue;
      const mark = Decoration.line({ class: "cm-source-lit" });
      const lines = [...new Set(e.value)].filter((l) => l >= 1 && l <= tr.state.doc.lines).sort((a, b) => a - b);
      return Decoration.set(lines.map((l) => mark.range(tr.state.doc.line(l).from)));
    }
    return set.map(tr.changes);
  },
  provide: (f) => EditorView.decorations.from(f),
});

/** A diagnostic's span as a document range: its line, from its column, its length (at least one character). */
export function rangeOf(doc: Text, d: Diagnostic): { from: number; to: number } {
  const span = d.span;
  if (!span) return { from: 0, to: Math.min(1, doc.length) };
  const line = doc.line(Math.max(1, Math.min(doc.lines, span.line)));
  const from = Math.min(line.to, line.from + Math.max(0, span.col - 1));
  return { from, to: Math.min(line.to, from + Math.max(1, span.length)) };
}

function lintOf(doc: Text, d: Diagnostic): LintDiagnostic {
  const { from, to } = rangeOf(doc, d);
  return { from, to, severity: "error", message: d.message, source: d.code };
}

/** Shows `d` (or nothing) as the editor's diagnostics now, without waiting for an edit. */
export function showDiagnostic(view: EditorView, d: Diagnostic | undefined): void {
  view.dispatch(setDiagnostics(view.state, d ? [lintOf(view.state.doc, d)] : []));
}

export function createEditor(parent: HTMLElement, text: string, hooks: EditorHooks): EditorView {
  const lint = linter(
    (view): LintDiagnostic[] => {
      const d = hooks.check(view.state.doc.toString());
      return d ? [lintOf(view.state.doc, d)] : [];
    },
    { delay: 250 },
  );
  let lastLine = 0;
  const cursor = EditorView.updateListener.of((u) => {
    if (!u.selectionSet && !u.docChanged) return;
    const line = u.state.doc.lineAt(u.state.selection.main.head).number;
    if (line !== lastLine) hooks.cursorLine((lastLine = line));
  });
  return new EditorView({
    parent,
    state: EditorState.create({ doc: text, extensions: [basicSetup, EditorView.lineWrapping, graphLanguage, lint, autocompletion({ override: [completeGraph] }), litLines, cursor] }),
  });
}

export function setText(view: EditorView, text: string): void {
  view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
}

export function lightLines(view: EditorView, lines: readonly number[]): void {
  view.dispatch({ effects: light.of(lines) });
  const first = lines[0];
  if (first !== undefined && first <= view.state.doc.lines) view.dispatch({ effects: EditorView.scrollIntoView(view.state.doc.line(first).from, { y: "center" }) });
}
