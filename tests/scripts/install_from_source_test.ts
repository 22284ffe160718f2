/**
 * `deno task install` from a checkout on a machine without `deno` on PATH: the launcher it writes runs
 * ivpm from any directory with a clean PATH, and does not depend on the checkout's location.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { installFromSource } from "../../scripts/install_from_source.ts";

Deno.test("the source install leaves a launcher that works with no deno on PATH and without the checkout", async () => {
  const home = await Deno.makeTempDir({ prefix: "ivpm-src-install-" });
  try {
    const logs: string[] = [];
    const bin = join(home, "bin");
    const launcher = await installFromSource(
      { HOME: home, IVPM_INSTALL: bin, IVPM_COPY_DENO: "1", PATH: "/usr/bin:/bin" },
      (l) => logs.push(l),
    );
    assert.equal(launcher, join(bin, "ivpm"));
    assert.ok(logs.some((l) => l.includes(`export PATH="${bin}:$PATH"`)), logs.join("\n"));
    const text = await Deno.readTextFile(launcher);
    assert.ok(!text.includes(Deno.cwd()), "the launcher does not point into the checkout");

    const project = join(home, "somewhere", "deep");
    await Deno.mkdir(project, { recursive: true });
    const env = { ...Deno.env.toObject(), PATH: "/usr/bin:/bin", HOME: home };
    const r = await new Deno.Command(launcher, { args: ["--version"], cwd: project, env, clearEnv: true })
      .output();
    const stdout = new TextDecoder().decode(r.stdout);
    assert.equal(r.code, 0, new TextDecoder().decode(r.stderr));
    assert.match(stdout, /^ivpm \d+\.\d+\.\d+ \(commit /);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
