/**
 * Example leaf-only handler: marks packages that contain an `IVPM_MARKER` file
 * (sets `pkg.pkgType = "marked"`) and collects the marker's first line.
 *
 * @module
 */

import { HandlerPhase, PackageHandler, type PackageView } from "@ivpm/plugin";

/** Detects `IVPM_MARKER` files. */
export class MarkerDetector extends PackageHandler {
  static override name = "marker-detector";
  static override description = "Marks packages holding an IVPM_MARKER file";
  static override phase = HandlerPhase.PREPARE;
  /** Leaf only: no root pass. */
  static override rootWhen = [];

  override async onLeafPostLoad(pkg: PackageView): Promise<void> {
    if (pkg.virtual) return;
    let text: string;
    try {
      text = await Deno.readTextFile(`${pkg.path}/IVPM_MARKER`);
    } catch {
      return;
    }
    pkg.pkgType = "marked";
    this.collect({ marker: text.split("\n")[0] });
  }
}
