/**
 * Update step 2: which dependencies the root asks for — a dep-set of ivpm.yaml (`-d`, the persisted
 * one, `default-dep-set`, the first) or, with `--lock-file`, every package of a lock.
 *
 * @module
 */

import { resolve } from "node:path";
import { IvpmError } from "../base/errors.ts";
import type { DependencySpec, ProjectConfig } from "../config/model.ts";
import type { SourceRegistry } from "../fetch/sources/registry.ts";
import { closestMatch } from "../util/suggest.ts";
import { readLock } from "./lock/lock_file.ts";

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

/** The root's dependencies for this run. */
export interface RootDeps {
  depSet: string | null;
  rootDeps: DependencySpec[];
  /** Packages of `--lock-file` that cannot be reproduced exactly. */
  nonReproducible: string[];
  /** `resolved_by` of each package of `--lock-file`. */
  lockedBy: Map<string, string>;
}

/** Picks the root's dependencies: from `lockFile` when given, else a dep-set of `config`. */
export async function chooseRootDeps(args: {
  config: ProjectConfig;
  sources: SourceRegistry;
  depSetFlag?: string;
  lockFile?: string;
  persisted: string | null;
  note: (message: string) => void;
}): Promise<RootDeps> {
  const { config, persisted, note } = args;
  const nonReproducible: string[] = [];
  const lockedBy = new Map<string, string>();
  if (args.lockFile) {
    const { depSet, rootDeps } = await depsFromLock(args.lockFile, args.sources, nonReproducible, lockedBy);
    return { depSet, rootDeps, nonReproducible, lockedBy };
  }
  const depSet = chooseDepSet(config, args.depSetFlag, persisted);
  if (persisted && depSet && persisted !== depSet && args.depSetFlag) {
    note(`switching dep-set from '${persisted}' to '${depSet}'`);
  }
  const rootDeps = depSet ? config.depSets.find((d) => d.name === depSet)!.deps : [];
  if (!depSet) note("no dep-sets defined; nothing to fetch");
  return { depSet, rootDeps, nonReproducible, lockedBy };
}

/** The packages of a lock file as root dependencies (`--lock-file`). */
export async function depsFromLock(
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
