/** Every visual choice of the diagrams, in one table. */

export const FONT = "Liberation Sans,Helvetica,Arial,sans-serif";

export const STYLE = {
  graph: `rankdir=LR; bgcolor="white"; nodesep=0.35; ranksep=0.55; fontname="${FONT}"; fontsize=12; newrank=true;`,
  /** for graphs of hundreds of nodes: bounded ranking and crossing reduction, so layout stays fast */
  bigGraph: `nslimit=1; nslimit1=1; mclimit=0.1;`,
  node: `fontname="${FONT}"; fontsize=13;`,
  edge: `fontname="${FONT}"; fontsize=11; color="#444444"; arrowsize=0.7;`,
  op: `shape=circle; style=filled; fillcolor="#f3f6fb"; color="#4a6fa5"; penwidth=1.2; width=0.5; fixedsize=false; margin=0.02;`,
  input: `shape=plaintext; fontcolor="#1b1b1b";`,
  param: `shape=box; style="rounded,filled"; fillcolor="#fff4d6"; color="#c9a227"; fontcolor="#1b1b1b"; height=0.3;`,
  const: `shape=plaintext; fontcolor="#777777"; fontsize=11;`,
  output: `shape=plaintext; fontcolor="#1b1b1b";`,
  gradOp: `shape=circle; style=filled; fillcolor="#fdf0ee"; color="#c0392b"; penwidth=1.2; width=0.45; margin=0.02;`,
  gradEdge: `color="#c0392b"; fontcolor="#c0392b";`,
  /** the backward pass's arrow: drawn from the head of a forward edge back to its tail, on the same ranks */
  backEdge: `dir=back; color="#c0392b"; fontcolor="#c0392b"; penwidth=1.4;`,
  gradOutput: `shape=plaintext; fontcolor="#c0392b";`,
  /** the node the step-through is processing */
  current: `penwidth=3, color="#e67e22"`,
  caption: `labelloc=b; labeljust=l; fontsize=10; fontcolor="#777777";`,
  cluster: `style="rounded,dashed"; color="#8a9bb5"; fontcolor="#4a6fa5"; fontsize=11;`,
  valueColor: "#1b1b1b",
  gradColor: "#c0392b",
} as const;
