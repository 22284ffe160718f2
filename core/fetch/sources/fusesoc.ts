/**
 * `src: fusesoc` — a FuseSoC core named by VLNV (`vendor:library:name[:version]`),
 * looked up in the fusesoc-cores index and fetched from the provider its catalog
 * `.core` names:
 *
 * - `github` / `git` providers are cloned at the provider's `version` — the tag
 *   (or commit) really checked out; the original cloned the default branch;
 * - `url` providers are downloaded (unpacked for `filetype: tar|zip`).
 *
 * The package root then always holds a `.core` describing the resolved VLNV:
 * the provider's own when its root has one with that name, else the catalog's,
 * copied with its `provider:` section removed (the package *is* the provided
 * content, so paths resolve against it and FuseSoC does not fetch it again) and
 * hidden from `git status` through `.git/info/exclude`. The fusesoc handler
 * registers the package root for every `src: fusesoc` package (the original's
 * `catalog_core_dir`, which pointed into the index and made FuseSoC fetch the
 * provider a second time).
 *
 * Environment: `IVPM_FUSESOC_INDEX_URL` replaces the index repository;
 * `IVPM_FUSESOC_GITHUB_BASE` replaces the `https://github.com/` prefix of git
 * provider URLs when cloning (a mirror, or a local directory of bare repositories
 * `<base>/<user>/<repo>.git` in tests); the lock keeps the canonical URL.
 *
 * @module
 */

import { basename, join } from "node:path";
import { archiveKindFromName } from "../archive/kind.ts";
import type { DependencySpec } from "../../config/model.ts";
import { IvpmError } from "../../base/errors.ts";
import { cloneRepo, resolveRemoteRef } from "../git/mod.ts";
import { downloadToFile } from "../net/mod.ts";
import { excludeOwnFile } from "../git/own_files.ts";
import { lstatOrUndefined } from "../../util/fs.ts";
import {
  type CatalogCore,
  coreVlnv,
  formatVlnv,
  fusesocIndexUrl,
  loadIndex,
  parseVlnv,
  type Provider,
} from "./fusesoc_index.ts";
import { checkDownloadName, urlFileName } from "./download_name.ts";
import { infoOf } from "../../config/source_info.ts";
import type { FetchContext, FetchOutcome, Source } from "./types.ts";

const GITHUB = "https://github.com/";

/** The URL git clones for a provider URL (`IVPM_FUSESOC_GITHUB_BASE` applied). */
export function cloneUrlOf(url: string, env?: Readonly<Record<string, string>>): string {
  const base = env ? env.IVPM_FUSESOC_GITHUB_BASE : Deno.env.get("IVPM_FUSESOC_GITHUB_BASE");
  if (!base || !url.startsWith(GITHUB)) return url;
  return base.replace(/\/*$/, "/") + url.slice(GITHUB.length);
}

/** Clone options for a provider `version`: a commit sha, else a tag (or branch) name. */
function revision(ref: string | undefined): { tag?: string; commit?: string } {
  if (ref === undefined) return {};
  return /^[0-9a-f]{7,40}$/i.test(ref) ? { commit: ref } : { tag: ref };
}

/**
 * `text` of a core without its provider: the top-level `provider:` block of a
 * CAPI-2 (YAML) core, or the `[provider]` section of a CAPI-1 (INI) one.
 */
export function withoutProvider(text: string): string {
  const lines = text.split("\n");
  const out: string[] = [];
  const yaml = !/^\s*CAPI=1\b/.test(text);
  for (let i = 0; i < lines.length; i++) {
    const top = yaml ? /^provider\s*:/.test(lines[i]) : /^\[provider\]\s*$/.test(lines[i]);
    if (!top) {
      out.push(lines[i]);
      continue;
    }
    // The block: following lines that are indented (YAML) or not a new [section] (INI); blank
    // lines count only when more of the block follows.
    let end = i;
    for (let j = i + 1; j < lines.length; j++) {
      const l = lines[j];
      if (l.trim() === "") continue;
      if (yaml ? /^[ \t]/.test(l) : !/^\[/.test(l)) end = j;
      else break;
    }
    i = end;
  }
  return out.join("\n");
}

/**
 * Makes sure the package root holds a `.core` naming the resolved VLNV: keeps the
 * provider's own, else writes the catalog's without its provider. Returns the file
 * written, if any.
 */
async function placeCatalogCore(staged: string, core: CatalogCore): Promise<string | undefined> {
  const want = formatVlnv(core.vlnv);
  const names: string[] = [];
  for await (const e of Deno.readDir(staged)) if (e.isFile) names.push(e.name);
  for (const name of names.filter((n) => n.endsWith(".core"))) {
    const v = coreVlnv(await Deno.readTextFile(join(staged, name)).catch(() => ""));
    if (v && formatVlnv(v) === want) return undefined;
  }
  let name = checkDownloadName(basename(core.file), `the core file ${core.file} of the FuseSoC index`);
  if (names.includes(name)) name = `ivpm-${name}`;
  await Deno.writeTextFile(join(staged, name), withoutProvider(core.text));
  if ((await lstatOrUndefined(join(staged, ".git")))?.isDirectory) {
    // Not the provider's file: keep `git status` (and local-work checks) clean.
    await excludeOwnFile(staged, name);
  }
  return name;
}

/** Downloads a `url` provider into `staged` (a single file, or an unpacked tar/zip). */
async function fetchUrlProvider(
  provider: Extract<Provider, { kind: "url" }>,
  staged: string,
  ctx: FetchContext,
): Promise<void> {
  // Checked as one plain file name: the URL comes from the index, not from the project.
  const name = urlFileName(provider.url);
  const type = provider.filetype?.toLowerCase();
  if (type === "tar" || type === "zip") {
    let kind = archiveKindFromName(name);
    if (kind === "file") kind = type === "zip" ? "zip" : "tar.gz";
    const dl = await downloadToFile(provider.url, join(ctx.workDir, "dl", name), { signal: ctx.signal });
    // FuseSoC extracts without stripping a top-level directory: the core's paths expect it.
    const { extractArchive } = await import("../archive/extract.ts");
    await extractArchive(dl.path, staged, kind, { strip: 0, signal: ctx.signal });
  } else {
    await downloadToFile(provider.url, join(staged, name), { signal: ctx.signal });
  }
}

async function fetchFusesoc(dep: DependencySpec, ctx: FetchContext): Promise<FetchOutcome> {
  const want = parseVlnv(String(dep.options.vlnv ?? ""), `package '${dep.name}': vlnv`);
  const { readProvider, selectCore } = await import("./fusesoc_provider.ts");
  const indexUrl = fusesocIndexUrl(ctx.env);
  const load = (update: boolean) =>
    loadIndex(ctx.depsDir, indexUrl, { update, signal: ctx.signal, note: ctx.note });
  let index = await load(ctx.refresh);
  let pick = selectCore(index.catalog, want, indexUrl);
  if ("miss" in pick && !index.fetched) {
    // The core may be newer than our copy of the index.
    index = await load(true);
    pick = selectCore(index.catalog, want, indexUrl);
  }
  if ("miss" in pick) throw pick.error;
  const core = pick;
  const provider = readProvider(core);
  const version = core.vlnv.version ?? null;
  const label = `fusesoc core ${formatVlnv(core.vlnv)}`;

  const exists = !!(await lstatOrUndefined(ctx.finalPath));
  const prev = ctx.previous;
  if (
    exists && prev && ctx.refresh && !ctx.force && prev.provider_url === provider.url &&
    (prev.version ?? null) === version
  ) {
    // Same provider and version: nothing to fetch unless the tag moved.
    const kept = {
      placement: { kind: "kept" as const },
      lock: { ...lockOf(provider, version, prev.commit) },
    };
    if (provider.kind === "url") return { ...kept, version: version ?? undefined };
    const ref = provider.ref;
    const same = ref && /^[0-9a-f]{7,39}$/i.test(ref)
      ? typeof prev.commit === "string" && prev.commit.startsWith(ref.toLowerCase())
      : (await resolveRemoteRef(cloneUrlOf(provider.url, ctx.env), ref, { signal: ctx.signal })
        .catch(() => undefined)) === prev.commit;
    if (same) return { ...kept, version: version ?? undefined };
  }
  // Local work in an existing checkout is guarded where the new one replaces it (update/place.ts).

  const staged = join(ctx.workDir, "core");
  let commit: string | null = null;
  if (provider.kind === "git") {
    try {
      const r = await cloneRepo(
        { url: cloneUrlOf(provider.url, ctx.env), ...revision(provider.ref) },
        staged,
        { signal: ctx.signal },
      );
      commit = r.commit;
    } catch (e) {
      if (!(e instanceof IvpmError)) throw e;
      throw new IvpmError(
        `${label}: cannot clone ${provider.url}${provider.ref ? ` at '${provider.ref}'` : ""}: ${e.message}`,
        {
          hint: e.hint ?? `the provider is declared in ${core.file}`,
          cause: e,
        },
      );
    }
  } else {
    await fetchUrlProvider(provider, staged, ctx);
  }
  const added = await placeCatalogCore(staged, core);
  if (added) ctx.note(`${dep.name}: added the catalog's ${added} (the provider has no core for it)`);
  return {
    placement: { kind: "path", staged },
    lock: lockOf(provider, version, commit),
    version: version ?? (commit ? commit.slice(0, 7) : undefined),
  };
}

function lockOf(provider: Provider, version: string | null, commit: unknown): Record<string, unknown> {
  return { provider_url: provider.url, version, commit: typeof commit === "string" ? commit : null };
}

/** The `fusesoc` source. */
export const fusesocSource: Source = {
  ...infoOf("fusesoc"),
  // The index can change under a VLNV (and a tag can move): the lock pins the version, not the bytes.
  reproducible: false,
  spec: (dep) => ({ vlnv: String(dep.options.vlnv ?? "") }),
  fetch: fetchFusesoc,
  fromLock: (e) => {
    if (typeof e.vlnv !== "string") return undefined;
    try {
      const v = parseVlnv(e.vlnv);
      return {
        options: {
          vlnv: formatVlnv({ ...v, version: typeof e.version === "string" ? e.version : v.version }),
        },
      };
    } catch {
      return undefined;
    }
  },
};
