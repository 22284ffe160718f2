import assert from "node:assert/strict";
import { join } from "node:path";
import { toFileUrl } from "../_helpers/file_url.ts";
import { registerPluginModule } from "../_helpers/plugin_module.ts";
import { registerExamplePlugins } from "../_helpers/example_plugins.ts";
import { HandlerRegistry } from "../../core/engine/registry.ts";
import { runUpdate } from "../../core/update/update.ts";
import { runDestroy } from "../../core/update/destroy.ts";
import type { HandlerEvent } from "../../core/plugin_api/events.ts";

async function project() {
  const root = await Deno.makeTempDir({ prefix: "ivpm-plugins-" });
  for (const [name, marked] of [["alpha", true], ["beta", false], ["gamma", true]] as const) {
    await Deno.mkdir(join(root, "src", name), { recursive: true });
    if (marked) {
      await Deno.writeTextFile(join(root, "src", name, "IVPM_MARKER"), `${name}-marker\nsecond line\n`);
    }
  }
  const deps = ["gamma", "alpha", "beta"].map((n) =>
    `        - name: ${n}\n          url: ${toFileUrl(join(root, "src", n))}\n`
  )
    .join("");
  await Deno.mkdir(join(root, "proj"));
  await Deno.writeTextFile(
    join(root, "proj", "ivpm.yaml"),
    `package:\n  name: proj\n  dep-sets:\n    - name: default\n      deps:\n${deps}`,
  );
  return { root, dir: join(root, "proj"), cleanup: () => Deno.remove(root, { recursive: true }) };
}

Deno.test("example plugins run in a real update: leaf detection feeds the root handler, then destroy undoes it", async () => {
  const p = await project();
  try {
    const registry = await registerExamplePlugins(new HandlerRegistry());
    const events: HandlerEvent[] = [];
    const warnings: string[] = [];
    const r = await runUpdate({
      projectDir: p.dir,
      cacheDir: null,
      handlers: registry,
      reporter: {
        handlerEvent: (e) => events.push(e),
        diagnostic: (d) => void (d.severity !== "note" && warnings.push(d.message)),
      },
    });
    assert.deepEqual(warnings, []);
    assert.deepEqual(r.handlersRun, ["summary-writer"]); // marker-detector has rootWhen = []
    const summary = await Deno.readTextFile(
      join(p.dir, "packages", ".ivpm", "out", "summary-writer", "marked-packages.txt"),
    );
    // Declaration order (gamma, alpha), records from the summary-writer's own leaf pass.
    assert.equal(summary, "# 2 marked package(s)\ngamma\nalpha\n# records: gamma,alpha\n");
    assert.deepEqual(events.map((e) => e.type), ["task-start", "task-progress", "task-end"]);
    assert.equal(events[0].handler, "summary-writer");
    const state = JSON.parse(await Deno.readTextFile(join(p.dir, "packages", "ivpm.json")));
    assert.deepEqual(state.handlers, { "summary-writer": { files: ["marked-packages.txt"] } });

    const dry = await runDestroy({ projectDir: p.dir, dryRun: true, handlers: registry });
    assert.deepEqual(dry.handlers.find((h) => h.handler === "summary-writer")!.paths, [
      join(p.dir, "packages", ".ivpm", "out", "summary-writer", "marked-packages.txt"),
    ]);
    assert.ok(
      await Deno.stat(join(p.dir, "packages", ".ivpm", "out", "summary-writer", "marked-packages.txt")),
    );
    const done = await runDestroy({ projectDir: p.dir, handlers: registry });
    assert.ok(done.removed.includes(join(p.dir, "packages")));
    await assert.rejects(() => Deno.stat(join(p.dir, "packages")));
    // The dir sources themselves were only linked: destroy must not have followed the links.
    assert.ok(await Deno.stat(join(p.root, "src", "alpha", "IVPM_MARKER")));
  } finally {
    await p.cleanup();
  }
});

Deno.test("an ordering cycle aborts the update before anything is fetched", async () => {
  const p = await project();
  try {
    const { PackageHandler } = await import("../../core/plugin_api/mod.ts");
    class A extends PackageHandler {
      static override name = "cyc-a";
      static override runAfter = ["cyc-b"];
    }
    class B extends PackageHandler {
      static override name = "cyc-b";
      static override runAfter = ["cyc-a"];
    }
    const registry = new HandlerRegistry();
    registry.register(A);
    registry.register(B);
    await assert.rejects(
      () => runUpdate({ projectDir: p.dir, cacheDir: null, handlers: registry }),
      /cycle: cyc-a -> cyc-b -> cyc-a/,
    );
    await assert.rejects(() => Deno.stat(join(p.dir, "packages")));
  } finally {
    await p.cleanup();
  }
});

Deno.test("a HandlerFatalError in a leaf callback fails the update with the handler's message; the lock is not written", async () => {
  const p = await project();
  try {
    const dir = await Deno.makeTempDir({ prefix: "ivpm-fatal-" });
    const registry = new HandlerRegistry();
    await registerPluginModule(
      registry,
      dir,
      "fatal.ts",
      `import { HandlerFatalError, PackageHandler, type PackageView } from "@ivpm/plugin";
export class Guard extends PackageHandler {
  static override name = "guard";
  override onLeafPostLoad(pkg: PackageView) {
    if (pkg.name === "alpha") throw new HandlerFatalError("alpha is forbidden here");
  }
}`,
      "Guard",
    );
    await assert.rejects(
      () => runUpdate({ projectDir: p.dir, cacheDir: null, handlers: registry }),
      /handler 'guard' stopped the update on package 'alpha': alpha is forbidden here/,
    );
    await assert.rejects(() => Deno.stat(join(p.dir, "packages", "package-lock.json")));
    await Deno.remove(dir, { recursive: true });
  } finally {
    await p.cleanup();
  }
});
