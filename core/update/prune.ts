/**
 * Update step 7: packages of the previous lock that are no longer declared, and `--prune` removing
 * them from packages/ — never one holding local work unless `--force` (which names what it discards).
 *
 * @module
 */

import { join } from "node:path";
import type { LockEntry } from "./lock/lock_file.ts";
import type { Diagnostic } from "../base/diagnostics.ts";
import { lstatOrUndefined, removeTree } from "../util/fs.ts";
import { discardMessage, findLocalWork, keptMessage, packageLabel } from "./local_work.ts";

/** Names in the previous lock that this run's lock does not have. */
export function removedPackages(
  old: Record<string, LockEntry> | undefined,
  packages: Record<string, LockEntry>,
): string[] {
  return Object.keys(old ?? {}).filter((n) => !packages[n]);
}

/** Removes the dropped packages still on disk; returns the names removed. */
export async function prunePackages(args: {
  removed: string[];
  old: Record<string, LockEntry> | undefined;
  projectDir: string;
  depsDir: string;
  force?: boolean;
  signal?: AbortSignal;
  report: (d: Diagnostic) => void;
}): Promise<string[]> {
  const pruned: string[] = [];
  for (const name of args.removed) {
    const path = join(args.depsDir, name);
    if (!(await lstatOrUndefined(path))) continue;
    const lost = await findLocalWork(path, {
      previous: args.old?.[name],
      depsDir: args.depsDir,
      signal: args.signal,
    });
    const label = packageLabel(path, args.projectDir);
    if (lost.length) {
      args.report({ severity: "warning", message: (args.force ? discardMessage : keptMessage)(label, lost) });
      if (!args.force) continue;
    }
    await removeTree(path);
    pruned.push(name);
  }
  return pruned;
}
