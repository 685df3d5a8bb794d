/** Every entry of the catalogue, for docs/errors.md and the tests: by code, then id. */
import type { Entry } from "./catalogue.js";
import * as errors from "./errors.js";

export interface Listed extends Entry {
  /** the constructor's name in errors.ts */
  readonly name: string;
}

export function catalogue(): Listed[] {
  return Object.entries(errors)
    .map(([name, f]) => ({ ...f.entry, name, pattern: f.entry.pattern, sample: f.entry.sample }))
    .sort((a, b) => a.code.localeCompare(b.code) || a.id.localeCompare(b.id));
}
