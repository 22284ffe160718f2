/**
 * Example root handler: writes `marked-packages.txt` into its own output
 * directory (`packages/.ivpm/out/summary-writer/`, the place under the deps dir
 * a plugin may write), listing the packages the marker detector marked, with
 * the records it collected.
 *
 * @module
 */

import { type DestroyInfo, hasType, PackageHandler, type PackageView, type RootInfo } from "@ivpm/plugin";

/** Writes a summary of marked packages. */
export class SummaryWriter extends PackageHandler {
  static override name = "summary-writer";
  static override description = "Writes marked-packages.txt into its output directory";
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
    await Deno.writeTextFile(`${info.outputDir}/marked-packages.txt`, lines.join("\n") + "\n");
    task.end();
  }

  override getStateEntries(): Record<string, unknown> {
    return { files: ["marked-packages.txt"] };
  }

  override async onDestroy(info: DestroyInfo): Promise<string[]> {
    // The state is read back from ivpm.json: only plain file names, inside the output directory.
    const names = ((info.state?.files as unknown[] | undefined) ?? [])
      .filter((f): f is string => typeof f === "string" && /^[\w.-]+$/.test(f) && !f.startsWith("."));
    const files = names.map((f) => `${info.outputDir}/${f}`);
    if (!info.dryRun) { for (const f of files) await Deno.remove(f).catch(() => {}); }
    return files;
  }
}
