/**
 * Per-package status of a workspace: for git packages branch/tag/commit,
 * changes and upstream distance; for everything, whether it matches the lock.
 * Runs git per package in parallel.
 *
 * @module
 */

import { join, resolve } from "node:path";
import { loadProject } from "../config/load.ts";
import { IvpmError } from "../errors.ts";
import { workingStatus } from "../git/inspect.ts";
import { LOCK_FILE, readLock } from "../lock/lock_file.ts";
import { lstatOrUndefined } from "../util/fs.ts";
import { mapPool } from "../util/pool.ts";

/** One package's status. */
export interface PackageStatusInfo {
  name: string;
  src: string;
  vcs: "git" | "none";
  present: boolean;
  branch?: string;
  tag?: string;
  commit?: string;
  modified?: number;
  untracked?: number;
  dirty?: boolean;
  ahead?: number;
  behind?: number;
  version?: string;
  /** HEAD (or presence) matches what the lock recorded. */
  matchesLock: boolean;
  error?: string;
}

/** Status of every package in the lock of the project at `projectDir`. */
export async function workspaceStatus(projectDir: string, jobs = 8): Promise<PackageStatusInfo[]> {
  const config = loadProject(resolve(projectDir));
  const depsDir = join(config.dir, config.depsDir);
  const read = await readLock(join(depsDir, LOCK_FILE));
  if (!read) {
    throw new IvpmError(`${LOCK_FILE} not found in ${depsDir}`, { hint: "run 'ivpm update' first" });
  }
  const entries = Object.entries(read.lock.packages).sort(([a], [b]) => a.localeCompare(b));
  return await mapPool(entries, jobs, async ([name, entry]) => {
    const path = join(depsDir, name);
    const st = await lstatOrUndefined(path);
    const info: PackageStatusInfo = { name, src: entry.src, vcs: "none", present: !!st, matchesLock: !!st };
    const version = entry.version_resolved ?? entry.version_requested;
    if (typeof version === "string") info.version = version;
    if (entry.src !== "git") {
      // Virtual packages have no directory; they match by definition.
      if (["pypi", "npm", "package.json", "pyproject.toml", "ivpm.yaml", "module"].includes(entry.src)) {
        info.matchesLock = true;
      }
      return info;
    }
    info.vcs = "git";
    if (!st || !(await lstatOrUndefined(join(path, ".git")))) {
      info.matchesLock = false;
      info.error = st ? "not a git repository" : "not fetched";
      return info;
    }
    try {
      const w = await workingStatus(path);
      Object.assign(info, {
        branch: w.branch,
        tag: w.tag,
        commit: w.commit,
        modified: w.modified,
        untracked: w.untracked,
        dirty: w.modified > 0,
        ahead: w.ahead,
        behind: w.behind,
      });
      info.matchesLock = w.commit === entry.commit_resolved;
    } catch (e) {
      info.error = e instanceof Error ? e.message : String(e);
      info.matchesLock = false;
    }
    return info;
  });
}
