/**
 * Which catalog core a `src: fusesoc` dependency gets and where its provider says
 * to fetch it from. Reading a provider parses the core's YAML, so this module (and
 * the YAML library) is loaded only when a fusesoc package is fetched.
 *
 * @module
 */

import YAML from "yaml";
import { IvpmError } from "../../base/errors.ts";
import { similarity } from "../../util/suggest.ts";
import { type CatalogCore, compareVersions, formatVlnv, type Provider, type Vlnv } from "./fusesoc_index.ts";

function str(v: unknown): string | undefined {
  return typeof v === "string" && v.trim() ? v.trim() : typeof v === "number" ? String(v) : undefined;
}

function unsupported(core: CatalogCore, why: string): IvpmError {
  return new IvpmError(`fusesoc core ${formatVlnv(core.vlnv)} (${core.file}): ${why}`, {
    hint: "ivpm fetches cores whose provider is github, git or url; pin this one with src: git instead",
  });
}

/**
 * The provider of a catalog core: CAPI-2 `{name: github, user, repo, version}`,
 * `{name: git, repo, version}`, `{name: url, url, filetype}`, and the CAPI-1 style
 * `{github: "user/repo" | {user, repo}}`, `{git: repo | {repo, version}}`.
 *
 * @throws {IvpmError} for a core without provider or with another kind.
 */
export function readProvider(core: CatalogCore): Provider {
  let doc: unknown;
  try {
    doc = YAML.parse(core.text);
  } catch (e) {
    throw unsupported(core, `cannot be read: ${(e as Error).message.split("\n")[0]}`);
  }
  const p = (doc as Record<string, unknown> | null)?.provider as Record<string, unknown> | undefined;
  if (!p || typeof p !== "object") throw unsupported(core, "it has no provider section");
  const github = (user?: string, repo?: string, version?: string): Provider => {
    if (!user || !repo) throw unsupported(core, "its github provider needs user and repo");
    return { kind: "git", url: `https://github.com/${user}/${repo.replace(/\.git$/, "")}.git`, ref: version };
  };
  const name = str(p.name);
  if (name === "github") return github(str(p.user), str(p.repo), str(p.version));
  if (name === "git") {
    const repo = str(p.repo) ?? str(p.url);
    if (!repo) throw unsupported(core, "its git provider has no repo");
    return { kind: "git", url: repo, ref: str(p.version) };
  }
  if (name === "url") {
    const url = str(p.url);
    if (!url) throw unsupported(core, "its url provider has no url");
    return { kind: "url", url, filetype: str(p.filetype) };
  }
  if (name !== undefined) throw unsupported(core, `provider '${name}' is not supported`);
  // CAPI-1 style.
  if (p.github !== undefined) {
    if (typeof p.github === "string") {
      const [user, repo] = p.github.split("/");
      return github(user, repo, str(p.version));
    }
    const g = p.github as Record<string, unknown>;
    return github(str(g.user), str(g.repo), str(g.version) ?? str(p.version));
  }
  if (p.git !== undefined) {
    if (typeof p.git === "string") return { kind: "git", url: p.git, ref: str(p.version) };
    const g = p.git as Record<string, unknown>;
    const repo = str(g.repo) ?? str(g.url);
    if (!repo) throw unsupported(core, "its git provider has no repo");
    return { kind: "git", url: repo, ref: str(g.version) ?? str(p.version) };
  }
  throw unsupported(core, `provider ${JSON.stringify(p)} is not supported`);
}

/** The kind of a core's provider, or undefined when it has none ivpm can fetch. */
function providerKind(core: CatalogCore): Provider["kind"] | undefined {
  try {
    return readProvider(core).kind;
  } catch {
    return undefined;
  }
}

/** Why {@link selectCore} found nothing. */
export type SelectMiss = { miss: "name" | "version"; error: IvpmError };

/**
 * The catalog core `want` names: same name (and vendor/library when given), the
 * exact version, or for `latest`/no version the highest one — preferring a core
 * whose provider git can clone, as the original does.
 */
export function selectCore(
  catalog: readonly CatalogCore[],
  want: Vlnv,
  indexLabel: string,
): CatalogCore | SelectMiss {
  const same = (a: string, b: string) => a === "" || a === b;
  const named = catalog.filter((c) =>
    c.vlnv.name === want.name && same(want.vendor, c.vlnv.vendor) && same(want.library, c.vlnv.library)
  );
  if (!named.length) {
    const names = [...new Set(catalog.map((c) => c.vlnv.name))];
    const similar = names
      .map((n) => ({
        n,
        score: n.startsWith(want.name.slice(0, 3)) ? 1 + similarity(n, want.name) : similarity(n, want.name),
      }))
      .filter((x) => x.score >= 0.6)
      .sort((a, b) => b.score - a.score || (a.n < b.n ? -1 : 1))
      .slice(0, 5)
      .map((x) => x.n);
    return {
      miss: "name",
      error: new IvpmError(`no core matches VLNV '${formatVlnv(want)}' in the fusesoc index ${indexLabel}`, {
        hint: similar.length
          ? `similar names: ${similar.join(", ")}`
          : "check the name (fusesoc core-info / the fusesoc-cores repository list the cores)",
      }),
    };
  }
  const versions = (list: readonly CatalogCore[]) =>
    [...new Set(list.map((c) => c.vlnv.version ?? ""))].sort(compareVersions).reverse().filter(Boolean);
  if (want.version && want.version !== "latest") {
    const hit = named.find((c) => c.vlnv.version === want.version);
    if (hit) return hit;
    return {
      miss: "version",
      error: new IvpmError(
        `the fusesoc index ${indexLabel} has no version '${want.version}' of core '${want.name}'`,
        { hint: `available versions: ${versions(named).join(", ") || "none"} (or write 'latest')` },
      ),
    };
  }
  const ordered = [...named].sort((a, b) =>
    compareVersions(b.vlnv.version ?? "", a.vlnv.version ?? "") || (a.file < b.file ? -1 : 1)
  );
  for (const c of ordered) if (providerKind(c) === "git") return c;
  return ordered[0];
}
