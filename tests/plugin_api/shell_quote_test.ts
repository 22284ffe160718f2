/**
 * Issue 18, item 10: `shellQuote` makes any one-line value one shell word that bash and sh read back as
 * exactly that value, running nothing, and the quoted word itself holds no control or bidi character.
 */
import assert from "node:assert/strict";
import { shellQuote } from "../../core/plugin_api/envrc.ts";

const VALUES = [
  "/p/packages",
  "gcc/15.2.0",
  "",
  "a b",
  "it's",
  "''",
  "'\\''",
  "$(touch PWNED)",
  "`touch PWNED`",
  "${HOME}",
  "$HOME",
  "a;b|c&d>e<f",
  '"$(touch PWNED)"',
  "\\",
  "*",
  "~",
  "#comment",
  "!!",
  "a\tb",
  "\x1b]0;pwned\x07",
  "\x1b[2J",
  "x\u009b31my",
  "rev\u202eersed",
  "\u2066iso\u2069",
  "\x7f",
  "naïve ✓ 日本",
  "-n",
  "end\\",
];

/** What `shell` prints for `printf '%s\0' <word>`, split at NUL. */
async function readBack(shell: string, words: string[]): Promise<string[]> {
  const script = `printf '%s\\0' ${words.join(" ")}`;
  const out = await new Deno.Command(shell, { args: ["-c", script], stdout: "piped", stderr: "piped" })
    .output();
  assert.ok(out.success, `${shell}: ${new TextDecoder().decode(out.stderr)}`);
  const got = new TextDecoder().decode(out.stdout).split("\0");
  got.pop();
  return got;
}

Deno.test("shellQuote: bash and sh read every quoted value back as itself, one word each", async () => {
  const words = VALUES.map(shellQuote);
  for (const word of words) {
    // deno-lint-ignore no-control-regex
    assert.doesNotMatch(word, /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/, JSON.stringify(word));
  }
  for (const shell of ["bash", "sh"]) assert.deepEqual(await readBack(shell, words), VALUES, shell);
});

Deno.test("shellQuote refuses a value with a line break or NUL", () => {
  for (const v of ["a\nb", "a\rb", "a\u0000b"]) assert.throws(() => shellQuote(v), /line break or NUL/);
});
