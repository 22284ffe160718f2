/**
 * What the previous update learnt about each package, kept in `packages/ivpm.json`
 * so an update with nothing to do neither re-parses every package's ivpm.yaml nor
 * re-runs every leaf callback: the parsed ivpm.yaml (its dep-sets, types, `with:`)
 * and the leaf results (records per handler, `pkgType`, `typeData`).
 *
 * Reuse is keyed, per package, by its lock entry and the size/mtime/ctime/inode of its
 * ivpm.yaml (and of every file that includes), then by the view handlers are given
 * and the package directory's own stamp (a file added at its top level); the whole
 * section by a fingerprint of the handlers (names, code, leaf config, CLI values,
 * site settings, ivpm's version). Anything that differs means recompute. Only
 * packages whose content ivpm placed are kept (not `src: dir` and other live user
 * directories); a change deep inside a fetched package's tree needs `--refresh-all`.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { dirname, join } from "node:path";
import type { ProjectConfig } from "../config/model.ts";
import type { PackageView, TypeData } from "../plugin_api/package_view.ts";
import { packageNameProblem } from "../util/package_name.ts";

/** What {@link KnownPackages.reusable} asks of a source. */
export interface RememberedSource {
  live?: true;
  factory?: true;
  origin: string;
}

/** Leaf results of one package. */
export interface LeafOutcome {
  /** Records each handler collected, by handler name, in collection order. */
  records: Record<string, unknown[]>;
  pkgType?: string;
  typeData: TypeData[];
}

/** One package's entry in the state file. */
interface Entry {
  /** Hash of the lock entry. */
  entry: string;
  /** Stamps of the ivpm.yaml files read (absolute path → stamp; "absent" when there is none). */
  files: Record<string, string>;
  /** Stamp of the package directory when the files were stamped. */
  dir: string;
  /** The parsed ivpm.yaml; null = the package has none. */
  config: ProjectConfig | null;
  /** Leaf results; absent when they are not reusable (a handler warned, or the run failed). */
  leaf?: LeafOutcome & { key: string };
}

/** The `packages` section of `ivpm.json`. */
export interface KnownPackagesState {
  fingerprint: string;
  packages: Record<string, Entry>;
}

/** SHA-256 (hex) of `value` as JSON with sorted keys. */
export function hashOf(value: unknown): string {
  // Synchronous: hundreds of small hashes per update, where WebCrypto's per-call promise costs more.
  return createHash("sha256").update(canonicalJson(value)).digest("hex");
}

function canonicalJson(value: unknown): string {
  return JSON.stringify(
    value,
    (_k, v) =>
      v && typeof v === "object" && !Array.isArray(v)
        ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]]))
        : v,
  );
}

/** Size, mtime, ctime and inode of `path` ("absent" when it does not exist). */
export function fileStamp(path: string): string {
  try {
    // Synchronous: a local stat takes microseconds, the async op's scheduling several times that.
    const st = Deno.statSync(path);
    return `${
      st.isDirectory ? "d" : st.isFile ? "f" : "o"
    }:${st.size}:${st.mtime?.getTime()}:${st.ctime?.getTime()}:${st.ino}`;
  } catch {
    return "absent";
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A cached config is used only if its dependency names are still plain package names. */
export function plausibleConfig(c: unknown): c is ProjectConfig {
  if (!isObject(c) || !Array.isArray(c.depSets) || !Array.isArray(c.types) || !isObject(c.with)) return false;
  return c.depSets.every((ds) =>
    isObject(ds) && Array.isArray(ds.deps) &&
    ds.deps.every((d) => isObject(d) && typeof d.name === "string" && !packageNameProblem(d.name))
  );
}

/** A package's configuration as the cache found it (or not). */
export interface ConfigProbe {
  hit: boolean;
  config?: ProjectConfig;
}

/** The previous run's results (read side) and this run's (write side). */
export class KnownPackages {
  #old: Record<string, Entry>;
  #next: Record<string, Entry> = {};

  /** `state`: the `packages` section of the previous `ivpm.json`; `fingerprint`: this run's handlers. */
  constructor(state: unknown, readonly fingerprint: string) {
    this.#old = isObject(state) && state.fingerprint === fingerprint && isObject(state.packages)
      ? state.packages as Record<string, Entry>
      : {};
  }

  /**
   * Whether results of a package of this source may be kept at all: only where ivpm itself placed the
   * content (or there is none) — not the user's live files, and not a plugin's source, whose content
   * ivpm cannot vouch for.
   */
  reusable(source: RememberedSource): boolean {
    return !source.live && !source.factory && source.origin === "built-in";
  }

  /**
   * The package's parsed ivpm.yaml from the previous run, when the lock entry and its files are
   * unchanged. `dir`: the package directory, `dirStamp`: its {@link fileStamp} now.
   */
  config(name: string, entryHash: string, dir: string, dirStamp: string): ConfigProbe {
    const e = this.#old[name];
    if (!isObject(e) || e.entry !== entryHash || !isObject(e.files) || !Object.keys(e.files).length) {
      return { hit: false };
    }
    for (const [path, s] of Object.entries(e.files)) {
      // A file created in the directory would have changed the directory's stamp: no need to look.
      if (s === "absent" && e.dir === dirStamp && dirname(path) === dir) continue;
      if (typeof s !== "string" || fileStamp(path) !== s) return { hit: false };
    }
    if (e.config === null) return { hit: true };
    return plausibleConfig(e.config) ? { hit: true, config: e.config } : { hit: false };
  }

  /** The package's leaf results from the previous run, when the key (see {@link leafKey}) is unchanged. */
  leaf(name: string, entryHash: string, key: string): LeafOutcome | undefined {
    const e = this.#old[name];
    const l = isObject(e) && e.entry === entryHash ? e.leaf : undefined;
    if (!isObject(l) || l.key !== key || !isObject(l.records) || !Array.isArray(l.typeData)) return undefined;
    return l;
  }

  /** Keeps the previous run's entry of a package whose results were reused as they are. */
  carry(name: string): void {
    if (this.#old[name]) this.#next[name] = this.#old[name];
  }

  /** Records what this run learnt about a package (kept for the next run). */
  keep(
    name: string,
    entryHash: string,
    dir: string,
    dirStamp: string,
    config: ProjectConfig | undefined,
    leaf?: LeafOutcome & { key: string },
  ): void {
    const paths = config ? config.files : [join(dir, "ivpm.yaml")];
    const files: Record<string, string> = {};
    for (const p of paths) files[p] = fileStamp(p);
    this.#next[name] = {
      entry: entryHash,
      files,
      dir: dirStamp,
      config: config ?? null,
      ...(leaf ? { leaf } : {}),
    };
  }

  /** The section to write, for `names` (in that order); undefined when there is nothing to keep. */
  state(names: string[]): KnownPackagesState | undefined {
    const packages: Record<string, Entry> = {};
    for (const n of names) if (this.#next[n]) packages[n] = this.#next[n];
    return Object.keys(packages).length ? { fingerprint: this.fingerprint, packages } : undefined;
  }
}

/**
 * Key of a package's leaf results: the view handlers start from (name, source, options,
 * declared and own types, own `with:`) and the package directory's {@link fileStamp}.
 */
export function leafKey(view: PackageView, dirStamp: string): string {
  return hashOf({ view, dir: dirStamp });
}
