/**
 * `ivpm destroy`: handlers' `onDestroy` in reverse DAG order, then removal of
 * exactly what `update` created (the packages in the lock, the lock, the
 * state file). Never touches files it did not create; a git package holding
 * unsaved work is kept unless forced.
 *
 * @module
 */

import { join, resolve } from "node:path";
import { loadProject } from "../config/load.ts";
import { registries, schemaInputs } from "../registries.ts";
import { HandlerEngine } from "../handlers/engine.ts";
import { activeHandlerRegistry } from "../handlers/active.ts";
import type { HandlerRegistry } from "../handlers/registry.ts";
import { LOCK_FILE, readLock } from "../lock/lock_file.ts";
import { unsavedWork } from "../sources/git.ts";
import { lstatOrUndefined, removeTree } from "../util/fs.ts";
import { STAGING_DIR } from "./place.ts";
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
  const result: DestroyResult = { handlers: await engine.destroy(dryRun), removed: [], kept: [] };
  const lock = (await readLock(join(depsDir, LOCK_FILE)))?.lock;
  for (const name of Object.keys(lock?.packages ?? {}).sort()) {
    const path = join(depsDir, name);
    if (!(await lstatOrUndefined(path))) continue;
    const lost = opts.force ? undefined : await unsavedWork(path).catch(() => undefined);
    if (lost) {
      result.kept.push({ path, reason: lost });
      warn(`keeping ${path}: it has ${lost} (use --force to delete it anyway)`);
      continue;
    }
    if (!dryRun) await removeTree(path); // a symlink is unlinked, never followed
    result.removed.push(path);
  }
  for (const f of [LOCK_FILE, STATE_FILE, ".ivpm.lock", STAGING_DIR, ".ivpm-sources", ".fusesoc-index"]) {
    const path = join(depsDir, f);
    if (!(await lstatOrUndefined(path))) continue;
    if (!dryRun) await removeTree(path);
    result.removed.push(path);
  }
  if (!dryRun && !result.kept.length) {
    // The deps dir itself goes only when nothing else (of the user's) is left in it.
    const left = await lstatOrUndefined(depsDir) ? await Array.fromAsync(Deno.readDir(depsDir)) : [];
    if (!left.length && await lstatOrUndefined(depsDir)) {
      await Deno.remove(depsDir);
      result.removed.push(depsDir);
    }
  }
  return result;
}
