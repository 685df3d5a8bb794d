/**
 * A user's text inside generated code: in a comment, or as a string literal. Apart from
 * names.ts (which needs TypeScript's scanner) so that what runs at training time — the
 * WebAssembly writer, the runtime's kernels, worker threads — loads no TypeScript.
 */
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
