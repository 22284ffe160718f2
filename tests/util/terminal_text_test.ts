/**
 * Issue 18, item 10: text from outside ivpm printed to a terminal carries no control or bidi-override
 * character, only visible escapes of them.
 */
import assert from "node:assert/strict";
import { escapeControls, escapeInline, hasControlChars } from "../../core/util/terminal_text.ts";

/** What a hostile dependency puts in a name or url: title, clear screen, clipboard, 8-bit CSI, bidi. */
const HOSTILE = "a\x1b]0;pwned\x07b\x1b[2Jc\x1b]52;c;cHduZWQ=\x07d\u009b31me\u202ef\u2066g\u0000h\x7fi";

/** Every character a terminal acts on or that reorders text (tab and newline included). */
// deno-lint-ignore no-control-regex
const RAW = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

Deno.test("escapeControls: escape sequences, C1 controls and bidi overrides become visible text", () => {
  const shown = escapeControls(HOSTILE);
  assert.equal(RAW.test(shown), false, JSON.stringify(shown));
  assert.equal(
    shown,
    "a\\x1b]0;pwned\\x07b\\x1b[2Jc\\x1b]52;c;cHduZWQ=\\x07d\\u009b31me\\u202ef\\u2066g\\x00h\\u007fi",
  );
  // Every escaped character, one by one: C0 but tab and newline, DEL, all of C1, the bidi embeddings,
  // overrides (U+202A–U+202E) and isolates (U+2066–U+2069).
  const unsafe = [
    ...Array.from({ length: 0x20 }, (_, c) => c).filter((c) => c !== 0x09 && c !== 0x0a),
    ...Array.from({ length: 0x21 }, (_, i) => 0x7f + i),
    0x202a,
    0x202b,
    0x202c,
    0x202d,
    0x202e,
    0x2066,
    0x2067,
    0x2068,
    0x2069,
  ];
  for (const c of unsafe) {
    const out = escapeControls(`x${String.fromCharCode(c)}y`);
    assert.equal(RAW.test(out.replace(/[\t\n]/g, "")), false, `U+${c.toString(16)}: ${JSON.stringify(out)}`);
    assert.match(out, /^x\\(x[0-9a-f]{2}|u[0-9a-f]{4})y$/, `U+${c.toString(16)}`);
  }
});

Deno.test("escapeControls keeps tabs and line breaks (a CRLF becomes a newline) and plain text as it is", () => {
  assert.equal(escapeControls("line 1\r\n\tline 2\nline 3"), "line 1\n\tline 2\nline 3");
  // A lone CR would let text overwrite the start of its line: escaped.
  assert.equal(escapeControls("ok\rFAKE"), "ok\\x0dFAKE");
  const plain = "libA 1.2.3 — naïve café ✓ 日本語 \u200d e\u0301";
  assert.equal(escapeControls(plain), plain);
  assert.equal(escapeInline(plain), plain);
});

Deno.test("escapeInline also escapes tabs and line breaks, so a name cannot fake a line of its own", () => {
  assert.equal(escapeInline("lib\nerror: fake"), "lib\\x0aerror: fake");
  assert.equal(escapeInline("a\tb\r\nc"), "a\\x09b\\x0d\\x0ac");
  assert.equal(RAW.test(escapeInline(HOSTILE)), false);
});

Deno.test("hasControlChars tells whether escapeInline would change the text, also when called again", () => {
  for (const text of [HOSTILE, "\u009b", "\u202e", "a\nb", "\t", "\x7f", "\u2069"]) {
    // Twice: a global regular expression keeps its lastIndex between calls.
    assert.equal(hasControlChars(text), true, JSON.stringify(text));
    assert.equal(hasControlChars(text), true, JSON.stringify(text));
    assert.notEqual(escapeInline(text), text);
  }
  for (const text of ["", "libA", "/work/a b/c", "naïve ✓", "\u200c", "\u2065"]) {
    assert.equal(hasControlChars(text), false, JSON.stringify(text));
    assert.equal(escapeInline(text), text);
  }
});

Deno.test("a line of JSON escaped for the terminal stays valid JSON of the same value", () => {
  const value = {
    name: HOSTILE,
    url: "http://127.0.0.1/\x1b]52;c;cHduZWQ=\x07\u202e.tar.gz",
    all: Array.from({ length: 0xa0 }, (_, c) => String.fromCharCode(c)).join("") + "\u202a\u202e\u2066\u2069",
    nested: [{ msg: "ok\r\n\u009d0;t\u009c" }],
  };
  for (const line of [JSON.stringify(value), JSON.stringify(value, null, 2)]) {
    const shown = escapeControls(line);
    assert.equal(RAW.test(shown.replace(/\n/g, "")), false, shown);
    assert.deepEqual(JSON.parse(shown), value);
  }
});
