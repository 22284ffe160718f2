/**
 * A test handler that logs every leaf callback to a file (`with.counting.log`) and
 * collects one record per package, which its root callback writes to
 * `<deps>/counting.json`: tests see how often leaf work ran and what the root saw.
 *
 * @module
 */

import { type LeafInfo, PackageHandler, type PackageView, type RootInfo } from "../../core/plugin_api/mod.ts";

/** Logs each leaf call; records name, `with.counting.flavor`, the package's types and top-level files. */
export class CountingHandler extends PackageHandler {
  static override name = "counting";

  override async onLeafPostLoad(pkg: PackageView, info: LeafInfo): Promise<void> {
    await Deno.writeTextFile(String(info.config.log), `${CountingHandler.name} ${pkg.name}\n`, {
      append: true,
    });
    const files = pkg.virtual
      ? []
      : (await Array.fromAsync(Deno.readDir(pkg.path))).map((e) => e.name).sort();
    this.collect({
      pkg: pkg.name,
      flavor: info.config.flavor ?? null,
      types: pkg.typeData.map((t) => t.name),
      files,
    });
  }

  override async onRootPostLoad(info: RootInfo): Promise<void> {
    await Deno.writeTextFile(`${info.depsDir}/counting.json`, JSON.stringify(info.records, null, 1));
  }
}

/** A second handler of the same kind (adding it to a project must re-run leaf work). */
export class OtherCountingHandler extends CountingHandler {
  static override name = "other-counting";

  override async onLeafPostLoad(pkg: PackageView, info: LeafInfo): Promise<void> {
    await Deno.writeTextFile(String(info.config.log), `other ${pkg.name}\n`, { append: true });
  }

  override onRootPostLoad(): Promise<void> {
    return Promise.resolve();
  }
}
