/**
 * Safe writes. A file is written to a temporary name and renamed, so a crash never
 * leaves half a file; a generated module replaces only a file gradc generated
 * itself (recognised by its header) unless forced.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { HEADER_MARK } from "../codegen/header.js";
import { codes, fail } from "../diagnostics/index.js";

export function writeAtomic(path: string, text: string | Uint8Array): void {
  mkdirSync(dirname(path) || ".", { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

export function writeGenerated(path: string, code: string, force: boolean): void {
  if (!force && existsSync(path)) {
    const head = readFileSync(path, "utf8").slice(0, HEADER_MARK.length);
    if (head !== HEADER_MARK) fail(codes.io, `refusing to overwrite ${path}: gradc did not generate it (use --force)`);
  }
  writeAtomic(path, code);
}
