/**
 * Safe identifiers, in one place. Names come from the `.graph` file; a name that is a
 * reserved word, or that would clash with a name the generated code uses itself, gets
 * a `_` suffix, and names are made unique per scope.
 */

const RESERVED = new Set(
  (
    "break case catch class const continue debugger default delete do else enum export extends false finally for function if " +
    "import in instanceof new null return super switch this throw true try typeof var void while with yield let static " +
    "implements interface package private protected public await async of arguments eval undefined NaN Infinity " +
    "Math Object Array Number Error RangeError Float32Array Float64Array Int32Array constructor prototype __proto__"
  ).split(" "),
);

const IDENT = /^[\p{L}_$][\p{L}\p{Nd}\p{Mn}\p{Mc}_$]*$/u;

/** A scope of identifiers: `name()` returns a unique safe identifier for a wanted name. */
export class Names {
  private readonly taken = new Set<string>();
  /** the next suffix to try per base name: uniquifying stays linear for 50,000 temps */
  private readonly next = new Map<string, number>();

  constructor(reserved: Iterable<string> = []) {
    for (const r of reserved) this.taken.add(r);
  }

  name(wanted: string): string {
    let base = IDENT.test(wanted) ? wanted : wanted.replace(/[^\p{L}\p{Nd}_$]/gu, "_");
    if (!IDENT.test(base)) base = `_${base}`;
    if (RESERVED.has(base)) base = `${base}_`;
    let name = base;
    let k = this.next.get(base) ?? 1;
    while (this.taken.has(name)) name = `${base}_${k++}`;
    this.next.set(base, k);
    this.taken.add(name);
    return name;
  }
}

/**
 * Text from a user (a source line, a file path, a name) made safe inside any comment a
 * printer writes — a `/** … *\/` block, a `//` line, a WAT `;;` line: nothing in it can
 * end the comment or the line. `*\/` loses its slash to a backslash escape; line and
 * paragraph separators (\n, \r, U+2028, U+2029) and every other control character but
 * the tab are written as visible escapes, and `</` as `<\/` (no `</script>` in a page). The text stays readable; it can never become code.
 */
export function commentText(text: string): string {
  return text.replace(/[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029]|\*\/|<\//g, (c) => {
    if (c === "*/") return "*\\/";
    if (c === "</") return "<\\/";
    if (c === "\n") return "\\n";
    if (c === "\r") return "\\r";
    if (c === "\t") return "\\t";
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
  });
}

/**
 * A string literal for any text: JSON's escapes, plus U+2028/U+2029 (line terminators
 * in older engines) and `<` (so `</script>` cannot close an inline script) as \u escapes.
 */
export function stringLiteral(text: string): string {
  return JSON.stringify(text).replace(/[\u2028\u2029<]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** A property read: `o.name`, or `o["name"]` when the name is not a plain identifier. */
export function prop(object: string, name: string): string {
  return IDENT.test(name) && name !== "__proto__" ? `${object}.${name}` : `${object}[${stringLiteral(name)}]`;
}

/** A property key in an object literal or interface: computed for `__proto__`, quoted when needed. */
export function key(name: string): string {
  if (name === "__proto__") return `["__proto__"]`;
  return IDENT.test(name) ? name : stringLiteral(name);
}
