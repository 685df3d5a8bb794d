/**
 * The cache of compiled modules, and why what it holds can be trusted before it runs.
 *
 * Where: `$GRADC_CACHE_DIR` when set; else node_modules/.cache/gradc of the project gradc
 * is part of (the repository's own, or the one whose node_modules holds the package);
 * else `$XDG_CACHE_HOME/gradc`, else `~/.cache/gradc`. Never a shared temp folder.
 *
 * Trust: the folder is the user's own (created mode 0700; an existing one must be owned by
 * this user, is not a symbolic link, and is made 0700); each entry is a regular file owned
 * by this user whose first line holds the SHA-256 of the rest, checked before the module is
 * imported — and it is imported from those checked bytes (a data: URL), not from the path,
 * so nothing that changes the file after the check runs. A folder that fails these tests
 * is not used: modules are then compiled in memory every time.
 */
import { createHash } from "node:crypto";
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeAtomic } from "./files.js";

const PREFIX = "// gradc cache sha256:";

/** The package's root: two levels above this file, from src/runtime/ and dist/runtime/ alike. */
const PACKAGE_ROOT = fileURLToPath(new URL("../../", import.meta.url));

export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env["GRADC_CACHE_DIR"]) return env["GRADC_CACHE_DIR"];
  if (existsSync(join(PACKAGE_ROOT, "node_modules"))) return join(PACKAGE_ROOT, "node_modules", ".cache", "gradc");
  // installed: …/node_modules/gradc, or …/node_modules/@scope/gradc
  for (let dir = dirname(PACKAGE_ROOT); dir !== dirname(dir); dir = dirname(dir)) {
    if (basename(dir) === "node_modules") return join(dir, ".cache", "gradc");
  }
  return join(env["XDG_CACHE_HOME"] || join(homedir(), ".cache"), "gradc");
}

const mine = (uid: number) => typeof process.getuid !== "function" || uid === process.getuid();

/** The folder, made safe to use, or undefined when it is not this user's own. */
export function trustedDir(dir: string): string | undefined {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const s = lstatSync(dir);
    if (!s.isDirectory() || s.isSymbolicLink() || !mine(s.uid)) return undefined;
    if ((s.mode & 0o077) !== 0) chmodSync(dir, 0o700);
    return dir;
  } catch {
    return undefined;
  }
}

/** An entry's code, when the file is this user's and its content matches its hash. */
export function readEntry(path: string): string | undefined {
  try {
    const s = lstatSync(path);
    if (!s.isFile() || !mine(s.uid)) return undefined;
    const text = readFileSync(path, "utf8");
    const newline = text.indexOf("\n");
    if (!text.startsWith(PREFIX) || newline < 0) return undefined;
    const code = text.slice(newline + 1);
    return text.slice(PREFIX.length, newline) === sha256(code) ? code : undefined;
  } catch {
    return undefined;
  }
}

/** Written to a temporary name and renamed: a reader sees the old entry or the whole new one. */
export function writeEntry(path: string, code: string): void {
  try {
    writeAtomic(path, `${PREFIX}${sha256(code)}\n${code}`);
  } catch {
    // a cache that cannot be written only costs time
  }
}

export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
