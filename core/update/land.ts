/**
 * Update steps 3–6, for one package: a dep-set factory is expanded; an unchanged package keeps its
 * remembered results; a missing one may be reused from a deps-source; otherwise its source fetches it
 * and it is placed; then its status is settled, its own ivpm.yaml read and its leaf work started.
 * Every step asks the package's source for its capabilities, never for its name.
 *
 * @module
 */

import { join } from "node:path";
import type { PackageCache } from "../fetch/cache/store.ts";
import type { SchemaInputs } from "../config/ivpm_schema.ts";
import type { ProjectConfig } from "../config/model.ts";
import { IvpmError } from "../base/errors.ts";
import type { LockEntry, LockFile } from "./lock/lock_file.ts";
import type { SourceRegistry } from "../fetch/sources/registry.ts";
import type { HandlerEngine, LeafTally } from "../engine/engine.ts";
import { keptMessage, LocalWorkError, packageLabel } from "./local_work.ts";
import { type HttpWait, withHttpSettings } from "../fetch/net/http_settings.ts";
import { loadFactory } from "../fetch/sources/ivpm_yaml.ts";
import type { FetchOutcome, Source } from "../fetch/sources/types.ts";
import type { CredentialLookup } from "../fetch/git/auth.ts";
import type { Diagnostic } from "../base/diagnostics.ts";
import { copyTree, lstatOrUndefined, removeTree } from "../util/fs.ts";
import type { DepsSources } from "./deps_source.ts";
import { place, STAGING_DIR } from "./place.ts";
import { fileStamp, hashOf, type KnownPackages, leafKey, type LeafOutcome } from "./known_packages.ts";
import type { UpdateTimings } from "./timings.ts";
import type { LandResult, ResolvedPackage } from "./resolver.ts";
import type { Landed, UpdateOptions } from "./update_types.ts";
import {
  applyView,
  mergeSelfTypes,
  packageView,
  specEqual,
  startView,
  subConfig,
  versionOf,
} from "./package_views.ts";

/** Everything landing a package needs: the run's settings and shared objects, passed explicitly. */
export interface LandContext {
  opts: Pick<UpdateOptions, "refresh" | "force" | "anonymousGit" | "signal" | "reporter" | "site">;
  projectDir: string;
  depsDir: string;
  /** The deps directory's name, as the config writes it (for messages). */
  depsDirName: string;
  sources: SourceRegistry;
  inputs: SchemaInputs;
  engine: HandlerEngine;
  oldLock: LockFile | undefined;
  /** `resolved_by` of each package of `--lock-file`. */
  lockedBy: Map<string, string>;
  depsSources: DepsSources | undefined;
  /** The update's environment, handed to sources. */
  env: Readonly<Record<string, string>>;
  knownPackages: KnownPackages;
  cache: PackageCache | null;
  timings: UpdateTimings | undefined;
  credentials: CredentialLookup | undefined;
  leafPre: boolean;
  leafPost: boolean;
  /** Leaf work started beside the fetches; awaited after them. */
  leafWork: Promise<void>[];
  /** Aborted by a fatal leaf error: stops further fetches. */
  leafAbort: AbortController;
  /** Dep-set factories seen, by URL (the lock's `ivpm_sources`). */
  factories: Record<string, Record<string, unknown>>;
  report: (d: Diagnostic) => void;
  note: (message: string) => void;
  /** Counters shared by every package of the run. */
  counters: { seq: number; leafPackages: number; cacheUsed: boolean };
}

/** One package as it lands: its source, lock basics and what the previous run left. */
export interface Landing {
  pkg: ResolvedPackage;
  source: Source;
  started: number;
  base: LockEntry;
  spec: Record<string, unknown>;
  finalPath: string;
  virtual: boolean;
  prev: LockEntry | undefined;
  exists: boolean;
  upToDate: boolean;
  /** Whether this package's results may be remembered for the next run. */
  reusable: boolean;
}

/** What the previous run learnt of an unchanged package. */
export interface Known {
  entryHash: string;
  dirStamp: string;
  config?: ProjectConfig;
  key: string;
  leaf?: LeafOutcome;
}

/** Lands one package (the resolver's `land`). */
export async function land(ctx: LandContext, pkg: ResolvedPackage): Promise<LandResult> {
  const dep = pkg.dep;
  const source = ctx.sources.get(dep.src);
  if (!source) throw new IvpmError(`package '${dep.name}': unknown source type '${dep.src}'`);
  const started = performance.now();
  ctx.opts.reporter?.start?.(pkg);
  const base: LockEntry = {
    src: dep.src,
    resolved_by: ctx.lockedBy.get(dep.name) ?? pkg.resolvedBy,
    dep_set: dep.depSet ?? null,
    reproducible: source.reproducible,
    ...(pkg.fromIvpmSource ? { from_ivpm_source: pkg.fromIvpmSource } : {}),
  };
  const spec = source.spec(dep);
  if (source.factory) return await landFactory(ctx, pkg, { base, spec, started });
  const finalPath = join(ctx.depsDir, dep.name);
  const prev = ctx.oldLock?.packages?.[dep.name];
  const exists = !!(await lstatOrUndefined(finalPath));
  const upToDate = !ctx.opts.refresh && !ctx.opts.force && !!prev && prev.src === dep.src &&
    specEqual(spec, prev) &&
    (exists || !!source.virtual);
  const l: Landing = {
    pkg,
    source,
    started,
    base,
    spec,
    finalPath,
    virtual: !!source.virtual,
    prev,
    exists,
    upToDate,
    reusable: ctx.knownPackages.reusable(source),
  };
  const known = upToDate && l.reusable ? await probeKnown(ctx, l) : undefined;
  if (known?.leaf) return replayKnown(ctx, l, known);
  // Leaf work is certain now: start the first worker, so its start-up overlaps with the fetch (the pool
  // adds more only when work backs up).
  if ((ctx.leafPre || ctx.leafPost) && ++ctx.counters.leafPackages === 1) ctx.engine.prewarm(1);
  const tally: LeafTally = { records: {}, clean: true };
  if (ctx.leafPre) {
    applyView(pkg, await ctx.engine.leaf("pre", packageView(pkg, ctx.depsDir, l.virtual), pkg.order, tally));
  }
  let landed: Landed;
  let hit: { path: string; entry?: LockEntry } | undefined;
  if (upToDate) {
    // Nothing changed: no network, no git call — the lock is the record.
    landed = {
      entry: { ...prev, ...base, ...spec },
      status: source.virtual ? "virtual" : "up-to-date",
      ms: 0,
      version: versionOf(prev!),
    };
  } else if (
    // Only fetched kinds are reused: a dir/file package names a path of *this* project.
    ctx.depsSources && source.reusable && !exists &&
    (hit = await ctx.depsSources.match(dep.name, dep.src, spec))
  ) {
    landed = await reuseFromDepsSource(ctx, l, hit, ctx.depsSources.mode);
  } else {
    landed = await fetchAndPlace(ctx, l);
  }
  return await settlePackage(ctx, l, landed, known, tally);
}

/** Step 3: a dep-set factory lands no package; it supplies the dependencies of its dep-set. */
export async function landFactory(
  ctx: LandContext,
  pkg: ResolvedPackage,
  l: { base: LockEntry; spec: Record<string, unknown>; started: number },
): Promise<LandResult> {
  const dep = pkg.dep;
  const f = await loadFactory(dep, ctx.depsDir, ctx.opts.signal, ctx.inputs, ctx.env);
  ctx.factories[dep.url!] = {
    src: dep.src,
    dep_set: dep.depSet,
    fingerprint: f.fingerprint,
    reproducible: true,
    virtual: true,
  };
  const landed: Landed = {
    entry: { ...l.base, ...l.spec },
    status: "virtual",
    ms: performance.now() - l.started,
  };
  ctx.opts.reporter?.done?.(pkg, landed);
  return { supplied: { deps: f.deps, source: f.source }, data: landed };
}

/** An unchanged package: its ivpm.yaml and leaf results may come from the previous run. */
async function probeKnown(ctx: LandContext, l: Landing): Promise<Known> {
  const entryHash = hashOf({ ...l.prev, ...l.base, ...l.spec });
  const dirStamp = fileStamp(l.finalPath);
  const probe = ctx.knownPackages.config(l.pkg.dep.name, entryHash, l.finalPath, dirStamp);
  if (probe.hit && ctx.timings) ctx.timings.configsReused++;
  const config = probe.hit
    ? probe.config
    : await subConfig(l.finalPath, l.pkg.dep, l.virtual, ctx.inputs, ctx.timings);
  const key = leafKey(startView(l.pkg, ctx.depsDir, l.virtual, config), dirStamp);
  return { entryHash, dirStamp, config, key, leaf: ctx.knownPackages.leaf(l.pkg.dep.name, entryHash, key) };
}

/** Nothing changed since the previous run: its results stand (no parse, no leaf callback, no git). */
function replayKnown(ctx: LandContext, l: Landing, known: Known): LandResult {
  const pkg = l.pkg;
  const leaf = known.leaf!;
  pkg.config = known.config;
  pkg.pkgType = leaf.pkgType;
  pkg.typeData = leaf.typeData;
  ctx.engine.replay(pkg.name, pkg.order, leaf.records);
  ctx.knownPackages.carry(pkg.dep.name);
  if (ctx.timings) ctx.timings.leafReused++;
  const landed: Landed = {
    entry: { ...l.prev, ...l.base, ...l.spec },
    status: l.virtual ? "virtual" : "up-to-date",
    ms: 0,
    version: versionOf(l.prev!),
  };
  ctx.opts.reporter?.done?.(pkg, landed);
  return { config: known.config, data: landed };
}

/** A fresh staging directory for one package's work files. */
async function stagingDir(ctx: LandContext, name: string): Promise<string> {
  const workDir = join(ctx.depsDir, STAGING_DIR, `${name.replaceAll("/", "_")}-${++ctx.counters.seq}`);
  await Deno.mkdir(workDir, { recursive: true });
  return workDir;
}

/** Step 4: reused from a parent deps dir (or the main worktree): linked or copied, nothing fetched. */
export async function reuseFromDepsSource(
  ctx: LandContext,
  l: Landing,
  hit: { path: string; entry?: LockEntry },
  mode: "link" | "copy",
): Promise<Landed> {
  const dep = l.pkg.dep;
  const workDir = await stagingDir(ctx, dep.name);
  try {
    if (mode === "copy") {
      await copyTree(hit.path, join(workDir, "copy"));
      await place(
        { placement: { kind: "path", staged: join(workDir, "copy") }, lock: {} },
        l.finalPath,
        workDir,
        { projectDir: ctx.projectDir, depsDir: ctx.depsDir },
      );
    } else {
      await place({ placement: { kind: "link", target: hit.path }, lock: {} }, l.finalPath, workDir);
    }
  } finally {
    await removeTree(workDir).catch(() => {});
  }
  ctx.note(`deps-source hit for ${dep.name} (${hit.path})`);
  return {
    entry: { ...(hit.entry ?? {}), ...l.base, ...l.spec, from_deps_source: hit.path },
    status: "fetched",
    reused: true,
    version: hit.entry ? versionOf(hit.entry) : undefined,
    ms: performance.now() - l.started,
  };
}

/** Step 5: the source fetches the package into staging and it is moved into place. */
export async function fetchAndPlace(ctx: LandContext, l: Landing): Promise<Landed> {
  const { pkg, source, prev, finalPath, exists } = l;
  const dep = pkg.dep;
  const { opts } = ctx;
  const workDir = await stagingDir(ctx, dep.name);
  try {
    // Waits on a silent server show on this package's status line.
    const onWait = (w: HttpWait | undefined) => opts.reporter?.httpWait?.(pkg, w);
    const outcome: FetchOutcome = await withHttpSettings({ onWait }, () =>
      source.fetch(dep, {
        projectDir: ctx.projectDir,
        depsDir: ctx.depsDir,
        finalPath,
        workDir,
        anonymousGit: !!opts.anonymousGit,
        cache: ctx.cache,
        previous: prev,
        refresh: !!opts.refresh || !!opts.force,
        force: !!opts.force,
        signal: opts.signal ?? new AbortController().signal,
        note: (m) => ctx.note(m),
        gitAuthOrder: opts.site?.gitAuthOrder,
        credentials: ctx.credentials,
        env: ctx.env,
        progress: (p) => opts.reporter?.transfer?.(pkg, p),
      }));
    opts.signal?.throwIfAborted();
    const warn = (message: string) => ctx.report({ severity: "warning", message });
    await place(outcome, finalPath, workDir, {
      projectDir: ctx.projectDir,
      depsDir: ctx.depsDir,
      previous: prev,
      force: !!opts.force,
      warn,
      signal: opts.signal,
    });
    if (
      outcome.placement.kind === "link" && ctx.cache && outcome.placement.target.startsWith(ctx.cache.root)
    ) {
      ctx.counters.cacheUsed = true;
    }
    if (outcome.placement.kind === "kept" && source.inPlace && !exists) {
      ctx.report({
        severity: "warning",
        message:
          `package '${dep.name}' (src: ${dep.src}) is not present in ${ctx.depsDirName}/; nothing was fetched`,
        loc: dep.loc,
      });
    }
    return {
      entry: { ...l.base, ...l.spec, ...outcome.lock },
      status: source.virtual ? "virtual" : outcome.placement.kind === "kept"
        // Kept in place, but a fast-forward may still have moved it.
        ? (prev && !specEqual(outcome.lock, prev) ? "updated" : "up-to-date")
        : exists
        ? "updated"
        : "fetched",
      version: outcome.version,
      cacheHit: outcome.cacheHit,
      ms: performance.now() - l.started,
    };
  } catch (e) {
    // A package holding local work stays as the lock records it; the rest of the update goes on.
    if (!(e instanceof LocalWorkError) || !prev) throw e;
    ctx.report({
      severity: "warning",
      message: keptMessage(packageLabel(finalPath, ctx.projectDir), e.lost),
    });
    return { entry: { ...prev }, status: "up-to-date", version: versionOf(prev), ms: 0 };
  } finally {
    await removeTree(workDir).catch(() => {});
  }
}

/**
 * Step 6: the landed package's own ivpm.yaml and types; its post-load leaf work starts beside further
 * fetches, and its results are remembered for the next run.
 */
export async function settlePackage(
  ctx: LandContext,
  l: Landing,
  landed: Landed,
  known: Known | undefined,
  tally: LeafTally,
): Promise<LandResult> {
  const { pkg, finalPath, virtual, reusable } = l;
  const dep = pkg.dep;
  const own = known ? known.config : await subConfig(finalPath, dep, virtual, ctx.inputs, ctx.timings);
  // Kept for the next run; the key is taken before any leaf callback could touch the package.
  const dirStamp = reusable ? known?.dirStamp ?? fileStamp(finalPath) : "";
  const keep = reusable
    ? {
      entryHash: known?.entryHash ?? hashOf(landed.entry),
      key: known?.key ?? leafKey(startView(pkg, ctx.depsDir, virtual, own), dirStamp),
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
    ctx.knownPackages.keep(dep.name, keep.entryHash, finalPath, dirStamp, own, leaf);
  };
  if ((ctx.leafPre || ctx.leafPost) && ctx.timings) ctx.timings.leafRan++;
  if (ctx.leafPost) {
    // Leaf work runs beside further fetches: it does not hold a fetch slot, and a package's own
    // dependencies do not wait for it (they come from its ivpm.yaml, not from handlers).
    const p = ctx.engine.leaf("post", packageView(pkg, ctx.depsDir, virtual), pkg.order, tally)
      .then((v) => applyView(pkg, v)).then(kept);
    p.catch(() => ctx.leafAbort.abort());
    ctx.leafWork.push(p);
  } else kept();
  ctx.opts.reporter?.done?.(pkg, landed);
  return { config: own, data: landed };
}
