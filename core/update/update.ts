/**
 * `ivpm update`: config → resolved graph → fetch (parallel, staged) → lock.
 *
 * Crash safety: the project is locked for the duration (a second update waits);
 * every fetch happens in `packages/.ivpm-staging/` and is renamed into place when
 * complete; the lock and `ivpm.json` are written atomically at the end. A run
 * killed at any point leaves the old lock and complete package directories, and
 * the next update re-fetches exactly what does not match the lock.
 *
 * The run is a sequence of steps, each in its own file: load config (`load_update_config.ts`) →
 * choose the dep-set (`choose_dep_set.ts`) → land every package (`fetch_graph.ts`, `land.ts`: dep-set
 * factories, deps-source reuse, fetch and place, status and sub-config) → root handlers → prune
 * (`prune.ts`) → lock and state (`write_lock.ts`).
 *
 * @module
 */

import { join } from "node:path";
import { acquireLock, describeHolder, type FileLock, type LockHolder } from "../fetch/cache/file_lock.ts";
import { PackageCache } from "../fetch/cache/store.ts";
import { registries } from "../plugin_host/registries.ts";
import { LOCK_FILE, lockMismatchMessage, readLock, removeStaleTemps } from "./lock/lock_file.ts";
import { removeTree } from "../util/fs.ts";
import { openDepsSources } from "./deps_source.ts";
import { credentialLookup } from "../plugin_host/credentials.ts";
import { STAGING_DIR } from "./place.ts";
import { hashOf, KnownPackages } from "./known_packages.ts";
import { chooseRootDeps } from "./choose_dep_set.ts";
import { createUpdateEngine, type LoadedProject, loadUpdateConfig } from "./load_update_config.ts";
import { withBaseEnv } from "../fetch/git/run.ts";
import type { LandContext } from "./land.ts";
import { fetchGraph } from "./fetch_graph.ts";
import { settleCache } from "./cache_notice.ts";
import { packageView } from "./package_views.ts";
import { prunePackages, removedPackages } from "./prune.ts";
import { lockEntries, writeLockAndState } from "./write_lock.ts";
import type { UpdateOptions, UpdateResult } from "./update_types.ts";

export type { Landed, PackageStatus, UpdateOptions, UpdateReporter, UpdateResult } from "./update_types.ts";
export { chooseDepSet } from "./choose_dep_set.ts";
export { packageView } from "./package_views.ts";

/** Runs an update. Throws {@link IvpmError}s for user-facing failures. */
export async function runUpdate(opts: UpdateOptions): Promise<UpdateResult> {
  const loaded = await loadUpdateConfig(opts);
  // Every git command of the run (fetch, deps-source worktrees, prune checks) runs in the update's environment.
  return await withBaseEnv(loaded.env, () => runLoaded(loaded, opts));
}

async function runLoaded(loaded: LoadedProject, opts: UpdateOptions): Promise<UpdateResult> {
  const { projectDir, sources, config, report, note, state, depsDir } = loaded;
  const engine = createUpdateEngine(loaded, opts);
  await Deno.mkdir(depsDir, { recursive: true });
  const timings = opts.timings;
  if (timings) timings.rootConfigReused = loaded.rootReused;
  timings?.mark("config load", `ivpm.yaml ${loaded.rootReused ? "remembered" : "parsed"}`);

  const projectLock = await lockProject(join(depsDir, ".ivpm.lock"), opts.signal, (h) =>
    report({
      severity: "warning",
      message: `another ivpm update is running in this project (${
        describeHolder(h)
      }); waiting for it to finish`,
    }));
  try {
    // Leftovers of a killed run are never in use once we hold the project lock.
    await removeTree(join(depsDir, STAGING_DIR));
    await removeStaleTemps(depsDir);
    const oldRead = await readLock(join(depsDir, LOCK_FILE));
    const oldLock = oldRead?.lock;
    if (oldRead?.checksumMismatch) report({ severity: "warning", message: lockMismatchMessage(depsDir) });
    const { depSet, rootDeps, nonReproducible, lockedBy } = await chooseRootDeps({
      config,
      sources,
      depSetFlag: opts.depSet,
      lockFile: opts.lockFile,
      persisted: typeof state["dep-set"] === "string" ? state["dep-set"] : null,
      note,
    });
    const depsSources = opts.lockFile ? undefined : await openDepsSources({
      dirs: opts.depsSource,
      trust: opts.trustDepsSource,
      mode: opts.depsSourceMode,
      noWorktree: opts.noWorktreeDepsSource,
      projectDir,
      depsDirName: config.depsDir,
      env: loaded.env,
      note,
    });
    // Leaf workers start only once some package needs leaf work (a no-op update starts none).
    await engine.preLoad();
    // What the previous run learnt about each package, valid while ivpm, its handlers and their config
    // are the same.
    const knownPackages = new KnownPackages(
      state.packages,
      hashOf({ inputsHash: loaded.inputsHash, leaf: engine.leafFingerprint() }),
    );
    timings?.mark("prepare");
    const ctx: LandContext = {
      opts,
      projectDir,
      depsDir,
      depsDirName: config.depsDir,
      sources,
      inputs: loaded.inputs,
      engine,
      oldLock,
      lockedBy,
      depsSources,
      env: loaded.env,
      knownPackages,
      cache: opts.cacheDir ? new PackageCache(opts.cacheDir) : null,
      timings,
      credentials: credentialLookup(registries().credentialProviders),
      leafPre: engine.hasLeaf("pre"),
      leafPost: engine.hasLeaf("post"),
      leafWork: [],
      // A fatal leaf error stops further fetches as soon as it happens.
      leafAbort: new AbortController(),
      factories: {},
      report,
      note,
      counters: { seq: 0, leafPackages: 0, cacheUsed: false },
    };
    const graph = await fetchGraph(ctx, {
      rootName: config.name,
      rootDeps,
      jobs: opts.jobs ?? navigator.hardwareConcurrency ?? 4,
      env: loaded.env,
    });
    await settleCache({
      cache: ctx.cache,
      cacheUsed: ctx.counters.cacheUsed,
      depsDir,
      packages: graph.packages,
      sources,
      report,
    });
    const views = graph.packages.map((p) => packageView(p, depsDir, !!sources.get(p.dep.src)?.virtual));
    const handlersRun = await engine.root(views);
    timings?.mark("root handlers", handlersRun.join(", ") || "none ran");

    const packages = lockEntries(graph, sources);
    const removed = removedPackages(oldLock?.packages, packages);
    const pruned = opts.prune
      ? await prunePackages({
        removed,
        old: oldLock?.packages,
        projectDir,
        depsDir,
        force: opts.force,
        signal: opts.signal,
        report,
      })
      : [];
    const lock = await writeLockAndState({
      depsDir,
      packages,
      factories: ctx.factories,
      engine,
      removed,
      pruned,
      graph,
      depSet,
      config,
      remember: loaded.remember,
      knownPackages,
    });
    timings?.mark("lock + state");
    return { config, depsDir, depSet, graph, lock, removed, pruned, nonReproducible, handlersRun };
  } finally {
    engine.close();
    await removeTree(join(depsDir, STAGING_DIR)).catch(() => {});
    await projectLock.release();
  }
}

/** Takes the per-project update lock, waiting for another update; an abort (Ctrl-C) stops the wait. */
async function lockProject(
  path: string,
  signal: AbortSignal | undefined,
  onWait: (holder: LockHolder | null) => void,
): Promise<FileLock> {
  signal?.throwIfAborted();
  const pending = acquireLock(path, { wait: true, onWait });
  if (!signal) return await pending;
  let onAbort = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    return await Promise.race([pending, aborted]);
  } catch (e) {
    // The wait goes on in the background: give the lock back as soon as it comes.
    pending.then((l) => l.release(), () => {});
    throw e;
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}
