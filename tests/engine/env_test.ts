import assert from "node:assert/strict";
import { join } from "node:path";
import { registerPluginModule } from "../_helpers/plugin_module.ts";
import { envWith } from "../_helpers/env.ts";
import { makeRepo } from "../_helpers/git_fixture.ts";
import { writeProjectDeps } from "../_helpers/update_project.ts";
import { runUpdate } from "../../core/update/update.ts";
import { packageView } from "../_helpers/package_view.ts";
import { withTempDir } from "../_helpers/temp.ts";
import { HandlerEngine } from "../../core/engine/engine.ts";
import { HandlerRegistry } from "../../core/engine/registry.ts";
import { type HandlerClass, PackageHandler } from "../../core/plugin_api/handler.ts";
import type { RootInfo } from "../../core/plugin_api/info.ts";

// Not in the process environment: only the run's own environment can supply them.
const RUN_ENV = { IVPM_TEST_SEEN: "granted", IVPM_TEST_HIDDEN: "secret", PATH: "/run/path" };

const SHOW_ENV = (name: string) => `
import { AsyncLocalStorage } from "node:async_hooks";
import { PackageHandler, type PackageView, type LeafInfo, type RootInfo } from "@ivpm/plugin";
// How a plugin hands info.env to its helpers (node:async_hooks is allowed: it does no I/O).
const callEnv = new AsyncLocalStorage<Readonly<Record<string, string>> | null>();
const currentEnv = () => callEnv.getStore() ?? null;
export class Show extends PackageHandler {
  static override name = "${name}";
  override onLeafPostLoad(_pkg: PackageView, info: LeafInfo) {
    callEnv.run(info.env ?? null, () => this.collect(currentEnv()));
  }
  override async onRootPostLoad(info: RootInfo) {
    const seen = { root: info.env ?? null, leaf: info.records.map((r) => r.record) };
    await Deno.writeTextFile(info.outputDir + "/${name}.json", JSON.stringify(seen));
  }
}
`;

Deno.test("handlers see the run's environment as info.env: all of it for built-ins, only granted names for plugins", async () => {
  await withTempDir("ivpm-engine-env-", async (dir) => {
    const depsDir = join(dir, "packages");
    await Deno.mkdir(depsDir);
    const registry = new HandlerRegistry();
    let builtinEnv: unknown = "not called";
    class Builtin extends PackageHandler {
      static override name = "builtin";
      override onRootPostLoad(info: RootInfo) {
        builtinEnv = info.env;
      }
    }
    registry.register(Builtin as HandlerClass, { origin: "built-in" });
    for (
      const [name, env] of [["granted", ["IVPM_TEST_SEEN", "IVPM_TEST_UNSET"]], ["plain", undefined]] as const
    ) {
      await registerPluginModule(
        registry,
        dir,
        `${name}.ts`,
        SHOW_ENV(name),
        "Show",
        env ? { env: [...env] } : {},
      );
    }
    const engine = new HandlerEngine({
      registry,
      projectDir: dir,
      depsDir,
      withConfig: {},
      jobs: 2,
      warn: (m) => assert.fail(m),
      env: RUN_ENV,
    });
    try {
      await engine.preLoad();
      const pkg = await engine.leaf("post", packageView({ name: "p", path: join(depsDir, "p") }), 0);
      await engine.root([pkg]);
    } finally {
      engine.close();
    }
    assert.deepEqual(builtinEnv, RUN_ENV);
    const read = async (name: string) =>
      JSON.parse(await Deno.readTextFile(join(depsDir, ".ivpm", "out", name, `${name}.json`)));
    assert.deepEqual(await read("granted"), {
      root: { IVPM_TEST_SEEN: "granted" },
      leaf: [{ IVPM_TEST_SEEN: "granted" }],
    });
    assert.deepEqual(await read("plain"), { root: null, leaf: [null] });
  });
});

Deno.test("a plugin's remembered leaf results are not reused once a variable it was granted changes", async () => {
  await withTempDir("ivpm-engine-env-", async (dir) => {
    const repo = await makeRepo(join(dir, "repos"), "lib", { files: { "a.txt": "1\n" } });
    const project = join(dir, "proj");
    await writeProjectDeps(project, [{ name: "lib", url: repo.url }]);
    const registry = new HandlerRegistry();
    await registerPluginModule(registry, dir, "show.ts", SHOW_ENV("show"), "Show", {
      env: ["IVPM_TEST_SEEN"],
    });
    const seen = async (value: string) => {
      await runUpdate({
        projectDir: project,
        cacheDir: null,
        handlers: registry,
        env: envWith({ IVPM_TEST_SEEN: value }),
      });
      return JSON.parse(
        await Deno.readTextFile(join(project, "packages", ".ivpm", "out", "show", "show.json")),
      ).leaf;
    };
    assert.deepEqual(await seen("one"), [{ IVPM_TEST_SEEN: "one" }]);
    assert.deepEqual(await seen("one"), [{ IVPM_TEST_SEEN: "one" }]); // remembered
    assert.deepEqual(await seen("two"), [{ IVPM_TEST_SEEN: "two" }]);
  });
});
