/**
 * Update step 9: the lock (`packages/package-lock.json`, rewritten only when it changed), the journal
 * of directories ivpm placed, and the project state (`ivpm.json`) the next run starts from.
 *
 * @module
 */

import { join } from "node:path";
import { type LockEntry, type LockFile, makeLock, writeLockIfChanged } from "./lock/lock_file.ts";
import type { SourceRegistry } from "../fetch/sources/registry.ts";
import type { HandlerEngine } from "../engine/engine.ts";
import type { ProjectConfig } from "../config/model.ts";
import { lstatOrUndefined } from "../util/fs.ts";
import { markPlaced, settlePlaced } from "./placed_journal.ts";
import { writeProjectState } from "./project_state.ts";
import type { KnownPackages } from "./known_packages.ts";
import type { ResolvedGraph } from "./resolver.ts";
import type { Landed } from "./update_types.ts";

/** The lock's `packages`: every landed package but dep-set factories. */
export function lockEntries(graph: ResolvedGraph, sources: SourceRegistry): Record<string, LockEntry> {
  const packages: Record<string, LockEntry> = {};
  for (const p of graph.packages) {
    // A dep-set factory is recorded under ivpm_sources only (as the original's lock does).
    if (!sources.get(p.dep.src)?.factory) packages[p.name] = (p.landed as Landed).entry;
  }
  return packages;
}

/** Writes the lock, settles the placed journal and writes the project state; returns the lock. */
export async function writeLockAndState(args: {
  depsDir: string;
  packages: Record<string, LockEntry>;
  factories: Record<string, Record<string, unknown>>;
  engine: HandlerEngine;
  removed: string[];
  pruned: string[];
  graph: ResolvedGraph;
  depSet: string | null;
  config: ProjectConfig;
  remember: unknown;
  knownPackages: KnownPackages;
}): Promise<LockFile> {
  const { depsDir, packages, engine } = args;
  const contributions = await engine.lockEntries();
  const handlerState = await engine.stateEntries();
  // Every plugin worker ends before ivpm writes what the next run reads back: code still running in one
  // (a timer, a forgotten promise) must not be able to race the lock or ivpm.json.
  engine.close();
  const lock = await writeLockIfChanged(
    depsDir,
    makeLock(packages, { ivpm_sources: args.factories, contributions }),
  );
  // Dropped packages left on disk are still ivpm's: a later update may replace them.
  for (const name of args.removed) {
    if (!args.pruned.includes(name) && await lstatOrUndefined(join(depsDir, name))) {
      await markPlaced(depsDir, join(depsDir, name));
    }
  }
  await settlePlaced(depsDir, Object.keys(packages));
  await writeProjectState(depsDir, {
    "dep-set": args.depSet,
    vars: args.config.vars,
    handlers: handlerState,
    root: args.remember,
    packages: args.knownPackages.state(args.graph.packages.map((p) => p.name)),
  });
  return lock;
}
