/**
 * `ivpm snapshot DIR [-p PROJECT] [-r]` — a self-contained copy of the project
 * and every dependency at the locked revisions (see core/snapshot).
 *
 * @module
 */

import { projectDirOption } from "../../config/find_project.ts";
import { join, relative, resolve } from "node:path";
import { createSnapshot } from "../../workspace/snapshot/snapshot.ts";
import { colors, info, warn } from "../../ui/log.ts";

/** Flags of `ivpm snapshot`. */
export interface SnapshotFlags {
  projectDir?: string;
  /** `-r/--rls-deps`: only when the workspace holds the release dep-set. */
  rlsDeps?: boolean;
}

/** `ivpm snapshot`. */
export async function snapshot(dir: string, o: SnapshotFlags): Promise<void> {
  const r = await createSnapshot({
    projectDir: projectDirOption(o.projectDir),
    dest: resolve(dir),
    releaseDeps: o.rlsDeps,
    warn: (m) => warn(m),
  });
  const pkgs = Object.values(r.manifest.packages);
  const count = (k: string) => pkgs.filter((p) => p.kind === k).length;
  const parts = [`${count("git")} git`, `${count("archive")} archived`];
  if (count("none")) parts.push(`${count("none")} installed by handlers`);
  info(
    `${colors.bold("Snapshot")} of ${r.manifest.project.name} written to ${r.dest}: ${pkgs.length} package${
      pkgs.length === 1 ? "" : "s"
    } (${parts.join(", ")})`,
  );
  const lock = relative(r.dest, join(r.dest, r.manifest.lock));
  info(`Restore without network: cd ${r.dest} && ivpm update --lock-file ${lock}`);
}
