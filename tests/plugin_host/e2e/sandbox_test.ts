/**
 * A plugin's leaf code runs with only the permissions granted to it: a write
 * outside the project is denied (a warning naming handler, package and
 * NotCapable) until `plugin add --allow-write` grants that directory.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { ok, pluginMachine, socYaml, writeIpSource, writeTree } from "../../_helpers/plugins_e2e.ts";
import { exists } from "../../_helpers/update_project.ts";

function escaper(outside: string): string {
  return `import { PackageHandler, type PackageView } from "@ivpm/plugin";

export class Escaper extends PackageHandler {
  static override name = "escaper";
  override async onLeafPostLoad(pkg: PackageView): Promise<void> {
    await Deno.writeTextFile(${JSON.stringify(outside)} + "/" + pkg.name + ".txt", "escaped\\n");
  }
}
`;
}

Deno.test("a leaf callback writing outside the project is denied, until the directory is granted", async () => {
  await using m = await pluginMachine();
  const outside = join(m.root, "outside");
  await Deno.mkdir(outside);
  const proj = join(m.root, "proj");
  await writeTree(proj, {
    "ivpm.yaml": socYaml({ ip: await writeIpSource(m.root) }),
    "tools/escaper.ts": escaper(outside),
  });
  const at = { cwd: proj };
  const yamlBefore = await Deno.readTextFile(join(proj, "ivpm.yaml"));

  const add = await ok(m, ["plugin", "add", "./tools/escaper.ts"], at);
  assert.match(add.stdout, /write: none \(root callbacks: packages\/\)/);
  const denied = await ok(m, ["update"], at);
  assert.match(
    denied.stderr,
    /^warning: handler 'escaper' failed on package 'ip': NotCapable: Requires write access to ".*outside\/ip\.txt"/m,
  );
  assert.equal(await exists(join(outside, "ip.txt")), false);

  await ok(m, ["plugin", "remove", "escaper"], at);
  assert.equal(await Deno.readTextFile(join(proj, "ivpm.yaml")), yamlBefore);
  // Relative to the project (the file that lists the plugin).
  const granted = await ok(m, ["plugin", "add", "./tools/escaper.ts", "--allow-write", "../outside"], at);
  assert.ok(granted.stdout.includes(`write: ${outside} (root callbacks: packages/)`), granted.stdout);
  assert.match(
    await Deno.readTextFile(join(proj, "ivpm.yaml")),
    /\n {2}plugins:\n {4}- spec: \.\/tools\/escaper\.ts\n {6}allow-write:\n {8}- \.\.\/outside\n/,
  );
  const allowed = await ok(m, ["update"], at);
  assert.doesNotMatch(allowed.stderr, /warning/);
  assert.equal(await Deno.readTextFile(join(outside, "ip.txt")), "escaped\n");
  const shown = await ok(m, ["show", "plugin", "escaper"], at);
  assert.ok(shown.stdout.includes(`write: ${outside}`), shown.stdout);
});
