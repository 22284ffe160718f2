/**
 * The FuseSoC core index behind `src: fusesoc`: a git repository of `.core`
 * files (default https://github.com/fusesoc/fusesoc-cores.git, or
 * `$IVPM_FUSESOC_INDEX_URL`) cloned into `<deps>/.fusesoc-index`, VLNV parsing
 * and matching, and the providers a catalog core names.
 *
 * @module
 */

import { join, relative } from "node:path";
import { IvpmError } from "../../base/errors.ts";
import { cloneRepo, currentBranch, fastForward, remoteUrl } from "../git/mod.ts";
import { lstatOrUndefined, removeTree } from "../../util/fs.ts";

/** The public index FuseSoC itself uses. */
export const DEFAULT_FUSESOC_INDEX_URL = "https://github.com/fusesoc/fusesoc-cores.git";
/** The index clone, inside the deps dir. */
export const FUSESOC_INDEX_DIR = ".fusesoc-index";

/** A parsed `vendor:library:name[:version]`; empty vendor/library match any. */
export interface Vlnv {
  vendor: string;
  library: string;
  name: string;
  /** Absent (or `latest`) means the highest version. */
  version?: string;
}

/** Parses a VLNV as written in ivpm.yaml (`::name:1.0`, `acme:ip:uart`, `acme:ip:uart:latest`). */
export function parseVlnv(text: string, what = "vlnv"): Vlnv {
  const parts = text.trim().split(":");
  if (parts.length < 3 || parts.length > 4 || !parts[2]) {
    throw new IvpmError(`${what} '${text}' is not a VLNV`, {
      hint: "write vendor:library:name[:version], e.g. '::uart16550:1.5' or 'openhwgroup:ip:cv32e40p'",
    });
  }
  const [vendor, library, name, version] = parts;
  return { vendor, library, name, ...(version ? { version } : {}) };
}

/** `vendor:library:name[:version]`. */
export function formatVlnv(v: Vlnv): string {
  return [v.vendor, v.library, v.name, ...(v.version ? [v.version] : [])].join(":");
}

/** Where the content of a core comes from. */
export type Provider =
  | { kind: "git"; url: string; ref?: string }
  | { kind: "url"; url: string; filetype?: string };

/** One `.core` file of the index. */
export interface CatalogCore {
  /** Absolute path. */
  file: string;
  /** Its `name:`. */
  vlnv: Vlnv;
  /** Its content (read once, so a later index update cannot change it under the fetch). */
  text: string;
}

/** Reads the top-level `name:` of a core file without parsing all of it. */
function coreName(text: string): string | undefined {
  const m = /^name[ \t]*:[ \t]*(.*)$/m.exec(text);
  if (!m) return undefined;
  const v = m[1].replace(/\s+#.*$/, "").trim().replace(/^(["'])(.*)\1$/, "$2");
  return v || undefined;
}

/** The VLNV a core file declares (`name:`), or undefined (no name, not a VLNV). */
export function coreVlnv(text: string): Vlnv | undefined {
  const name = coreName(text);
  if (!name) return undefined;
  try {
    return parseVlnv(name);
  } catch {
    return undefined;
  }
}

/** Every `.core` of the index with a VLNV `name:`, in path order. */
export async function readCatalog(indexDir: string): Promise<CatalogCore[]> {
  const out: CatalogCore[] = [];
  const walk = async (dir: string) => {
    const entries = await Array.fromAsync(Deno.readDir(dir));
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (e.name === ".git") continue;
      const path = join(dir, e.name);
      if (e.isDirectory) await walk(path);
      else if (e.isFile && e.name.endsWith(".core")) {
        const text = await Deno.readTextFile(path).catch(() => "");
        const vlnv = coreVlnv(text);
        if (vlnv) out.push({ file: path, vlnv, text });
      }
    }
  };
  await walk(indexDir);
  return out;
}

/** Orders FuseSoC versions (`1.10` > `1.9`, `1.5-r1` > `1.5`); numeric parts numerically. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.\-_+]/), pb = b.split(/[.\-_+]/);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    if (pa[i] === undefined) return -1;
    if (pb[i] === undefined) return 1;
    const na = /^\d+$/.test(pa[i]), nb = /^\d+$/.test(pb[i]);
    const c = na && nb ? Number(pa[i]) - Number(pb[i]) : na !== nb
      ? (na ? 1 : -1) // a number ranks above a word ("1.0" > "1.0-rc")
      : pa[i] < pb[i]
      ? -1
      : pa[i] > pb[i]
      ? 1
      : 0;
    if (c !== 0) return c < 0 ? -1 : 1;
  }
  return 0;
}

/** URL of the index: `$IVPM_FUSESOC_INDEX_URL` or the public fusesoc-cores repository. */
export function fusesocIndexUrl(env?: Readonly<Record<string, string>>): string {
  return (env ? env.IVPM_FUSESOC_INDEX_URL : Deno.env.get("IVPM_FUSESOC_INDEX_URL")) ||
    DEFAULT_FUSESOC_INDEX_URL;
}

/** The index as read by {@link loadIndex}. */
export interface LoadedIndex {
  /** Every core of the index. */
  catalog: CatalogCore[];
  /** Whether the index was cloned or fast-forwarded by this call. */
  fetched: boolean;
}

/** Operations on one index dir run one at a time; a running one that covers a request is shared. */
const inflight = new Map<string, { update: boolean; p: Promise<LoadedIndex> }>();

/**
 * Makes `<depsDir>/.fusesoc-index` a clone of `url` — cloned when missing (or a
 * clone of another URL, or when it cannot be fast-forwarded), fast-forwarded when
 * `update` — and reads its cores. Concurrent fetches of one project share the
 * work, and never read the index while another call changes it.
 */
export function loadIndex(
  depsDir: string,
  url: string,
  opts: { update: boolean; signal?: AbortSignal; note?: (m: string) => void },
): Promise<LoadedIndex> {
  const dir = join(depsDir, FUSESOC_INDEX_DIR);
  const cur = inflight.get(dir);
  if (cur && (cur.update || !opts.update)) return cur.p;
  const before = cur?.p.catch(() => {}) ?? Promise.resolve();
  const p: Promise<LoadedIndex> = before.then(async () => {
    const fetched = await syncIndex(dir, url, opts);
    return { catalog: await readCatalog(dir), fetched };
  }).finally(() => {
    if (inflight.get(dir)?.p === p) inflight.delete(dir);
  });
  inflight.set(dir, { update: opts.update, p });
  return p;
}

async function syncIndex(
  dir: string,
  url: string,
  opts: { update: boolean; signal?: AbortSignal; note?: (m: string) => void },
): Promise<boolean> {
  const { signal } = opts;
  if (await lstatOrUndefined(join(dir, ".git"))) {
    const origin = await remoteUrl(dir, signal).catch(() => undefined);
    if (origin === url) {
      if (!opts.update) return false;
      const branch = await currentBranch(dir, signal).catch(() => undefined);
      if (branch) {
        try {
          await fastForward(dir, { branch, signal });
          return true;
        } catch (e) {
          signal?.throwIfAborted();
          opts.note?.(`fusesoc index: ${(e as Error).message}; cloning it again`);
        }
      }
    }
  }
  // A fresh shallow clone next to the old one, swapped in once complete.
  const tmp = `${dir}.tmp-${crypto.randomUUID().slice(0, 8)}`;
  try {
    await cloneRepo({ url, depth: 1, submodules: false }, tmp, { signal });
  } catch (e) {
    await removeTree(tmp).catch(() => {});
    if (e instanceof IvpmError) {
      throw new IvpmError(`cannot fetch the fusesoc core index ${url}: ${e.message}`, {
        hint: "check the network, or point IVPM_FUSESOC_INDEX_URL at a reachable clone of fusesoc-cores",
        cause: e,
      });
    }
    throw e;
  }
  await removeTree(dir);
  await Deno.rename(tmp, dir);
  opts.note?.(`Cloned the fusesoc core index ${url} into ${relative(join(dir, "..", ".."), dir)}`);
  return true;
}
