import assert from "node:assert/strict";
import { join } from "node:path";
import { makeRepo } from "../_helpers/git_fixture.ts";
import { runIvpm } from "../_helpers/cli.ts";

Deno.test("a hand-edited lock (checksum mismatch) is reported by status and update, as by sync", async () => {
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "ivpm-lock-mismatch-" }));
  try {
    const lib = await makeRepo(root, "lib", { files: { "f.txt": "x\n" } });
    const proj = join(root, "proj");
    await Deno.mkdir(proj);
    await Deno.writeTextFile(
      join(proj, "ivpm.yaml"),
      `package:\n  name: proj\n  dep-sets:\n    - name: default\n      deps:\n        - name: lib\n          url: ${lib.url}\n`,
    );
    const env = { IVPM_CACHE: "" };
    assert.equal((await runIvpm(["update"], { cwd: proj, env })).code, 0);
    const lockPath = join(proj, "packages", "package-lock.json");
    const lock = JSON.parse(await Deno.readTextFile(lockPath));
    lock.packages.lib.note = "edited";
    await Deno.writeTextFile(lockPath, JSON.stringify(lock, null, 2));
    const mismatch = /warning: .*package-lock\.json: checksum mismatch — the file was edited by hand/;
    for (const args of [["status"], ["sync", "-n"], ["update"]]) {
      const r = await runIvpm(args, { cwd: proj, env });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, mismatch, `ivpm ${args.join(" ")}`);
    }
    // The update rewrote the lock: no more warning.
    assert.doesNotMatch((await runIvpm(["status"], { cwd: proj, env })).stderr, mismatch);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
