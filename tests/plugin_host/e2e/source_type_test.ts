/**
 * A plugin-provided source type (`src: artifact`): ivpm.yaml validation knows
 * its keys (and suggests one for a typo), `show source` lists it, and
 * `ivpm update` fetches through it — in the plugin's sandboxed worker.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { ok, pluginMachine, writeTree } from "../../_helpers/plugins_e2e.ts";
import { exists, readLockJson } from "../../_helpers/update_project.ts";

const ARTIFACT = `import { s } from "@ivpm/plugin";

/** A company artifact store (here: it writes the artifact it was asked for). */
export const artifact = {
  name: "artifact",
  description: "Acme artifact store",
  keys: {
    artifact: s.string("Artifact id"),
    flavor: s.enum(["debug", "release"], "Build flavor"),
  },
  required: ["artifact"],
  async fetch(
    dep: { name: string; options: Record<string, unknown> },
    ctx: { workDir: string; note(m: string): void },
  ) {
    const staged = ctx.workDir + "/content";
    await Deno.mkdir(staged);
    const id = String(dep.options.artifact);
    const flavor = String(dep.options.flavor ?? "release");
    await Deno.writeTextFile(staged + "/ARTIFACT", id + " " + flavor + "\\n");
    ctx.note("fetched " + id);
    return {
      placement: { kind: "path", staged },
      lock: { artifact_resolved: id + "+" + flavor },
      version: id,
    };
  },
};
`;

function projectYaml(dep: string): string {
  return `package:
  name: soc
  plugins:
    - ./tools/artifact.ts
  dep-sets:
    - name: default
      deps:
        - name: fw
          src: artifact
${dep}`;
}

Deno.test("a plugin source type validates its keys and fetches in update", async () => {
  await using m = await pluginMachine();
  const proj = join(m.root, "proj");
  await writeTree(proj, {
    "ivpm.yaml": projectYaml("          artifact: fw-1.2\n          flavour: debug\n"),
    "tools/artifact.ts": ARTIFACT,
  });
  const at = { cwd: proj };

  const typo = await m.run(["update"], at);
  assert.equal(typo.code, 1);
  assert.match(typo.stderr, /ivpm\.yaml:\d+:\d+: error: .*'flavour'.*did you mean 'flavor'\?/);
  assert.equal(await exists(join(proj, "packages")), false);

  const sources = await ok(m, ["show", "source", "artifact"], at);
  assert.match(sources.stdout, /artifact/);
  assert.match(sources.stdout, /\.\/tools\/artifact\.ts \(project\)/);

  await Deno.writeTextFile(
    join(proj, "ivpm.yaml"),
    projectYaml("          artifact: fw-1.2\n          flavor: debug\n"),
  );
  const update = await ok(m, ["update"], at);
  assert.doesNotMatch(update.stderr, /warning|error/);
  assert.equal(await Deno.readTextFile(join(proj, "packages", "fw", "ARTIFACT")), "fw-1.2 debug\n");
  const lock = await readLockJson(proj);
  assert.equal(lock.packages.fw.src, "artifact");
  assert.equal(lock.packages.fw.artifact_resolved, "fw-1.2+debug");

  const missing = projectYaml("          flavor: debug\n");
  await Deno.writeTextFile(join(proj, "ivpm.yaml"), missing);
  const required = await m.run(["update"], at);
  assert.equal(required.code, 1);
  assert.match(required.stderr, /error: .*'artifact'/);

  // A key table that is not made of schemas is refused when the plugin is loaded, naming the key.
  await Deno.writeTextFile(join(proj, "ivpm.yaml"), projectYaml("          artifact: fw-1.2\n"));
  await Deno.writeTextFile(
    join(proj, "tools", "artifact.ts"),
    ARTIFACT.replace('s.enum(["debug", "release"], "Build flavor")', '{ type: "string" }'),
  );
  const shape = await m.run(["update"], at);
  assert.equal(shape.code, 1);
  assert.match(
    shape.stderr,
    /^error: plugin \.\/tools\/artifact\.ts exports an invalid source 'artifact' \(export artifact\): key 'flavor' is not a schema/m,
  );
});
