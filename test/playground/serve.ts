/**
 * What the playground's browser tests share: the built app served by `gradc playground
 * --port 0`, and Debian's chromium driven by playwright-core (no browser is downloaded).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { ROOT } from "../helpers.js";

/** Flags that run chromium here as root, headless, without reaching the network. */
export const CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

export function chromiumPath(): string {
  const found = spawnSync("sh", ["-c", "command -v chromium || command -v chromium-browser"], { encoding: "utf8" }).stdout.trim();
  if (!found) throw new Error("chromium is not installed: apt-get install -y chromium (.ci/run does it)");
  return found;
}

/** Screenshots go to runs/playground/ (ignored by git), never over tracked files. */
export function shotPath(name: string): string {
  const dir = join(ROOT, "runs", "playground");
  mkdirSync(dir, { recursive: true });
  return join(dir, name);
}

export interface Served {
  readonly url: string;
  stop(): void;
}

/** Serves the build (dist/playground/, which `npm test`'s pretest makes) on a free port. */
export async function servePlayground(): Promise<Served> {
  if (!existsSync(join(ROOT, "dist/playground/index.html"))) spawnSync("npx", ["tsx", "scripts/build-playground.ts"], { cwd: ROOT, stdio: "inherit" });
  const child: ChildProcess = spawn(process.execPath, [join(ROOT, "bin/gradc.js"), "playground", "--port", "0"], { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(out);
      if (m) resolve(m[0]);
    });
    child.once("exit", (code) => reject(new Error(`gradc playground exited (${code}): ${out}`)));
  });
  return { url, stop: () => child.kill() };
}

export async function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_FLAGS });
}

export const freshProfile = () => mkdtempSync(join(tmpdir(), "gradc-chromium-"));
