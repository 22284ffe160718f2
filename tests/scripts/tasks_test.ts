/** The deno.json tasks users run by hand work from any directory. */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const DENO_JSON = fileURLToPath(new URL("../../deno.json", import.meta.url));

Deno.test("deno task ivpm runs the CLI in the caller's directory, from any directory", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ivpm-task-" });
  try {
    const r = await new Deno.Command(Deno.execPath(), {
      args: ["task", "-q", "--config", DENO_JSON, "ivpm", "init", "demo"],
      cwd: dir,
      // Inside another `deno task` (deno task ok, CI) INIT_CWD is inherited: a user's shell has none.
      env: Object.fromEntries(Object.entries(Deno.env.toObject()).filter(([k]) => k !== "INIT_CWD")),
      clearEnv: true,
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(r.code, 0, new TextDecoder().decode(r.stderr));
    assert.match(await Deno.readTextFile(`${dir}/ivpm.yaml`), /name: demo/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
