import assert from "node:assert/strict";
import { join } from "node:path";
import { registerPluginModule } from "../_helpers/plugin_module.ts";
import { packageView } from "../_helpers/package_view.ts";
import { HandlerEngine } from "../../core/engine/engine.ts";
import { HandlerRegistry } from "../../core/engine/registry.ts";
import type { PackageView } from "../../core/plugin_api/package_view.ts";

/** Writes a plugin module into `dir` and registers its export as a sandboxed (third-party) handler. */
function plugin(dir: string, file: string, source: string, exportName: string, registry: HandlerRegistry) {
  return registerPluginModule(registry, dir, file, source, exportName);
}

async function setup(jobs = 4, leafTimeoutMs?: number) {
  const dir = await Deno.makeTempDir({ prefix: "ivpm-engine-" });
  const warnings: string[] = [];
  const registry = new HandlerRegistry();
  const make = () =>
    new HandlerEngine({
      registry,
      projectDir: dir,
      depsDir: join(dir, "packages"),
      withConfig: {},
      jobs,
      warn: (m) => warnings.push(m),
      leafTimeoutMs,
    });
  await Deno.mkdir(join(dir, "packages"));
  return { dir, registry, warnings, make, cleanup: () => Deno.remove(dir, { recursive: true }) };
}

const COLLECTOR = `
import { PackageHandler, type PackageView, type RootInfo } from "@ivpm/plugin";
export class Collector extends PackageHandler {
  static override name = "collector";
  override async onLeafPostLoad(pkg: PackageView) {
    // Uneven work so packages finish out of order across workers.
    if (Number(pkg.name.slice(1)) % 7 === 0) await new Promise((r) => setTimeout(r, 2));
    this.collect(pkg.name);
    if (pkg.name === "p3") this.collect("p3-second");
    pkg.pkgType = "seen";
  }
  override async onRootPostLoad(info: RootInfo) {
    await Deno.writeTextFile(info.outputDir + "/records.json", JSON.stringify(info.records));
  }
}
`;

Deno.test("every leaf record reaches the root exactly once, in package order (1000 packages, 4 workers)", async () => {
  const t = await setup(4);
  try {
    await plugin(t.dir, "collector.ts", COLLECTOR, "Collector", t.registry);
    const engine = t.make();
    await engine.preLoad();
    const pkgs = Array.from(
      { length: 1000 },
      (_, i) => packageView({ name: `p${i}`, path: join(t.dir, "packages", `p${i}`) }),
    );
    // Dispatch in a shuffled order, as packages land in any order.
    const order = pkgs.map((_, i) => i).sort((a, b) => ((a * 7919) % 1000) - ((b * 7919) % 1000));
    const results = new Array<PackageView>(1000);
    await Promise.all(order.map(async (i) => results[i] = await engine.leaf("post", pkgs[i], i)));
    assert.ok(results.every((r) => r.pkgType === "seen"));
    await engine.root(results);
    const expected = pkgs.flatMap((p) => p.name === "p3" ? ["p3", "p3-second"] : [p.name]);
    const records = JSON.parse(
      await Deno.readTextFile(join(t.dir, "packages", ".ivpm", "out", "collector", "records.json")),
    );
    assert.deepEqual(records.map((r: { record: string }) => r.record), expected);
    assert.deepEqual(records.slice(3, 5), [{ package: "p3", record: "p3" }, {
      package: "p3",
      record: "p3-second",
    }]);
    assert.deepEqual(t.warnings, []);
  } finally {
    await t.cleanup();
  }
});

Deno.test("HandlerFatalError in a leaf aborts with the handler's message; other errors are warnings", async () => {
  const t = await setup(2);
  try {
    await plugin(
      t.dir,
      "picky.ts",
      `import { HandlerFatalError, PackageHandler, type PackageView } from "@ivpm/plugin";
export class Picky extends PackageHandler {
  static override name = "picky";
  override onLeafPostLoad(pkg: PackageView) {
    if (pkg.name === "fatal") throw new HandlerFatalError("fatal is not allowed here");
    if (pkg.name === "oops") throw new TypeError("cannot read thing");
  }
}`,
      "Picky",
      t.registry,
    );
    const engine = t.make();
    await engine.leaf("post", packageView({ name: "ok", path: t.dir }), 0);
    await engine.leaf("post", packageView({ name: "oops", path: t.dir }), 1);
    assert.equal(t.warnings.length, 1);
    assert.match(t.warnings[0], /handler 'picky' failed on package 'oops': TypeError: cannot read thing/);
    await assert.rejects(
      () => engine.leaf("post", packageView({ name: "fatal", path: t.dir }), 2),
      /handler 'picky' stopped the update on package 'fatal': fatal is not allowed here/,
    );
    engine.close();
  } finally {
    await t.cleanup();
  }
});

Deno.test("a sandboxed plugin is denied writing outside what it was granted", async () => {
  const t = await setup(1);
  const outside = await Deno.makeTempDir({ prefix: "ivpm-outside-" });
  try {
    await plugin(
      t.dir,
      "writer.ts",
      `import { PackageHandler, type PackageView } from "@ivpm/plugin";
export class Writer extends PackageHandler {
  static override name = "writer";
  override async onLeafPostLoad(pkg: PackageView) {
    this.collect(await Deno.readTextFile(pkg.path + "/data.txt"));
    await Deno.writeTextFile(${JSON.stringify(join(outside, "pwned.txt"))}, "x");
  }
}`,
      "Writer",
      t.registry,
    );
    const pkgDir = join(t.dir, "packages", "a");
    await Deno.mkdir(pkgDir);
    await Deno.writeTextFile(join(pkgDir, "data.txt"), "readable");
    const engine = t.make();
    await engine.leaf("post", packageView({ name: "a", path: pkgDir }), 0);
    engine.close();
    assert.equal(t.warnings.length, 1);
    assert.match(t.warnings[0], /handler 'writer' failed on package 'a': NotCapable/);
    await assert.rejects(() => Deno.stat(join(outside, "pwned.txt")));
  } finally {
    await t.cleanup();
    await Deno.remove(outside, { recursive: true });
  }
});

Deno.test("a hanging leaf callback times out naming handler and package (an error, not a warning); the worker is replaced", async () => {
  const t = await setup(1, 400);
  try {
    await plugin(
      t.dir,
      "hang.ts",
      `import { PackageHandler, type PackageView } from "@ivpm/plugin";
export class Hang extends PackageHandler {
  static override name = "hang";
  override onLeafPostLoad(pkg: PackageView) {
    if (pkg.name === "stuck") { while (true) { /* spin */ } }
    this.collect(pkg.name);
  }
}`,
      "Hang",
      t.registry,
    );
    const engine = t.make();
    await engine.leaf("post", packageView({ name: "before", path: t.dir }), 0);
    await assert.rejects(
      () => engine.leaf("post", packageView({ name: "stuck", path: t.dir }), 1),
      /handler 'hang' .*did not finish onLeafPostLoad on package 'stuck' within 0 s; its worker was stopped/,
    );
    await engine.leaf("post", packageView({ name: "after", path: t.dir }), 2);
    assert.equal(t.warnings.length, 0);
    engine.close();
  } finally {
    await t.cleanup();
  }
});

Deno.test("a crashing leaf worker is replaced; only its package is reported", async () => {
  const t = await setup(1);
  try {
    await plugin(
      t.dir,
      "crash.ts",
      `import { PackageHandler, type PackageView } from "@ivpm/plugin";
export class Crash extends PackageHandler {
  static override name = "crash";
  override async onLeafPostLoad(pkg: PackageView) {
    if (pkg.name === "boom") {
      await new Promise(() => setTimeout(() => { throw new Error("kaboom"); }, 0));
    }
    this.collect(pkg.name);
  }
  override async onRootPostLoad(info: import("@ivpm/plugin").RootInfo) {
    await Deno.writeTextFile(info.outputDir + "/records.json", JSON.stringify(info.records.map((r) => r.record)));
  }
}`,
      "Crash",
      t.registry,
    );
    const engine = t.make();
    const views = ["a", "boom", "b"].map((n) => packageView({ name: n, path: t.dir }));
    for (const [i, v] of views.entries()) await engine.leaf("post", v, i);
    await engine.root(views);
    assert.equal(t.warnings.length, 1);
    assert.match(t.warnings[0], /package 'boom'.*leaf worker crashed.*kaboom/);
    assert.deepEqual(
      JSON.parse(await Deno.readTextFile(join(t.dir, "packages", ".ivpm", "out", "crash", "records.json"))),
      [
        "a",
        "b",
      ],
    );
  } finally {
    await t.cleanup();
  }
});

Deno.test("a plugin's root callbacks run in its own worker: its output directory is writable, elsewhere is denied", async () => {
  const t = await setup(1);
  const outside = await Deno.makeTempDir({ prefix: "ivpm-outside-" });
  try {
    await plugin(
      t.dir,
      "rooty.ts",
      `import { PackageHandler, type RootInfo } from "@ivpm/plugin";
export class Rooty extends PackageHandler {
  static override name = "rooty";
  override async onRootPostLoad(info: RootInfo) {
    await Deno.writeTextFile(info.outputDir + "/view.txt", String(info.packages.length));
    await Deno.writeTextFile(${JSON.stringify(join(outside, "pwned.txt"))}, "x");
  }
}`,
      "Rooty",
      t.registry,
    );
    const engine = t.make();
    await engine.preLoad();
    await assert.rejects(
      () => engine.root([packageView({ name: "a", path: t.dir })]),
      /handler 'rooty' failed: NotCapable/,
    );
    engine.close();
    assert.equal(await Deno.readTextFile(join(t.dir, "packages", ".ivpm", "out", "rooty", "view.txt")), "1");
    await assert.rejects(() => Deno.stat(join(outside, "pwned.txt")));
  } finally {
    await t.cleanup();
    await Deno.remove(outside, { recursive: true });
  }
});

Deno.test("build runs every handler's build in DAG order, in-process and in plugin workers", async () => {
  const t = await setup(1);
  try {
    await plugin(
      t.dir,
      "builder.ts",
      `import { PackageHandler, type BuildInfo, HandlerPhase } from "@ivpm/plugin";
export class Late extends PackageHandler {
  static override name = "late";
  static override phase = HandlerPhase.FINALIZE;
  override async build(info: BuildInfo) {
    // What the built-in wrote before it is readable; a plugin writes only its own output.
    const prev = await Deno.readTextFile(info.depsDir + "/build.log").catch(() => "");
    await Deno.writeTextFile(info.outputDir + "/build.log", prev + "late:" + info.debug + ":" + info.packages.length + "\\n");
  }
}`,
      "Late",
      t.registry,
    );
    const { PackageHandler } = await import("../../core/plugin_api/mod.ts");
    class Early extends PackageHandler {
      static override name = "early";
      static override phase = "prepare" as const;
      override async build(info: import("../../core/plugin_api/mod.ts").BuildInfo) {
        await Deno.writeTextFile(info.depsDir + "/build.log", "early\n");
      }
    }
    t.registry.register(Early);
    const engine = t.make();
    await engine.build([packageView({ name: "a", path: t.dir })], true);
    engine.close();
    assert.equal(
      await Deno.readTextFile(join(t.dir, "packages", ".ivpm", "out", "late", "build.log")),
      "early\nlate:true:1\n",
    );
  } finally {
    await t.cleanup();
  }
});
