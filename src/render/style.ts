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
  output: `shape=plaintext; fontcolor="#1b1b1b"; fontname="${FONT} Bold";`,
  gradOp: `shape=circle; style=filled; fillcolor="#fdf0ee"; color="#c0392b"; penwidth=1.2; width=0.45; margin=0.02;`,
  gradEdge: `color="#c0392b"; fontcolor="#c0392b";`,
  proxy: `shape=plaintext; fontcolor="#555555"; fontsize=11;`,
  gradOutput: `shape=plaintext; fontcolor="#c0392b";`,
  link: `style=dashed; color="#c0392b55"; arrowhead=none; constraint=false;`,
  cluster: `style="rounded,dashed"; color="#8a9bb5"; fontcolor="#4a6fa5"; fontsize=11;`,
  backwardCluster: `style="rounded"; color="#e6b0aa"; fontcolor="#c0392b"; label="backward";`,
  valueColor: "#1b1b1b",
  gradColor: "#c0392b",
} as const;
