/**
 * Example root handler: writes `packages/marked-packages.txt` listing the
 * packages the marker detector marked, with the records it collected.
 *
 * @module
 */

import { type DestroyInfo, hasType, PackageHandler, type PackageView, type RootInfo } from "@ivpm/plugin";

/** Writes a summary of marked packages. */
export class SummaryWriter extends PackageHandler {
  static override name = "summary-writer";
  static override description = "Writes packages/marked-packages.txt";
  static override runAfter = ["marker-detector"];
  static override rootWhen = [hasType("marked")];

  override onLeafPostLoad(pkg: PackageView): void {
    if (pkg.pkgType === "marked") this.collect(pkg.name);
  }

  override async onRootPostLoad(info: RootInfo): Promise<void> {
    const task = this.taskContext(info, "summary", "Writing marked-packages.txt");
    const marked = info.packages.filter((p) => p.pkgType === "marked").map((p) => p.name);
    task.progress(`${marked.length} marked`, 1, 1);
    const lines = [
      `# ${marked.length} marked package(s)`,
      ...marked,
      `# records: ${info.records.map((r) => r.record).join(",")}`,
    ];
    await Deno.writeTextFile(`${info.depsDir}/marked-packages.txt`, lines.join("\n") + "\n");
    task.end();
  }

  override getStateEntries(): Record<string, unknown> {
    return { files: ["marked-packages.txt"] };
  }

  override async onDestroy(info: DestroyInfo): Promise<string[]> {
    const files = ((info.state?.files as string[] | undefined) ?? []).map((f) => `${info.depsDir}/${f}`);
    if (!info.dryRun) { for (const f of files) await Deno.remove(f).catch(() => {}); }
    return files;
  }
}
