import assert from "node:assert/strict";
import { join } from "node:path";
import { registerPluginModule } from "../_helpers/plugin_module.ts";
import { packageView } from "../_helpers/package_view.ts";
import { withTempDir } from "../_helpers/temp.ts";
import { HandlerEngine } from "../../core/engine/engine.ts";
import { HandlerRegistry } from "../../core/engine/registry.ts";

// A package named "slow" keeps its worker busy until the file `release` appears in the deps dir.
const SOURCE = `
import { PackageHandler, type PackageView, type LeafInfo } from "@ivpm/plugin";
export class Gate extends PackageHandler {
  static override name = "gate";
  override async onLeafPostLoad(pkg: PackageView, info: LeafInfo) {
    if (pkg.name !== "slow") return;
    for (;;) {
      try {
        await Deno.stat(info.depsDir + "/release");
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 10));
      }
    }
  }
}
`;

async function engineWith(dir: string, jobs: number) {
  const depsDir = join(dir, "packages");
  await Deno.mkdir(depsDir, { recursive: true });
  const registry = new HandlerRegistry();
  await registerPluginModule(registry, dir, "gate.ts", SOURCE, "Gate");
  const engine = new HandlerEngine({
    registry,
    projectDir: dir,
    depsDir,
    withConfig: {},
    jobs,
    warn: () => {},
  });
  await engine.preLoad();
  const view = (name: string) => packageView({ name, path: join(depsDir, name) });
  return { engine, depsDir, view };
}

Deno.test("packages landing one after another share one leaf worker, whatever -j allows", async () => {
  await withTempDir("ivpm-pool-", async (dir) => {
    const { engine, view } = await engineWith(dir, 8);
    try {
      for (let i = 0; i < 20; i++) await engine.leaf("post", view(`p${i}`), i);
      assert.equal(engine.leafWorkersStarted, 1);
    } finally {
      engine.close();
    }
  });
});

Deno.test("a callback that does not return does not hold up other packages: the pool starts another worker", async () => {
  await withTempDir("ivpm-pool-", async (dir) => {
    const { engine, depsDir, view } = await engineWith(dir, 2);
    try {
      const done: string[] = [];
      const slow = engine.leaf("post", view("slow"), 0).then(() => done.push("slow"));
      // Fewer waiting jobs than the backlog that grows the pool: they are started by waiting too long.
      await Promise.all(
        [1, 2].map((i) => engine.leaf("post", view(`fast${i}`), i).then(() => done.push(`fast${i}`))),
      );
      assert.deepEqual(done.sort(), ["fast1", "fast2"]);
      assert.equal(engine.leafWorkersStarted, 2);
      await Deno.writeTextFile(join(depsDir, "release"), "");
      await slow;
      assert.ok(done.includes("slow"));
    } finally {
      engine.close();
    }
  });
});
