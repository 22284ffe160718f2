/**
 * Text from outside ivpm (a dependency's name, url or ivpm.yaml, a server's reply, a plugin's message)
 * made safe to print: every character a terminal acts on — C0 controls (ESC starts the sequences that
 * set the window title, clear the screen or write the clipboard), DEL, C1 controls (U+009B is an 8-bit
 * CSI, U+009D an OSC) — and the bidi embeddings, overrides and isolates that make text read other than
 * it is, become visible escapes.
 *
 * The escapes are `\x1b` for a C0 control and `\u009b` for the others. JSON text never holds a raw C0
 * control (JSON.stringify escapes them) but may hold the others raw, inside a string, where `\uXXXX` is
 * that same character: escaping a line of JSON keeps it valid and the value it decodes to unchanged.
 *
 * @module
 */

/** The characters escaped: C0 (but tab and newline), DEL, C1, bidi embeddings/overrides/isolates. */
// deno-lint-ignore no-control-regex
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
/** The same, with tab and newline too: for one-line values (a name, a url, a host). */
// deno-lint-ignore no-control-regex
const UNSAFE_INLINE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

function escapeChar(c: string): string {
  const code = c.charCodeAt(0);
  return code < 0x20
    ? `\\x${code.toString(16).padStart(2, "0")}`
    : `\\u${code.toString(16).padStart(4, "0")}`;
}

/**
 * `text` with every control and bidi-override character as a visible escape; tabs and line breaks (a
 * CRLF becomes a plain newline) stay, for messages of several lines.
 *
 * @example
 * ```ts
 * escapeControls("a\x1b]0;pwned\x07b"); // "a\\x1b]0;pwned\\x07b"
 * ```
 */
export function escapeControls(text: string): string {
  return text.replaceAll("\r\n", "\n").replace(UNSAFE, escapeChar);
}

/**
 * `text` for one line: like {@link escapeControls}, and tabs and line breaks are escaped too.
 *
 * @example
 * ```ts
 * escapeInline("lib\nwarning: fake"); // "lib\\x0awarning: fake"
 * ```
 */
export function escapeInline(text: string): string {
  return text.replace(UNSAFE_INLINE, escapeChar);
}

/**
 * Whether `text` holds a character {@link escapeInline} would escape (tab and newline included).
 *
 * @example
 * ```ts
 * hasControlChars("/work/a\nb"); // true
 * ```
 */
export function hasControlChars(text: string): boolean {
  UNSAFE_INLINE.lastIndex = 0;
  return UNSAFE_INLINE.test(text);
}
