/**
 * One key casing across every `--json` output: camelCase keys (maps keyed by user data, such as the
 * properties of a handler's option schema, keep the user's names).
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { makeRepo } from "../_helpers/git_fixture.ts";
import { runIvpm } from "../_helpers/cli.ts";

/** Keys that are not camelCase, with their paths; `properties` maps hold user-chosen names. */
function badKeys(value: unknown, path = ""): string[] {
  if (Array.isArray(value)) return value.flatMap((v) => badKeys(v, `${path}[]`));
  if (!value || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([k, v]) => {
    const here = `${path}.${k}`;
    const own = /^[a-z][a-zA-Z0-9]*$/.test(k) || k.startsWith("$") || path.endsWith(".properties")
      ? []
      : [here];
    return [...own, ...badKeys(v, here)];
  });
}

function documents(stdout: string): unknown[] {
  const text = stdout.trim();
  try {
    return [JSON.parse(text)];
  } catch {
    return text.split("\n").map((l) => JSON.parse(l)); // NDJSON
  }
}

Deno.test("every --json output uses camelCase keys", async () => {
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "ivpm-json-shape-" }));
  try {
    const lib = await makeRepo(root, "lib", { files: { "f.txt": "x\n" }, tags: ["v1"] });
    const proj = join(root, "proj");
    await Deno.mkdir(proj);
    await Deno.writeTextFile(
      join(proj, "ivpm.yaml"),
      `package:\n  name: proj\n  dep-sets:\n    - name: default\n      deps:\n        - name: lib\n          url: ${lib.url}\n          tag: v1\n`,
    );
    const env = { IVPM_CACHE: "" };
    assert.equal((await runIvpm(["cache", "init", join(root, "cache")], { cwd: proj, env })).code, 0);
    const commands = [
      ["update", "--json"],
      ["status", "--json"],
      ["sync", "--json", "-n"],
      ["show", "--json"],
      ["show", "source", "--json"],
      ["show", "type", "--json"],
      ["show", "handler", "--json"],
      ["show", "handler", "--order", "--json"],
      ["show", "deps", "--json"],
      ["show", "deps", "--tree", "--json"],
      ["show", "site-config", "--json"],
      ["plugin", "list", "--json"],
      ["destroy", "--json", "-n"],
      ["cache", "info", "--json", "-c", join(root, "cache")],
      ["cache", "clean", "--json", "-n", "-c", join(root, "cache")],
    ];
    for (const args of commands) {
      const r = await runIvpm(args, { cwd: proj, env });
      assert.equal(r.code, 0, `ivpm ${args.join(" ")}: ${r.stderr}`);
      const bad = documents(r.stdout).flatMap((d) => badKeys(d));
      assert.deepEqual(bad, [], `ivpm ${args.join(" ")}`);
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
