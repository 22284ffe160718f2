/**
 * A plugin source's fetch context holds only the environment variables its `allow-env` grant names: a
 * source with no grant sees none (not GITHUB_TOKEN), one granted FOO sees only FOO.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { ok, pluginMachine, writeTree } from "../../_helpers/plugins_e2e.ts";

/** A source that stages a file holding what its context's `env` held, and which context fields it got. */
const ENV_REPORTER = `export const envsrc = {
  name: "envsrc",
  description: "Reports its fetch context's environment",
  keys: {},
  async fetch(_dep: unknown, ctx: Record<string, unknown> & { workDir: string }) {
    const staged = ctx.workDir + "/content";
    await Deno.mkdir(staged);
    const report = { env: ctx.env ?? null, fields: Object.keys(ctx).sort() };
    await Deno.writeTextFile(staged + "/report.json", JSON.stringify(report));
    return { placement: { kind: "path", staged }, lock: {} };
  },
};
`;

function projectYaml(plugin: string): string {
  return `package:
  name: proj
  plugins:
${plugin}
  dep-sets:
    - name: default
      deps:
        - name: probe
          src: envsrc
`;
}

async function reportOf(
  plugin: string,
): Promise<{ env: Record<string, string> | null; fields: string[] }> {
  await using m = await pluginMachine();
  const proj = join(m.root, "proj");
  await writeTree(proj, { "ivpm.yaml": projectYaml(plugin), "tools/envsrc.ts": ENV_REPORTER });
  await ok(m, ["update"], { cwd: proj, env: { GITHUB_TOKEN: "secret", FOO: "bar", BAR: "baz" } });
  return JSON.parse(await Deno.readTextFile(join(proj, "packages", "probe", "report.json")));
}

Deno.test("a plugin source without allow-env sees no environment variable in its fetch context", async () => {
  const report = await reportOf("    - ./tools/envsrc.ts");
  assert.deepEqual(report.env ?? {}, {});
  assert.ok(!JSON.stringify(report).includes("secret"), JSON.stringify(report));
});

Deno.test("a plugin source with allow-env: [FOO] sees only FOO in its fetch context", async () => {
  const report = await reportOf("    - spec: ./tools/envsrc.ts\n      allow-env: [FOO]");
  assert.deepEqual(report.env, { FOO: "bar" });
  // Only the documented fields cross into the worker.
  for (const f of report.fields) {
    assert.ok(
      [
        "anonymousGit",
        "depsDir",
        "env",
        "finalPath",
        "force",
        "gitAuthOrder",
        "note",
        "previous",
        "projectDir",
        "refresh",
        "signal",
        "cache",
        "workDir",
      ].includes(f),
      `unexpected field ${f}`,
    );
  }
});
