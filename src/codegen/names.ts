/**
 * Safe identifiers, in one place. Names come from the `.graph` file; a name that is a
 * reserved word, or that would clash with a name the generated code uses itself, gets
 * a `_` suffix, and names are made unique per scope.
 */

import { ts } from "ts-morph";
import type { DType } from "../tensor/types.js";
import { stringLiteral } from "./escape.js";

export { commentText, stringLiteral } from "./escape.js";

/** Reserved words of JavaScript and TypeScript (strict mode, modules, contextual). */
const KEYWORDS =
  "break case catch class const continue debugger default delete do else enum export extends false finally for function if " +
  "import in instanceof new null return super switch this throw true try typeof var void while with yield let static " +
  "implements interface package private protected public await async of any as unknown never number string boolean " +
  "symbol object bigint type declare module namespace readonly keyof infer is asserts satisfies accessor abstract " +
  "override get set from global require";

/**
 * Globals a module (or the code around it) may read: a `.graph` name never shadows one,
 * whether or not this module uses it today.
 */
const GLOBALS =
  "arguments eval undefined NaN Infinity globalThis Math Object Array Number String Boolean Symbol BigInt Function Date " +
  "RegExp JSON Reflect Proxy Promise Map Set WeakMap WeakSet WeakRef Error RangeError TypeError SyntaxError ReferenceError " +
  "EvalError URIError AggregateError ArrayBuffer SharedArrayBuffer DataView Atomics Float32Array Float64Array Int8Array " +
  "Int16Array Int32Array Uint8Array Uint8ClampedArray Uint16Array Uint32Array BigInt64Array BigUint64Array WebAssembly " +
  "atob btoa isNaN isFinite parseInt parseFloat encodeURI decodeURI encodeURIComponent decodeURIComponent console " +
  "process Buffer window self document exports module __dirname __filename setTimeout queueMicrotask structuredClone " +
  "TextEncoder TextDecoder Intl";

/** Object.prototype's members: plain objects have them, so a name never is one. */
const PROTOTYPE = "constructor prototype __proto__ toString toLocaleString valueOf hasOwnProperty isPrototypeOf propertyIsEnumerable __defineGetter__ __defineSetter__ __lookupGetter__ __lookupSetter__";

const RESERVED = new Set(`${KEYWORDS} ${GLOBALS} ${PROTOTYPE}`.split(" "));

/** ECMAScript's identifier rule, which every engine and TypeScript's scanner accept */
const IDENT = /^[\p{ID_Start}_$][\p{ID_Continue}$\u200c\u200d]*$/u;

/** Whether `name` can be written as an identifier: ECMAScript's rule and TypeScript's own tables agree. */
export function isIdentifier(name: string): boolean {
  if (!IDENT.test(name)) return false;
  let first = true;
  for (const c of name) {
    const cp = c.codePointAt(0)!;
    if (!(first ? ts.isIdentifierStart(cp, ts.ScriptTarget.ESNext) : ts.isIdentifierPart(cp, ts.ScriptTarget.ESNext))) return false;
    first = false;
  }
  return true;
}

/**
 * A scope of identifiers, the one resolver of every name a module contains:
 * `name()` returns a unique safe identifier for a wanted name — never a reserved word,
 * a global, an Object.prototype member, a name reserved in this scope, or a name taken
 * here or in an enclosing scope (so an inner name never shadows an outer one).
 */
export class Names {
  private readonly taken = new Set<string>();
  /** the next suffix to try per base name: uniquifying stays linear for 50,000 temps */
  private readonly next = new Map<string, number>();

  constructor(
    reserved: Iterable<string> = [],
    private readonly parent?: Names,
  ) {
    for (const r of reserved) this.taken.add(r);
  }

  /** whether a name is taken here or in an enclosing scope */
  has(name: string): boolean {
    return this.taken.has(name) || (this.parent?.has(name) ?? false);
  }

  name(wanted: string): string {
    let base = isIdentifier(wanted) ? wanted : [...wanted].map((c, i) => (isIdentifier(i === 0 ? c : `_${c}`) ? c : "_")).join("");
    if (!isIdentifier(base)) base = `_${base}`;
    if (RESERVED.has(base)) base = `${base}_`;
    let name = base;
    let k = this.next.get(base) ?? 1;
    while (this.has(name) || RESERVED.has(name)) name = `${base}_${k++}`;
    this.next.set(base, k);
    this.taken.add(name);
    return name;
  }

  /** a child scope: its names avoid this scope's */
  child(reserved: Iterable<string> = []): Names {
    return new Names(reserved, this);
  }
}

/** `object.name`, or `object["name"]` where the name is no identifier (or is __proto__). */
export function prop(object: string, name: string): string {
  return isIdentifier(name) && name !== "__proto__" ? `${object}.${name}` : `${object}[${stringLiteral(name)}]`;
}

/** A property key in an object literal or interface: computed for `__proto__`, quoted when needed. */
export function key(name: string): string {
  if (name === "__proto__") return `["__proto__"]`;
  return isIdentifier(name) ? name : stringLiteral(name);
}

/** The typed array that holds each dtype: a global name, never one of the graph's. */
export const ARRAY: Record<DType, string> = { f32: "Float32Array", f64: "Float64Array", i32: "Int32Array" };

/** A name's ASCII letters, digits and `_`, each other character as `u` and its code point. */
export function asciiName(name: string): string {
  return [...name].map((c) => (/[A-Za-z0-9_]/.test(c) ? c : `u${c.codePointAt(0)!.toString(16)}`)).join("");
}
