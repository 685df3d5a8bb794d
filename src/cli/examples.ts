/**
 * gradc examples: the graphs that ship with gradc (the textbook's, from graphs/), listed
 * with their first comment line, or copied into a folder to edit. The package's own copy
 * is also the default graph of train and predict, so they work outside the repository.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { isAbsolute, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import * as errors from "../diagnostics/errors.js";
import { reason, writeAtomic } from "../runtime/files.js";

/** graphs/ of the package: two levels above this file, from src/cli/ and from dist/cli/ alike. */
export const EXAMPLES_DIR = fileURLToPath(new URL("../../graphs/", import.meta.url));

/** The packaged TwoLayerNet, named relative to the current folder when it lies inside it (as in the repository). */
export function defaultGraph(): string {
  const full = join(EXAMPLES_DIR, "two_layer_net.graph");
  const rel = relative(process.cwd(), full);
  return rel.startsWith("..") || isAbsolute(rel) ? full : rel;
}

function examples(): { name: string; file: string; about: string }[] {
  return readdirSync(EXAMPLES_DIR)
    .filter((n) => n.endsWith(".graph"))
    .sort()
    .map((name) => {
      const first = readFileSync(join(EXAMPLES_DIR, name), "utf8").split("\n")[0] ?? "";
      // "# apple.graph — buying apples…" → "buying apples…"
      const about = first.replace(/^#\s*/, "").replace(/^\S+\.graph\s*—\s*/, "");
      return { name, file: join(EXAMPLES_DIR, name), about };
    });
}

export function examplesCommand(f: { copy?: string; force?: boolean }): void {
  const all = examples();
  if (f.copy === undefined) {
    const width = Math.max(...all.map((e) => e.name.length));
    for (const e of all) process.stdout.write(`${e.name.padEnd(width)}  ${e.about}\n`);
    process.stdout.write(`\n${all.length} examples in ${EXAMPLES_DIR}\ncopy them to edit: gradc examples --copy DIR\n`);
    return;
  }
  const dir = f.copy;
  // every clash is found before anything is written: a refused copy writes nothing
  const clashes = all.filter((e) => existsSync(join(dir, e.name)) && readFileSync(join(dir, e.name), "utf8") !== readFileSync(e.file, "utf8"));
  if (clashes.length > 0 && !f.force) {
    errors.examplesClash({ dir, names: clashes.map((e) => e.name) });
  }
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    errors.cannotCreate({ dir, why: reason(e) });
  }
  let copied = 0;
  for (const e of all) {
    const to = join(dir, e.name);
    const text = readFileSync(e.file, "utf8");
    if (existsSync(to) && readFileSync(to, "utf8") === text) continue;
    writeAtomic(to, text);
    copied++;
  }
  process.stdout.write(`copied ${copied} of ${all.length} examples into ${dir}${copied < all.length ? ` (${all.length - copied} already there, unchanged)` : ""}\n`);
}
