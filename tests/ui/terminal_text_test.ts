/**
 * Issue 18, item 10: `terminalText`, the last step before the terminal, lets through ivpm's own colours
 * (only when colour is on) and nothing else a terminal would act on.
 */
import assert from "node:assert/strict";
import { colors, settings, terminalText } from "../../core/ui/log.ts";
import { escapeControls } from "../../core/util/terminal_text.ts";

/** Runs `fn` with `settings.color` set to `color` (module state of this test file's process only). */
function withColor<T>(color: boolean, fn: () => T): T {
  const before = settings.color;
  settings.color = color;
  try {
    return fn();
  } finally {
    settings.color = before;
  }
}

Deno.test("terminalText keeps ivpm's own colours when colour is on, and escapes every other sequence", () => {
  withColor(true, () => {
    const own = `${colors.red("error:")} ${colors.green("<<")} ${colors.bold("b")}${colors.dim("d")}` +
      `${colors.yellow("y")}${colors.cyan("c")}`;
    assert.equal(terminalText(own), own);
    const foreign = [
      "\x1b[2J", // clear screen
      "\x1b]0;pwned\x07", // window title
      "\x1b]52;c;cHduZWQ=\x07", // clipboard write
      "\x1b[38;5;196m", // a colour, but not one of ivpm's: could hide text
      "\x1b[8m", // concealed text
      "\x1b[31;8m",
      "\x1b[?1049h", // alternate screen
      "\x1bP+q\x1b\\", // DCS
      "\u009b2J", // 8-bit CSI
      "\u009d0;t\u009c", // 8-bit OSC
      "\u202e",
    ];
    for (const seq of foreign) {
      const shown = terminalText(`${colors.red("x")}${seq}${colors.red("y")}`);
      // Escaped as escapeControls escapes it (tested in tests/util/terminal_text_test.ts).
      assert.equal(shown, `\x1b[31mx\x1b[0m${escapeControls(seq)}\x1b[31my\x1b[0m`, JSON.stringify(seq));
      assert.ok(
        !shown.replaceAll("\x1b[31m", "").replaceAll("\x1b[0m", "").includes("\x1b"),
        JSON.stringify(shown),
      );
    }
  });
});

Deno.test("terminalText with colour off lets no escape sequence through, ivpm's own included", () => {
  withColor(false, () => {
    assert.equal(terminalText("\x1b[31merror:\x1b[0m x"), "\\x1b[31merror:\\x1b[0m x");
    assert.equal(terminalText("a\r\nb\tc\n"), "a\nb\tc\n");
    assert.equal(terminalText("\u009b31m\u202e"), "\\u009b31m\\u202e");
  });
});
