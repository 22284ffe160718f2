/**
 * Recursive dependency resolution with eager, bounded-parallel fetching.
 *
 * Rules (as the original IVPM does): the first declaration
 * of a name wins, in breadth-first order (root, then each package's own
 * dependencies in the order packages were declared); `resolved_by` names the
 * declaring package; a package's own dependencies come from the dep-set its
 * declaration asks for; `deps: skip` stops the descent.
 *
 * Speed without losing determinism: every package starts fetching as soon as it
 * is claimed (its parent landed), not after a whole level. A package's own
 * declarations are *processed* in claim order only once every package claimed
 * before it has landed — so which declaration wins never depends on timing.
 *
 * @module
 */

import type { DependencySpec, ProjectConfig } from "../config/model.ts";
import { ConfigError, IvpmError } from "../base/errors.ts";
import { type Diagnostic, formatLoc } from "../base/diagnostics.ts";
import { PackageNames } from "../util/package_name.ts";
import { nameKeyOf, type SourceInfo } from "../config/source_info.ts";

/** A package in the resolved graph. */
export interface ResolvedPackage {
  name: string;
  dep: DependencySpec;
  /** `root` or the name of the declaring package. */
  resolvedBy: string;
  /** Claim order (breadth-first). */
  order: number;
  /** Other packages that declared the same name (their declarations were ignored). */
  alsoRequestedBy: string[];
  /** Set when a dep-set factory (src: ivpm.yaml) supplied the declaration: `<url>#<dep-set>`. */
  fromIvpmSource?: string;
  /** What the package itself declares (its ivpm.yaml dep-set), once landed. */
  declared: DependencySpec[];
  /** The package's own ivpm.yaml, when it has one. */
  config?: ProjectConfig;
  /** Filled by the caller's land function (fetch outcome, lock fields, …). */
  landed?: unknown;
  /** Type detected by a leaf handler. */
  pkgType?: string;
  /** Content types after leaf handlers and the package's own declaration. */
  typeData?: { name: string; options: Record<string, unknown> }[];
}

/** What landing a package reports back to the resolver. */
export interface LandResult {
  /** The package's own ivpm.yaml (to read its dependencies), if any. */
  config?: ProjectConfig;
  /** Dependencies supplied directly (dep-set factories). */
  supplied?: { deps: DependencySpec[]; source: string };
  /** Anything the caller wants to keep on the package. */
  data?: unknown;
}

/** Options of {@link resolveGraph}. */
export interface ResolveOptions {
  rootName: string;
  rootDeps: DependencySpec[];
  /** Fetches / inspects one package. Called at most `jobs` at a time. */
  land: (pkg: ResolvedPackage) => Promise<LandResult>;
  jobs: number;
  signal?: AbortSignal;
  /** Receives notes and warnings (cycles, ignored duplicates). */
  report?: (d: Diagnostic) => void;
  /** Whether the dependency is a dep-set factory (its source's `factory` capability); default: none is. */
  isFactory?: (dep: DependencySpec) => boolean;
  /**
   * The dependency's source, asked how its names compare (`names`: pypi's are PEP 503-normalised)
   * and whether its packages have a directory (`virtual`); default: exact names, every one a directory.
   */
  sourceOf?: (dep: DependencySpec) => Pick<SourceInfo, "name" | "names" | "virtual"> | undefined;
}

/** The result: packages in claim order. */
export interface ResolvedGraph {
  packages: ResolvedPackage[];
  byName: Map<string, ResolvedPackage>;
}

/** Error thrown when one or more packages failed to land. */
export class UpdateFailed extends IvpmError {
  constructor(readonly failures: { name: string; error: unknown }[]) {
    const first = failures[0];
    const msg = first.error instanceof ConfigError
      ? locatedMessage(first.error)
      : first.error instanceof Error
      ? first.error.message
      : String(first.error);
    super(
      failures.length === 1
        ? `failed to update package '${first.name}': ${msg}`
        : `${failures.length} packages failed (${
          failures.map((f) => f.name).join(", ")
        }); first: '${first.name}': ${msg}`,
      { hint: first.error instanceof IvpmError ? first.error.hint : undefined },
    );
  }
}

/** A dependency's config error with the file position of its first problem (`file:line:col: message`). */
function locatedMessage(e: ConfigError): string {
  const d = e.diagnostics[0];
  return d?.loc ? `${formatLoc(d.loc)}: ${d.message}` : e.message;
}

/** Resolves the graph, landing every package through `land`. */
export async function resolveGraph(opts: ResolveOptions): Promise<ResolvedGraph> {
  const packages: ResolvedPackage[] = [];
  const byName = new Map<string, ResolvedPackage>();
  const claimed = new PackageNames();
  const landed = new Set<number>();
  const failures: { name: string; error: unknown }[] = [];
  let processed = 0; // packages whose declarations have been processed, in claim order
  const running: Promise<void>[] = [];
  let active = 0;
  const waiting: (() => void)[] = [];
  let fatal: unknown;
  const isFactory = opts.isFactory ?? (() => false);
  // Packages by the key their source compares names by (see nameKeyOf): `sphinx` finds `Sphinx`.
  const byKey = new Map<string, ResolvedPackage>();

  // A freed slot is handed straight to the next waiter, so a package claimed in the same tick
  // cannot slip in as well and exceed `jobs`.
  const acquire = async () => {
    if (active < Math.max(1, opts.jobs)) {
      active++;
      return;
    }
    await new Promise<void>((r) => waiting.push(r));
  };
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else active--;
  };

  const claim = (dep: DependencySpec, resolvedBy: string, fromIvpmSource?: string) => {
    if (dep.name === opts.rootName) {
      opts.report?.({
        severity: "note",
        message: `'${resolvedBy}' depends on the root project '${dep.name}'; ignored`,
        loc: dep.loc,
      });
      return;
    }
    const source = opts.sourceOf?.(dep);
    const key = nameKeyOf(source, dep.name);
    const existing = byName.get(dep.name) ?? (key === undefined ? undefined : byKey.get(key));
    if (existing) {
      if (existing.resolvedBy !== resolvedBy) existing.alsoRequestedBy.push(resolvedBy);
      const differs = versionDiffers(existing, dep, resolvedBy, source?.names?.rule);
      if (differs) opts.report?.({ severity: "note", message: differs, loc: dep.loc });
      const chain = ancestry(byName, resolvedBy);
      if (chain.includes(existing.name) && isFactory(dep) && isFactory(existing.dep)) {
        // A factory that includes itself (directly or through other factories) can never be complete.
        const cycle = [...chain.slice(chain.indexOf(existing.name)), existing.name];
        throw new IvpmError(
          `cyclic ivpm.yaml factory reference: ${
            cycle.map((n) => `${n} (${byName.get(n)?.dep.url ?? "?"})`).join(" -> ")
          }`,
          { hint: `remove the declaration of '${dep.name}' at ${dep.loc.file}:${dep.loc.line}` },
        );
      }
      if (chain.includes(existing.name)) {
        opts.report?.({
          severity: "warning",
          message: `dependency cycle: ${
            [...chain.slice(chain.indexOf(existing.name)), existing.name].join(" -> ")
          } (${resolvedBy}'s declaration of '${dep.name}' is ignored)`,
          loc: dep.loc,
        });
      }
      return;
    }
    // Names from different ivpm.yaml files: one package must not land inside another's directory.
    const hasDirectory = !source?.virtual;
    const clash = claimed.conflict(dep.name, hasDirectory);
    if (clash) {
      throw new ConfigError([{
        severity: "error",
        message:
          `Dependency '${dep.name}' (declared by '${resolvedBy}') collides with package '${clash.other}' ` +
          `(declared by '${byName.get(clash.other)!.resolvedBy}'): ${clash.reason}`,
        loc: dep.loc,
      }]);
    }
    const pkg: ResolvedPackage = {
      name: dep.name,
      dep,
      resolvedBy,
      order: packages.length,
      alsoRequestedBy: [],
      fromIvpmSource,
      declared: [],
    };
    packages.push(pkg);
    byName.set(pkg.name, pkg);
    claimed.add(pkg.name, hasDirectory);
    if (key !== undefined) byKey.set(key, pkg);
    running.push(run(pkg));
  };

  const results = new Map<number, LandResult>();
  const run = async (pkg: ResolvedPackage) => {
    await acquire();
    try {
      if (fatal || opts.signal?.aborted) return;
      const r = await opts.land(pkg);
      results.set(pkg.order, r);
      pkg.config = r.config;
      pkg.landed = r.data;
    } catch (e) {
      failures.push({ name: pkg.name, error: e });
      // The update will fail: start nothing new, let running fetches finish.
      fatal ??= e;
    } finally {
      release();
      landed.add(pkg.order);
      advance();
    }
  };

  // Processes declarations in claim order, as far as every earlier package has landed.
  const advance = () => {
    while (processed < packages.length && landed.has(processed)) {
      const pkg = packages[processed++];
      const r = results.get(pkg.order);
      if (!r || pkg.dep.skipDeps) continue;
      try {
        if (r.supplied) {
          pkg.declared = r.supplied.deps;
          for (const d of r.supplied.deps) claim(d, pkg.name, r.supplied.source);
        } else if (r.config) {
          const ds = r.config.depSets.find((d) => d.name === pkg.dep.depSet);
          if (!ds) {
            throw new IvpmError(
              `package '${pkg.name}' has no dep-set '${pkg.dep.depSet}' in its ivpm.yaml (it has: ${
                r.config.depSets.map((d) => d.name).join(", ") || "none"
              })`,
              { hint: `add 'dep-set: <name>' or 'deps: skip' to the declaration of '${pkg.name}'` },
            );
          }
          pkg.declared = ds.deps;
          for (const d of ds.deps) claim(d, pkg.name);
        }
      } catch (e) {
        failures.push({ name: pkg.name, error: e });
      }
    }
  };

  for (const d of opts.rootDeps) {
    try {
      claim(d, "root");
    } catch (e) {
      failures.push({ name: d.name, error: e });
      fatal ??= e;
    }
  }
  // New work is appended to `running` as packages land; wait until nothing is left.
  for (let i = 0; i < running.length; i++) await running[i];
  if (failures.length) {
    // Report in declaration order, not in the order the fetches happened to fail.
    failures.sort((a, b) => (byName.get(a.name)?.order ?? 0) - (byName.get(b.name)?.order ?? 0));
    throw new UpdateFailed(failures);
  }
  return { packages, byName };
}

/**
 * A note when a declaration that lost to an earlier one of the same package asked for another
 * version (`rule`: how the source compares names, when they are spelled differently); else undefined.
 */
function versionDiffers(
  winner: ResolvedPackage,
  dep: DependencySpec,
  resolvedBy: string,
  rule: string | undefined,
): string | undefined {
  if (winner.dep.src !== dep.src) return undefined;
  const version = (d: DependencySpec) => d.options.version == null ? undefined : String(d.options.version);
  if (version(winner.dep) === version(dep)) return undefined;
  const asked = (d: DependencySpec) => {
    const v = version(d);
    return v === undefined ? "any version" : `version '${v}'`;
  };
  const spelling = winner.name !== dep.name && rule ? ` (${rule})` : "";
  return `'${dep.name}' ${asked(dep)} (declared by '${resolvedBy}') and '${winner.name}' ${
    asked(winner.dep)
  } (declared by '${winner.resolvedBy}') are the same package; the first declaration, by '${winner.resolvedBy}', ` +
    `wins${spelling}`;
}

function ancestry(byName: Map<string, ResolvedPackage>, name: string): string[] {
  const chain: string[] = [];
  let cur = byName.get(name);
  while (cur && !chain.includes(cur.name)) {
    chain.unshift(cur.name);
    cur = cur.resolvedBy === "root" ? undefined : byName.get(cur.resolvedBy);
  }
  return chain;
}
