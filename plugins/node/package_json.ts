/**
 * The npm dependency set of the node environment and the `packages/node/package.json`
 * it is written to. Pure functions: no files, no processes.
 *
 * @module
 */

/** Which map of package.json a dependency goes to. */
export type DepKind = "dependencies" | "devDependencies" | "optionalDependencies";

/** One npm package to install: its name, version range and map. */
export interface NpmDep {
  /** npm package name (`is-number`, `@types/node`). */
  name: string;
  /** Version range as written (default `*`). */
  version: string;
  /** Where it goes in package.json. */
  kind: DepKind;
}

/** The generated package.json of the node environment (key order as written). */
export interface NodeEnvManifest {
  /** Always `ivpm-node-env`. */
  name: "ivpm-node-env";
  /** Always `1.0.0`. */
  version: "1.0.0";
  /** Never published. */
  private: true;
  /** Regular dependencies, by name. */
  dependencies?: Record<string, string>;
  /** `dev: true` and harvested devDependencies, by name. */
  devDependencies?: Record<string, string>;
  /** `optional: true` packages, by name. */
  optionalDependencies?: Record<string, string>;
  /**
   * `package.with.node.allow-scripts`, sorted, when not empty. npm ignores it; it is here so that
   * changing the list changes the file, which re-installs and so runs the newly allowed scripts.
   */
  ivpm?: { allowScripts: string[] };
}

/**
 * The map of an explicit `src: npm` entry: `optional: true` → optionalDependencies,
 * else `dev: true` → devDependencies, else dependencies.
 */
export function npmDepKind(options: Record<string, unknown>): DepKind {
  if (options.optional === true) return "optionalDependencies";
  if (options.dev === true) return "devDependencies";
  return "dependencies";
}

/** The version range of a `src: npm` entry (`version:` as written, default `*`). */
export function npmDepVersion(options: Record<string, unknown>): string {
  const v = options.version;
  return v === undefined || v === null || v === "" ? "*" : String(v);
}

/** Outcome of reading the dependency maps of a project's package.json. */
export interface Harvest {
  /** Dependencies to add (names already taken are not listed); empty when there is a problem. */
  deps: NpmDep[];
  /** Why the file's content is unusable, if it is. */
  problem?: string;
}

function versionMap(data: Record<string, unknown>, key: string): [string, string][] | string {
  const m = data[key];
  if (m === undefined) return [];
  if (typeof m !== "object" || m === null || Array.isArray(m)) return `'${key}' is not an object`;
  const out: [string, string][] = [];
  for (const [name, v] of Object.entries(m)) {
    if (typeof v !== "string") return `'${key}.${name}' is not a version string`;
    out.push([name, v]);
  }
  return out;
}

/**
 * Harvests `dependencies` (→ dependencies) and `devDependencies` (→ devDependencies)
 * from the text of a package.json. Names in `taken` (explicit `src: npm` entries and
 * earlier harvests) win; within the file `dependencies` wins over `devDependencies`.
 */
export function harvestPackageJson(text: string, taken: ReadonlySet<string>): Harvest {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return { deps: [], problem: `not valid JSON (${(e as Error).message})` };
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    return { deps: [], problem: "not a JSON object" };
  }
  const seen = new Set(taken);
  const deps: NpmDep[] = [];
  for (
    const [key, kind] of [["dependencies", "dependencies"], ["devDependencies", "devDependencies"]] as const
  ) {
    const entries = versionMap(data as Record<string, unknown>, key);
    // All or nothing: half a file's dependencies would install an environment nobody asked for.
    if (typeof entries === "string") return { deps: [], problem: entries };
    for (const [name, version] of entries) {
      if (seen.has(name)) continue;
      seen.add(name);
      deps.push({ name, version, kind });
    }
  }
  return { deps };
}

function sortedMap(deps: NpmDep[], kind: DepKind): Record<string, string> | undefined {
  const list = deps.filter((d) => d.kind === kind).sort((
    a,
    b,
  ) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return list.length ? Object.fromEntries(list.map((d) => [d.name, d.version])) : undefined;
}

/**
 * The manifest for these dependencies: fixed header, then each non-empty map with sorted keys, then the
 * packages whose install scripts may run (when any).
 */
export function nodeEnvManifest(deps: NpmDep[], allowScripts: readonly string[] = []): NodeEnvManifest {
  const m: NodeEnvManifest = { name: "ivpm-node-env", version: "1.0.0", private: true };
  const d = sortedMap(deps, "dependencies");
  const dev = sortedMap(deps, "devDependencies");
  const opt = sortedMap(deps, "optionalDependencies");
  if (d) m.dependencies = d;
  if (dev) m.devDependencies = dev;
  if (opt) m.optionalDependencies = opt;
  if (allowScripts.length) m.ivpm = { allowScripts: [...new Set(allowScripts)].sort() };
  return m;
}

/** The text of `packages/node/package.json`: the manifest, indent 2, trailing newline. */
export function renderPackageJson(deps: NpmDep[], allowScripts: readonly string[] = []): string {
  return JSON.stringify(nodeEnvManifest(deps, allowScripts), null, 2) + "\n";
}
