// deno-lint-ignore-file no-control-regex -- asserts the absence of terminal escape sequences
/** `--no-rich` (the original's flag, which scripts pass) is accepted where it was and means plain output. */

import assert from "node:assert/strict";
import { join } from "node:path";
import { ivpmCommandArgs } from "../_helpers/cli.ts";

Deno.test("--no-rich is accepted by show, status, sync and update, and gives plain output on a terminal", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ivpm-norich-" });
  try {
    await Deno.writeTextFile(
      join(dir, "ivpm.yaml"),
      "package:\n  name: p\n  dep-sets:\n    - name: default\n      deps: []\n",
    );
    for (
      const args of [
        ["update", "--no-rich"],
        ["status", "--no-rich"],
        ["sync", "--no-rich", "-n"],
        ["show", "--no-rich"],
        ["show", "deps", "--no-rich"],
        ["show", "handler", "--no-rich"],
        ["--no-rich", "status"],
      ]
    ) {
      const cmd = [Deno.execPath(), ...ivpmCommandArgs(args)].map((a) => `'${a}'`).join(" ");
      const r = await new Deno.Command("script", {
        args: ["-qec", cmd, "/dev/null"],
        cwd: dir,
        env: { IVPM_CACHE: "", TERM: "xterm-256color" },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const text = new TextDecoder().decode(r.stdout);
      assert.equal(r.code, 0, `ivpm ${args.join(" ")}: ${text}`);
      assert.doesNotMatch(text, /\x1b\[/, `ivpm ${args.join(" ")}`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
