/**
 * `ivpm update`: config → resolved graph → fetch (parallel, staged) → lock.
 *
 * Crash safety: the project is locked for the duration (a second update waits);
 * every fetch happens in `packages/.ivpm-staging/` and is renamed into place when
 * complete; the lock and `ivpm.json` are written atomically at the end. A run
 * killed at any point leaves the old lock and complete package directories, and
 * the next update re-fetches exactly what does not match the lock.
 *
 * @module
 */

import { join, resolve } from "node:path";
import { acquireLock, describeHolder, type FileLock, type LockHolder } from "../fetch/cache/file_lock.ts";
import { PackageCache } from "../fetch/cache/store.ts";
import { loadConfigFile, peekDepsDir } from "../config/load.ts";
import type { SchemaInputs } from "../config/ivpm_schema.ts";
import { registries, schemaInputs } from "../plugin_host/registries.ts";
import type { DependencySpec, ProjectConfig } from "../config/model.ts";
import { IvpmError } from "../base/errors.ts";
import {
  LOCK_FILE,
  type LockEntry,
  type LockFile,
  lockMismatchMessage,
  makeLock,
  readLock,
  removeStaleTemps,
  writeLockIfChanged,
} from "./lock/lock_file.ts";
import type { SourceRegistry } from "../fetch/sources/registry.ts";
import { HandlerEngine } from "../engine/engine.ts";
import { activeHandlerRegistry } from "../plugin_host/active.ts";
import type { HandlerRegistry } from "../engine/registry.ts";
import type { HandlerEvent } from "../plugin_api/events.ts";
import type { PackageView } from "../plugin_api/package_view.ts";
import { discardMessage, findLocalWork, keptMessage, LocalWorkError, packageLabel } from "./local_work.ts";
import { markPlaced, settlePlaced } from "./placed_journal.ts";
import { withGitEnv } from "../fetch/git/run.ts";
import {
  type HttpSettings,
  httpSettingsFromEnv,
  type HttpWait,
  withHttpSettings,
} from "../fetch/net/http_settings.ts";
import { loadFactory } from "../fetch/sources/ivpm_yaml.ts";
import type { FetchOutcome } from "../fetch/sources/types.ts";
import type { Diagnostic } from "../base/diagnostics.ts";
import { closestMatch } from "../util/suggest.ts";
import { copyTree, lstatOrUndefined, removeTree } from "../util/fs.ts";
import { openDepsSources } from "./deps_source.ts";
import { credentialLookup } from "../plugin_host/credentials.ts";
import { place, STAGING_DIR } from "./place.ts";
import { readProjectState, writeProjectState } from "./project_state.ts";
import { fileStamp, hashOf, KnownPackages, leafKey, type LeafOutcome } from "./known_packages.ts";
import type { UpdateTimings } from "./timings.ts";
import type { LeafTally } from "../engine/engine.ts";
import { versionText } from "../base/version.ts";
import { loadRootConfig } from "./root_config.ts";
import { type ResolvedGraph, type ResolvedPackage, resolveGraph, UpdateFailed } from "./resolver.ts";

/** How a package ended up. */
export type PackageStatus = "fetched" | "updated" | "up-to-date" | "virtual";

/** Per-package result kept on the resolved graph. */
export interface Landed {
  entry: LockEntry;
  status: PackageStatus;
  version?: string;
  cacheHit?: boolean;
  /** Reused from a deps-source (a parent deps dir or the main worktree): nothing was fetched. */
  reused?: boolean;
  ms: number;
}

/** Receives progress; the CLI prints it, tests may record it. */
export interface UpdateReporter {
  start?(pkg: ResolvedPackage): void;
  done?(pkg: ResolvedPackage, landed: Landed): void;
  failed?(pkg: ResolvedPackage, error: unknown): void;
  diagnostic?(d: Diagnostic): void;
  /** Handler task progress (start/progress/end/error, nested). */
  handlerEvent?(e: HandlerEvent): void;
  /** Bytes of a download so far (sources report it as they fetch). */
  transfer?(pkg: ResolvedPackage, p: { bytes: number; total?: number }): void;
  /** An HTTP transfer of the package has had no data for a while (undefined: data flows again). */
  httpWait?(pkg: ResolvedPackage, wait: HttpWait | undefined): void;
}

/** Options of {@link runUpdate}. */
export interface UpdateOptions {
  projectDir: string;
  depSet?: string;
  definitions?: Record<string, string>;
  jobs?: number;
  anonymousGit?: boolean;
  refresh?: boolean;
  force?: boolean;
  prune?: boolean;
  /** Reproduce this lock file instead of resolving ivpm.yaml's dep-sets. */
  lockFile?: string;
  /** Cache root (null = caching disabled). */
  cacheDir: string | null;
  signal?: AbortSignal;
  reporter?: UpdateReporter;
  sources?: SourceRegistry;
  /** Handlers to run (default: the built-ins). */
  handlers?: HandlerRegistry;
  /** Parsed values of handler-added CLI options, by handler name. */
  handlerArgs?: Record<string, Record<string, unknown>>;
  /** Per-package limit for leaf callbacks (default 10 min). */
  leafTimeoutMs?: number;
  /** Limit of one root callback of a plugin (default 30 min). */
  rootTimeoutMs?: number;
  /** Parent deps dirs to reuse packages from (`--deps-source`; else `IVPM_DEPS_SOURCE`; else the main worktree's). */
  depsSource?: string[];
  trustDepsSource?: boolean;
  depsSourceMode?: "link" | "copy";
  noWorktreeDepsSource?: boolean;
  /** Settings of the active site config (offered to handlers). */
  site?: import("../plugin_api/site_config.ts").SiteSettings;
  env?: Record<string, string>;
  /** Receives the phases of the run (`--timings`). */
  timings?: UpdateTimings;
}

/** What an update did. */
export interface UpdateResult {
  config: ProjectConfig;
  depsDir: string;
  depSet: string | null;
  graph: ResolvedGraph;
  lock: LockFile;
  /** Packages in the previous lock that are no longer declared. */
  removed: string[];
  pruned: string[];
  nonReproducible: string[];
  /** Handlers whose root callbacks ran, in DAG order. */
  handlersRun: string[];
}

/** Chooses the root dep-set: `-d` > persisted > `default-dep-set` > first. */
export function chooseDepSet(config: ProjectConfig, flag?: string, persisted?: string | null): string | null {
  const names = config.depSets.map((d) => d.name);
  const pick = flag ?? (persisted && names.includes(persisted) ? persisted : undefined) ??
    config.defaultDepSet ??
    names[0];
  if (pick === undefined) return null;
  if (!names.includes(pick)) {
    const m = closestMatch(pick, names);
    throw new IvpmError(
      `dep-set '${pick}' is not defined in ${config.file}${m ? `; did you mean '${m}'?` : ""}`,
      {
        hint: `dep-sets: ${names.join(", ") || "none"}`,
      },
    );
  }
  return pick;
}

function specEqual(spec: Record<string, unknown>, entry: Record<string, unknown>): boolean {
  for (const [k, v] of Object.entries(spec)) {
    if (JSON.stringify(v ?? null) !== JSON.stringify(entry[k] ?? null)) return false;
  }
  return true;
}

/** Runs an update. Throws {@link IvpmError}s for user-facing failures. */
export async function runUpdate(opts: UpdateOptions): Promise<UpdateResult> {
  const projectDir = resolve(opts.projectDir);
  const sources = opts.sources ?? registries().sources;
  const report = (d: Diagnostic) => opts.reporter?.diagnostic?.(d);
  const note = (message: string) => report({ severity: "note", message });
  const env = opts.env ?? Deno.env.toObject();

  const depsDir = join(projectDir, peekDepsDir(projectDir));
  const state = await readProjectState(depsDir, (m) => report({ severity: "warning", message: m }));
  const handlers = opts.handlers ?? activeHandlerRegistry();
  const inputs = schemaInputs({ handlers, sources });
  // The registered sources, types and handler options decide how an ivpm.yaml parses.
  const inputsHash = hashOf({ ivpm: versionText(), inputs });
  const { config, remember, reused: rootReused } = loadRootConfig(
    projectDir,
    { definitions: opts.definitions, env, persisted: state.vars, inputs },
    inputsHash,
    state.root,
  );
  config.warnings.forEach(report);
  const realDepsDir = join(projectDir, config.depsDir);
  // The DAG is computed (and a cycle reported) before anything is fetched or any handler runs.
  const engine = new HandlerEngine({
    registry: handlers,
    projectDir,
    depsDir: realDepsDir,
    withConfig: config.with,
    args: opts.handlerArgs,
    state: state.handlers,
    jobs: opts.jobs ?? navigator.hardwareConcurrency ?? 4,
    cacheDir: opts.cacheDir,
    emit: opts.reporter?.handlerEvent,
    warn: (message) => report({ severity: "warning", message }),
    note: (message) => report({ severity: "note", message }),
    leafTimeoutMs: opts.leafTimeoutMs,
    rootTimeoutMs: opts.rootTimeoutMs,
    signal: opts.signal,
    site: opts.site,
  });
  await Deno.mkdir(realDepsDir, { recursive: true });
  const timings = opts.timings;
  if (timings) timings.rootConfigReused = rootReused;
  timings?.mark("config load", `ivpm.yaml ${rootReused ? "remembered" : "parsed"}`);

  const projectLock = await lockProject(join(realDepsDir, ".ivpm.lock"), opts.signal, (h) =>
    report({
      severity: "warning",
      message: `another ivpm update is running in this project (${
        describeHolder(h)
      }); waiting for it to finish`,
    }));
  try {
    // Leftovers of a killed run are never in use once we hold the project lock.
    await removeTree(join(realDepsDir, STAGING_DIR));
    await removeStaleTemps(realDepsDir);
    const oldRead = await readLock(join(realDepsDir, LOCK_FILE));
    const oldLock = oldRead?.lock;
    if (oldRead?.checksumMismatch) report({ severity: "warning", message: lockMismatchMessage(realDepsDir) });
    const persistedDepSet = typeof state["dep-set"] === "string" ? state["dep-set"] : null;
    let depSet: string | null;
    let rootDeps: DependencySpec[];
    const nonReproducible: string[] = [];
    const lockedBy = new Map<string, string>();
    if (opts.lockFile) {
      ({ depSet, rootDeps } = await depsFromLock(opts.lockFile, sources, nonReproducible, lockedBy));
    } else {
      depSet = chooseDepSet(config, opts.depSet, persistedDepSet);
      if (persistedDepSet && depSet && persistedDepSet !== depSet && opts.depSet) {
        note(`switching dep-set from '${persistedDepSet}' to '${depSet}'`);
      }
      rootDeps = depSet ? config.depSets.find((d) => d.name === depSet)!.deps : [];
      if (!depSet) note("no dep-sets defined; nothing to fetch");
    }

    const depsSources = opts.lockFile ? undefined : await openDepsSources({
      dirs: opts.depsSource,
      trust: opts.trustDepsSource,
      mode: opts.depsSourceMode,
      noWorktree: opts.noWorktreeDepsSource,
      projectDir,
      depsDirName: config.depsDir,
      env,
      note,
    });
    // Leaf workers start only once some package needs leaf work (a no-op update starts none).
    await engine.preLoad();
    // What the previous run learnt about each package, valid while ivpm, its handlers and their config
    // are the same.
    const knownPackages = new KnownPackages(
      state.packages,
      hashOf({ inputsHash, leaf: engine.leafFingerprint() }),
    );
    timings?.mark("prepare");
    const cache = opts.cacheDir ? new PackageCache(opts.cacheDir) : null;
    let cacheUsed = false;
    const leafPre = engine.hasLeaf("pre"), leafPost = engine.hasLeaf("post");
    const leafWork: Promise<void>[] = [];
    const credentials = credentialLookup(registries().credentialProviders);
    // A fatal leaf error stops further fetches as soon as it happens.
    const leafAbort = new AbortController();
    const factories: Record<string, Record<string, unknown>> = {};
    let seq = 0;
    let leafPackages = 0;

    const land = async (pkg: ResolvedPackage) => {
      const dep = pkg.dep;
      const source = sources.get(dep.src);
      if (!source) throw new IvpmError(`package '${dep.name}': unknown source type '${dep.src}'`);
      const started = performance.now();
      opts.reporter?.start?.(pkg);
      const base: LockEntry = {
        src: dep.src,
        resolved_by: lockedBy.get(dep.name) ?? pkg.resolvedBy,
        dep_set: dep.depSet ?? null,
        reproducible: source.reproducible,
        ...(pkg.fromIvpmSource ? { from_ivpm_source: pkg.fromIvpmSource } : {}),
      };
      const spec = source.spec(dep);
      const finish = (landed: Landed) => {
        opts.reporter?.done?.(pkg, landed);
        return landed;
      };
      if (dep.src === "ivpm.yaml") {
        const f = await loadFactory(dep, realDepsDir, opts.signal, inputs);
        factories[dep.url!] = {
          src: "ivpm.yaml",
          dep_set: dep.depSet,
          fingerprint: f.fingerprint,
          reproducible: true,
          virtual: true,
        };
        const landed = finish({
          entry: { ...base, ...spec },
          status: "virtual",
          ms: performance.now() - started,
        });
        return { supplied: { deps: f.deps, source: f.source }, data: landed };
      }
      const finalPath = join(realDepsDir, dep.name);
      const virtual = !!source.virtual;
      const prev = oldLock?.packages?.[dep.name];
      const exists = !!(await lstatOrUndefined(finalPath));
      const upToDate = !opts.refresh && !opts.force && prev && prev.src === dep.src &&
        specEqual(spec, prev) &&
        (exists || source.virtual);
      const reusable = knownPackages.reusable(dep.src);
      // An unchanged package: its ivpm.yaml and leaf results may come from the previous run.
      let known:
        | { entryHash: string; dirStamp: string; config?: ProjectConfig; key: string; leaf?: LeafOutcome }
        | undefined;
      if (upToDate && reusable) {
        const entryHash = hashOf({ ...prev, ...base, ...spec });
        const dirStamp = fileStamp(finalPath);
        const probe = knownPackages.config(dep.name, entryHash, finalPath, dirStamp);
        if (probe.hit && timings) timings.configsReused++;
        const config = probe.hit ? probe.config : await subConfig(finalPath, dep, virtual, inputs, timings);
        const key = leafKey(startView(pkg, realDepsDir, virtual, config), dirStamp);
        known = { entryHash, dirStamp, config, key, leaf: knownPackages.leaf(dep.name, entryHash, key) };
      }
      if (known?.leaf) {
        // Nothing changed since the previous run: its results stand (no parse, no leaf callback, no git).
        pkg.config = known.config;
        pkg.pkgType = known.leaf.pkgType;
        pkg.typeData = known.leaf.typeData;
        engine.replay(pkg.name, pkg.order, known.leaf.records);
        knownPackages.carry(dep.name);
        if (timings) timings.leafReused++;
        const landed = finish({
          entry: { ...prev, ...base, ...spec },
          status: virtual ? "virtual" : "up-to-date",
          ms: 0,
          version: versionOf(prev!),
        });
        return { config: known.config, data: landed };
      }
      // Leaf work is certain now: start a worker per package needing it (up to the pool's size), so its
      // start-up overlaps with the fetch.
      if (leafPre || leafPost) engine.prewarm(++leafPackages);
      const tally: LeafTally = { records: {}, clean: true };
      if (leafPre) {
        applyView(pkg, await engine.leaf("pre", packageView(pkg, realDepsDir, virtual), pkg.order, tally));
      }
      let landed: Landed;
      let hit: { path: string; entry?: LockEntry } | undefined;
      if (upToDate) {
        // Nothing changed: no network, no git call — the lock is the record.
        landed = {
          entry: { ...prev, ...base, ...spec },
          status: source.virtual ? "virtual" : "up-to-date",
          ms: 0,
          version: versionOf(prev),
        };
      } else if (
        // Only fetched kinds are reused: a dir/file package names a path of *this* project.
        depsSources && ["git", "http", "gh-rls"].includes(dep.src) && !exists &&
        (hit = await depsSources.match(dep.name, dep.src, spec))
      ) {
        // Reused from a parent deps dir (or the main worktree): linked or copied, nothing fetched.
        const workDir = join(realDepsDir, STAGING_DIR, `${dep.name.replaceAll("/", "_")}-${++seq}`);
        await Deno.mkdir(workDir, { recursive: true });
        try {
          if (depsSources.mode === "copy") {
            await copyTree(hit.path, join(workDir, "copy"));
            await place(
              { placement: { kind: "path", staged: join(workDir, "copy") }, lock: {} },
              finalPath,
              workDir,
              { projectDir, depsDir: realDepsDir },
            );
          } else {
            await place({ placement: { kind: "link", target: hit.path }, lock: {} }, finalPath, workDir);
          }
        } finally {
          await removeTree(workDir).catch(() => {});
        }
        note(`deps-source hit for ${dep.name} (${hit.path})`);
        landed = {
          entry: { ...(hit.entry ?? {}), ...base, ...spec, from_deps_source: hit.path },
          status: "fetched",
          reused: true,
          version: hit.entry ? versionOf(hit.entry) : undefined,
          ms: performance.now() - started,
        };
      } else {
        const workDir = join(realDepsDir, STAGING_DIR, `${dep.name.replaceAll("/", "_")}-${++seq}`);
        await Deno.mkdir(workDir, { recursive: true });
        try {
          // Waits on a silent server show on this package's status line.
          const onWait = (w: HttpWait | undefined) => opts.reporter?.httpWait?.(pkg, w);
          const outcome: FetchOutcome = await withHttpSettings({ onWait }, () =>
            source.fetch(dep, {
              projectDir,
              depsDir: realDepsDir,
              finalPath,
              workDir,
              anonymousGit: !!opts.anonymousGit,
              cache,
              previous: prev,
              refresh: !!opts.refresh || !!opts.force,
              force: !!opts.force,
              signal: opts.signal ?? new AbortController().signal,
              note: (m) => note(m),
              gitAuthOrder: opts.site?.gitAuthOrder,
              credentials,
              progress: (p) => opts.reporter?.transfer?.(pkg, p),
            }));
          opts.signal?.throwIfAborted();
          const warn = (message: string) => report({ severity: "warning", message });
          await place(outcome, finalPath, workDir, {
            projectDir,
            depsDir: realDepsDir,
            previous: prev,
            force: !!opts.force,
            warn,
            signal: opts.signal,
          });
          if (outcome.placement.kind === "link" && cache && outcome.placement.target.startsWith(cache.root)) {
            cacheUsed = true;
          }
          if (outcome.placement.kind === "kept" && dep.src === "url" && !exists) {
            report({
              severity: "warning",
              message:
                `package '${dep.name}' (src: url) is not present in ${config.depsDir}/; nothing was fetched`,
              loc: dep.loc,
            });
          }
          landed = {
            entry: { ...base, ...spec, ...outcome.lock },
            status: source.virtual ? "virtual" : outcome.placement.kind === "kept"
              // Kept in place, but a fast-forward may still have moved it.
              ? (prev && !specEqual(outcome.lock, prev) ? "updated" : "up-to-date")
              : exists
              ? "updated"
              : "fetched",
            version: outcome.version,
            cacheHit: outcome.cacheHit,
            ms: performance.now() - started,
          };
        } catch (e) {
          // A package holding local work stays as the lock records it; the rest of the update goes on.
          if (!(e instanceof LocalWorkError) || !prev) throw e;
          report({ severity: "warning", message: keptMessage(packageLabel(finalPath, projectDir), e.lost) });
          landed = { entry: { ...prev }, status: "up-to-date", version: versionOf(prev), ms: 0 };
        } finally {
          await removeTree(workDir).catch(() => {});
        }
      }
      const own = known ? known.config : await subConfig(finalPath, dep, virtual, inputs, timings);
      // Kept for the next run; the key is taken before any leaf callback could touch the package.
      const dirStamp = reusable ? known?.dirStamp ?? fileStamp(finalPath) : "";
      const keep = reusable
        ? {
          entryHash: known?.entryHash ?? hashOf(landed.entry),
          key: known?.key ?? leafKey(startView(pkg, realDepsDir, virtual, own), dirStamp),
        }
        : undefined;
      pkg.config = own;
      mergeSelfTypes(pkg, own);
      // Leaf results are kept only when no handler warned (its warning must show on the next run too).
      const kept = () => {
        if (!keep) return;
        const leaf = tally.clean
          ? { key: keep.key, records: tally.records, pkgType: pkg.pkgType, typeData: pkg.typeData ?? [] }
          : undefined;
        knownPackages.keep(dep.name, keep.entryHash, finalPath, dirStamp, own, leaf);
      };
      if ((leafPre || leafPost) && timings) timings.leafRan++;
      if (leafPost) {
        // Leaf work runs beside further fetches: it does not hold a fetch slot, and a package's own
        // dependencies do not wait for it (they come from its ivpm.yaml, not from handlers).
        const p = engine.leaf("post", packageView(pkg, realDepsDir, virtual), pkg.order, tally)
          .then((v) => applyView(pkg, v)).then(kept);
        p.catch(() => leafAbort.abort());
        leafWork.push(p);
      } else kept();
      finish(landed);
      return { config: own, data: landed };
    };

    let graph: ResolvedGraph;
    try {
      // The git time limit comes from the update's environment (IVPM_GIT_TIMEOUT), not only the process's.
      const gitSettings: Record<string, string> = env.IVPM_GIT_TIMEOUT === undefined
        ? {}
        : { IVPM_GIT_TIMEOUT: env.IVPM_GIT_TIMEOUT };
      // HTTP limits likewise (IVPM_HTTP_TIMEOUT / IVPM_HTTP_RETRIES, or the CLI flags); retries are reported.
      const httpSettings: HttpSettings = {
        ...httpSettingsFromEnv(env),
        onRetry: (message) => report({ severity: "warning", message }),
      };
      graph = await withGitEnv(gitSettings, () =>
        withHttpSettings(httpSettings, () =>
          resolveGraph({
            rootName: config.name,
            rootDeps,
            land,
            jobs: opts.jobs ?? navigator.hardwareConcurrency ?? 4,
            signal: opts.signal ? AbortSignal.any([opts.signal, leafAbort.signal]) : leafAbort.signal,
            report,
          })));
      timings?.mark("resolve + fetch", fetchDetail(graph.packages, timings));
      await Promise.all(leafWork);
      if (timings) {
        timings.leafWorkers = engine.leafWorkersStarted;
        timings.mark(
          "leaf",
          `callbacks ran on ${timings.leafRan} packages, results of ${timings.leafReused} reused; ` +
            `${timings.leafWorkers} workers`,
        );
      }
    } catch (e) {
      opts.signal?.throwIfAborted();
      // A fatal leaf error aborted the fetches: report the handler's error, not the aborts it caused.
      if (leafAbort.signal.aborted) await Promise.all(leafWork);
      if (e instanceof UpdateFailed) {
        // The error names the first failure; show the others too, once each.
        for (const f of e.failures.slice(1)) {
          report({
            severity: "error",
            message: `failed to update package '${f.name}': ${
              f.error instanceof Error ? f.error.message : f.error
            }`,
          });
        }
      }
      throw e;
    }
    if (cacheUsed && cache) await cache.registerProject(realDepsDir).catch(() => {});
    if (!cache) {
      const uncached = uncachedRequests(graph.packages);
      if (uncached.length) {
        report({
          severity: "warning",
          message: `cache: true is set for ${uncached.join(", ")}, but no package cache is configured; ` +
            "fetched into packages/ instead (to enable it: 'ivpm cache init DIR', then IVPM_CACHE=DIR, " +
            "or a site config's cache directory)",
        });
      }
    }
    const views = graph.packages.map((p) => packageView(p, realDepsDir, !!sources.get(p.dep.src)?.virtual));
    const handlersRun = await engine.root(views);
    timings?.mark("root handlers", handlersRun.join(", ") || "none ran");

    const packages: Record<string, LockEntry> = {};
    for (const p of graph.packages) {
      // A dep-set factory is recorded under ivpm_sources only (as the original's lock does).
      if (p.dep.src !== "ivpm.yaml") packages[p.name] = (p.landed as Landed).entry;
    }
    const removed = Object.keys(oldLock?.packages ?? {}).filter((n) => !packages[n]);
    const pruned: string[] = [];
    if (opts.prune) {
      for (const name of removed) {
        const path = join(realDepsDir, name);
        if (!(await lstatOrUndefined(path))) continue;
        const lost = await findLocalWork(path, {
          previous: oldLock?.packages[name],
          depsDir: realDepsDir,
          signal: opts.signal,
        });
        const label = packageLabel(path, projectDir);
        if (lost.length) {
          report({ severity: "warning", message: (opts.force ? discardMessage : keptMessage)(label, lost) });
          if (!opts.force) continue;
        }
        await removeTree(path);
        pruned.push(name);
      }
    }
    const lock = await writeLockIfChanged(
      realDepsDir,
      makeLock(packages, { ivpm_sources: factories, contributions: await engine.lockEntries() }),
    );
    // Dropped packages left on disk are still ivpm's: a later update may replace them.
    for (const name of removed) {
      if (!pruned.includes(name) && await lstatOrUndefined(join(realDepsDir, name))) {
        await markPlaced(realDepsDir, join(realDepsDir, name));
      }
    }
    await settlePlaced(realDepsDir, Object.keys(packages));
    await writeProjectState(realDepsDir, {
      "dep-set": depSet,
      vars: config.vars,
      handlers: await engine.stateEntries(),
      root: remember,
      packages: knownPackages.state(graph.packages.map((p) => p.name)),
    });
    timings?.mark("lock + state");
    return {
      config,
      depsDir: realDepsDir,
      depSet,
      graph,
      lock,
      removed,
      pruned,
      nonReproducible,
      handlersRun,
    };
  } finally {
    engine.close();
    await removeTree(join(realDepsDir, STAGING_DIR)).catch(() => {});
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

function versionOf(entry: Record<string, unknown>): string | undefined {
  const v = entry.commit_resolved ?? entry.version_resolved;
  return typeof v === "string" ? (entry.commit_resolved ? v.slice(0, 7) : v) : undefined;
}

async function subConfig(
  path: string,
  dep: DependencySpec,
  virtual?: boolean,
  inputs?: SchemaInputs,
  timings?: UpdateTimings,
): Promise<ProjectConfig | undefined> {
  if (virtual) return undefined;
  // A package may be a single file (a .jar kept as downloaded): it has no ivpm.yaml.
  const st = await Deno.stat(path).catch(() => undefined);
  if (!st?.isDirectory) return undefined;
  const file = join(path, "ivpm.yaml");
  if (!(await lstatOrUndefined(file))) return undefined;
  if (timings) timings.configsParsed++;
  try {
    return loadConfigFile(file, { inputs });
  } catch (e) {
    // A package whose dependencies are skipped may carry an ivpm.yaml we cannot read; that is fine.
    if (dep.skipDeps) return undefined;
    throw e;
  }
}

async function depsFromLock(
  file: string,
  sources: SourceRegistry,
  nonReproducible: string[],
  lockedBy: Map<string, string>,
): Promise<{ depSet: string | null; rootDeps: DependencySpec[] }> {
  const read = await readLock(resolve(file));
  if (!read) throw new IvpmError(`lock file ${file} does not exist`);
  const loc = { file: resolve(file), line: 1, col: 1 };
  const rootDeps: DependencySpec[] = [];
  const depSets = new Map<string, number>();
  for (const [name, entry] of Object.entries(read.lock.packages)) {
    const source = sources.get(entry.src);
    if (!source) {
      nonReproducible.push(`${name} (unknown src '${entry.src}')`);
      continue;
    }
    if (!source.reproducible) nonReproducible.push(`${name} (src: ${entry.src})`);
    const rebuilt = source.fromLock?.(entry) ??
      {
        url: typeof entry.url === "string"
          ? entry.url
          : typeof entry.path === "string"
          ? entry.path
          : undefined,
        options: {},
      };
    lockedBy.set(name, entry.resolved_by ?? "root");
    if (entry.resolved_by === "root" && entry.dep_set) {
      depSets.set(entry.dep_set, (depSets.get(entry.dep_set) ?? 0) + 1);
    }
    rootDeps.push({
      name,
      src: entry.src,
      url: rebuilt.url,
      options: rebuilt.options,
      types: [],
      depSet: entry.dep_set ?? "default",
      // Every package of the workspace is in the lock: nothing more to discover.
      skipDeps: true,
      loc,
    });
  }
  const depSet = [...depSets.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
  return { depSet, rootDeps };
}

/** What handlers see of a resolved package. */
export function packageView(pkg: ResolvedPackage, depsDir: string, virtual: boolean): PackageView {
  return {
    name: pkg.name,
    path: join(depsDir, pkg.name),
    srcType: pkg.dep.src,
    url: pkg.dep.url,
    options: pkg.dep.options,
    typeData: pkg.typeData ?? pkg.dep.types.map((t) => ({ name: t.name, options: t.options })),
    pkgType: pkg.pkgType,
    resolvedBy: pkg.resolvedBy,
    depSet: pkg.dep.depSet,
    virtual,
    ownWith: pkg.config?.with ?? {},
    extra: pkg.dep.agents ? { agents: pkg.dep.agents } : {},
  };
}

/** The view leaf handlers start from once the package landed (before any callback changed it). */
function startView(
  pkg: ResolvedPackage,
  depsDir: string,
  virtual: boolean,
  own?: ProjectConfig,
): PackageView {
  const probe: ResolvedPackage = { ...pkg, config: own, pkgType: undefined, typeData: undefined };
  mergeSelfTypes(probe, own);
  return packageView(probe, depsDir, virtual);
}

/** `--timings` detail of the resolve + fetch phase. */
function fetchDetail(packages: ResolvedPackage[], t: UpdateTimings): string {
  const changed =
    packages.filter((p) => ["fetched", "updated"].includes((p.landed as Landed | undefined)?.status ?? ""))
      .length;
  return `${packages.length} packages, ${changed} fetched or updated; ${t.configsParsed} package ivpm.yaml ` +
    `parsed, ${t.configsReused} remembered`;
}

function applyView(pkg: ResolvedPackage, view: PackageView): void {
  pkg.pkgType = view.pkgType;
  pkg.typeData = view.typeData;
}

/** A package's own `package.type` adds types its consumer did not declare (consumer wins). */
function mergeSelfTypes(pkg: ResolvedPackage, own: ProjectConfig | undefined): void {
  if (!own?.types.length) return;
  const types = pkg.typeData ?? pkg.dep.types.map((t) => ({ name: t.name, options: t.options }));
  for (const t of own.types) {
    if (!types.some((x) => x.name === t.name)) types.push({ name: t.name, options: t.options });
  }
  pkg.typeData = types;
}

/** Packages fetched this run that asked for the shared cache (`cache: true`), by name. */
function uncachedRequests(packages: ResolvedPackage[]): string[] {
  return packages.filter((p) =>
    p.dep.options.cache === true && ["git", "http", "file", "gh-rls"].includes(p.dep.src) &&
    ["fetched", "updated"].includes((p.landed as Landed | undefined)?.status ?? "")
  ).map((p) => p.name);
}
