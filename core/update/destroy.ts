/**
 * `ivpm destroy`: handlers' `onDestroy` in reverse DAG order, then removal of
 * exactly what `update` created (the packages in the lock, the lock, the
 * state file). Never touches files it did not create; a package holding local
 * work (see local_work.ts) is kept unless forced, and then the lock and
 * `ivpm.json` stay too, so a later `destroy --force` still knows what is ivpm's.
 * Runs under the project lock `update` takes: never beside a running update.
 *
 * @module
 */

import { IVPM_DIR } from "../engine/write_policy.ts";
import { join, resolve } from "node:path";
import { loadProject } from "../config/load.ts";
import { registries, schemaInputs } from "../plugin_host/registries.ts";
import { HandlerEngine } from "../engine/engine.ts";
import { activeHandlerRegistry } from "../plugin_host/active.ts";
import type { HandlerRegistry } from "../engine/registry.ts";
import { acquireLock, describeHolder, type FileLock, LockBusyError } from "../fetch/cache/file_lock.ts";
import { IvpmError } from "../base/errors.ts";
import { LOCK_FILE, readLock, removeStaleTemps } from "./lock/lock_file.ts";
import { lstatOrUndefined, removeTree } from "../util/fs.ts";
import { discardMessage, findLocalWork, keptMessage, packageLabel } from "./local_work.ts";
import { STAGING_DIR } from "./place.ts";
import { PLACED_DIR } from "./placed_journal.ts";
import { EXTRACTED_DIR, saveManifest } from "./extracted_work.ts";
import { readProjectState, STATE_FILE } from "./project_state.ts";

/** Options of {@link runDestroy}. */
export interface DestroyOptions {
  projectDir: string;
  dryRun?: boolean;
  force?: boolean;
  handlers?: HandlerRegistry;
  warn?: (message: string) => void;
}

/** What destroy removed (or would remove). */
export interface DestroyResult {
  handlers: { handler: string; paths: string[] }[];
  removed: string[];
  kept: { path: string; reason: string }[];
}

/** Runs `ivpm destroy`. */
export async function runDestroy(opts: DestroyOptions): Promise<DestroyResult> {
  const warn = opts.warn ?? (() => {});
  const handlers = opts.handlers ?? activeHandlerRegistry();
  const inputs = schemaInputs({ handlers, sources: registries().sources });
  const config = loadProject(resolve(opts.projectDir), { inputs });
  const depsDir = join(config.dir, config.depsDir);
  const dryRun = !!opts.dryRun;
  const projectLock = dryRun ? undefined : await lockForDestroy(depsDir);
  try {
    return await destroyLocked(opts, config, depsDir, warn, handlers, projectLock);
  } finally {
    await projectLock?.release();
  }
}

/** The project lock, or a clear error when an update (or another destroy) holds it. */
async function lockForDestroy(depsDir: string): Promise<FileLock | undefined> {
  if (!(await lstatOrUndefined(depsDir))) return undefined; // nothing of ivpm's to protect
  try {
    return await acquireLock(join(depsDir, ".ivpm.lock"), { wait: false });
  } catch (e) {
    if (!(e instanceof LockBusyError)) throw e;
    throw new IvpmError(`another ivpm is running in this project (${describeHolder(e.holder)})`, {
      hint: "wait for it to finish, then run 'ivpm destroy' again",
      cause: e,
    });
  }
}

async function destroyLocked(
  opts: DestroyOptions,
  config: ReturnType<typeof loadProject>,
  depsDir: string,
  warn: (message: string) => void,
  handlers: HandlerRegistry,
  projectLock: FileLock | undefined,
): Promise<DestroyResult> {
  const state = await readProjectState(depsDir);
  const engine = new HandlerEngine({
    registry: handlers,
    projectDir: config.dir,
    depsDir,
    withConfig: config.with,
    state: state.handlers,
    jobs: 1,
    warn,
  });
  const dryRun = !!opts.dryRun;
  // Decide everything first: what is kept decides whether the lock and ivpm.json may go.
  const lock = (await readLock(join(depsDir, LOCK_FILE)))?.lock;
  const doomed: { path: string; lost: string[] }[] = [];
  const kept: DestroyResult["kept"] = [];
  for (const name of Object.keys(lock?.packages ?? {}).sort()) {
    const path = join(depsDir, name);
    if (!(await lstatOrUndefined(path))) continue;
    const lost = await findLocalWork(path, { previous: lock!.packages[name], depsDir });
    const label = packageLabel(path, config.dir);
    if (lost.length && !opts.force) {
      kept.push({ path, reason: lost.join(", ") });
      warn(keptMessage(label, lost));
    } else doomed.push({ path, lost });
  }
  const result: DestroyResult = { handlers: await engine.destroy(dryRun), removed: [], kept };
  for (const { path, lost } of doomed) {
    if (lost.length) warn(discardMessage(packageLabel(path, config.dir), lost));
    if (!dryRun) await removeTree(path); // a symlink is unlinked, never followed
    if (!dryRun) await saveManifest(depsDir, path, undefined);
    result.removed.push(path);
  }
  // With a package kept, its lock entry, the state and the manifests of unpacked packages stay:
  // `destroy --force` needs them later.
  const records = kept.length ? [] : [LOCK_FILE, STATE_FILE, EXTRACTED_DIR];
  for (const f of [...records, STAGING_DIR, PLACED_DIR, ".ivpm-sources", ".fusesoc-index", IVPM_DIR]) {
    const path = join(depsDir, f);
    if (!(await lstatOrUndefined(path))) continue;
    if (!dryRun) await removeTree(path);
    result.removed.push(path);
  }
  if (!dryRun) await removeStaleTemps(depsDir);
  const lockPath = join(depsDir, ".ivpm.lock");
  if (!kept.length && await lstatOrUndefined(lockPath)) {
    // Last of ivpm's files: an update waiting on it notices the removal and starts afresh.
    if (!dryRun) await projectLock?.release({ remove: true });
    result.removed.push(lockPath);
  }
  if (!dryRun && !kept.length && await lstatOrUndefined(depsDir)) {
    // The deps dir itself goes only when nothing else (of the user's) is left in it.
    if (!(await Array.fromAsync(Deno.readDir(depsDir))).length) {
      await Deno.remove(depsDir).catch(() => {}); // not empty: an update has just started in it
      if (!(await lstatOrUndefined(depsDir))) result.removed.push(depsDir);
    }
  }
  return result;
}
