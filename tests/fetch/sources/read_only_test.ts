import assert from "node:assert/strict";
import { join } from "node:path";
import { runIvpm } from "../../_helpers/cli.ts";
import { startHttpServer } from "../../_helpers/http_server.ts";
import { writeTar } from "../../_helpers/archive_fixtures.ts";
import { withTempDir } from "../../_helpers/temp.ts";

Deno.test("an http package with cache: false is unpacked read-only (fetched, not for editing); without it, writable", async () => {
  await withTempDir("ivpm-readonly-", async (dir) => {
    const file = join(dir, "lib.tar.gz");
    await writeTar(file, [{ name: "f.txt", content: "x\n" }, { name: "d/g.txt", content: "y\n" }]);
    const archive = await Deno.readFile(file);
    const server = startHttpServer({ "/lib.tar.gz": () => new Response(archive) });
    try {
      const dep = (name: string, cache?: boolean) =>
        `        - name: ${name}\n          url: ${server.url}/lib.tar.gz\n${
          cache === undefined ? "" : `          cache: ${cache}\n`
        }`;
      await Deno.writeTextFile(
        join(dir, "ivpm.yaml"),
        `package:\n  name: p\n  dep-sets:\n    - name: default\n      deps:\n${dep("ro", false)}${dep("rw")}`,
      );
      const r = await runIvpm(["update"], { cwd: dir, env: { IVPM_CACHE: "" } });
      assert.equal(r.code, 0, r.stderr);
      const mode = async (p: string) => ((await Deno.stat(join(dir, "packages", p))).mode ?? 0) & 0o222;
      assert.equal(await mode("ro/f.txt"), 0, "no write bit on a cache: false file");
      assert.notEqual(await mode("rw/f.txt"), 0);
      // ivpm itself can still replace or remove it.
      const d = await runIvpm(["destroy", "--force"], { cwd: dir });
      assert.equal(d.code, 0, d.stderr);
    } finally {
      await server.close();
    }
  });
});
