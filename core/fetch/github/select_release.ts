/**
 * Picks the release (or tag) a gh-rls `version:` spec asks for.
 *
 * Rules follow the original IVPM: `latest` is the newest
 * non-prerelease with a usable asset, else the first tag; a single
 * comparison (`>=1.2`) takes the newest match for `>`/`>=` and the highest
 * for `<`/`<=`; otherwise an exact tag, then the newest tag with that numeric
 * prefix (`5.3` → `v5.3.x`). Added: full semver ranges (`^1.2`, `>=1.0 <2.0`,
 * `>=1.0,<2.0`) pick the highest satisfying version. Drafts are never picked
 * (the original never saw them: it listed releases without a token).
 *
 * @module
 */

import { IvpmError } from "../../base/errors.ts";
import type { GitHubRelease, GitHubTag } from "./types.ts";
import {
  compareSemver,
  compareTuples,
  parseVersionSpec,
  satisfiesCompare,
  satisfiesRange,
  tagSemver,
  type VersionSpec,
  versionTuple,
} from "./version_spec.ts";

/** What to select. */
export interface SelectReleaseOptions {
  /** `latest` (default), an exact tag, a numeric prefix, a comparison or a semver range. */
  version?: string;
  /** Allow releases marked pre-release. */
  prerelease?: boolean;
  /** The source archive will be used, so releases without assets qualify for `latest`. */
  source?: boolean;
  /** `owner/repo`, used in error messages. */
  repo?: string;
}

/** The chosen release. */
export interface SelectedRelease {
  /** Tag name of the release. */
  tag: string;
  /** The release; a tag is presented as a release without assets. */
  release: GitHubRelease;
  /** True when no release matched and a plain tag did. */
  fromTags: boolean;
}

/** Presents a tag as a release: no assets, not a prerelease, only source archives. */
export function tagAsRelease(tag: GitHubTag): GitHubRelease {
  return {
    tagName: tag.name,
    prerelease: false,
    draft: false,
    assets: [],
    tarballUrl: tag.tarballUrl,
    zipballUrl: tag.zipballUrl,
  };
}

/**
 * Looks for a match among releases only (no tag fallback). Undefined when none matches,
 * so a caller can fetch tags only when needed.
 */
export function matchRelease(
  releases: readonly GitHubRelease[],
  options: SelectReleaseOptions = {},
): GitHubRelease | undefined {
  const spec = parseVersionSpec(options.version);
  const published = releases.filter((r) => !r.draft);
  if (spec.kind === "latest") return matchLatest(published, options);
  return matchSpec(published, spec, options.prerelease ?? false);
}

/**
 * Selects the release for `options.version` from `releases`, falling back to `tags` as the
 * original does.
 *
 * @throws IvpmError naming the spec and repository, with up to 10 available tags as a hint.
 */
export function selectRelease(
  releases: readonly GitHubRelease[],
  tags: readonly GitHubTag[],
  options: SelectReleaseOptions = {},
): SelectedRelease {
  const found = matchRelease(releases, options);
  if (found) return { tag: found.tagName, release: found, fromTags: false };

  const spec = parseVersionSpec(options.version);
  const tagReleases = tags.map(tagAsRelease);
  const fromTag = spec.kind === "latest" ? tagReleases[0] : matchSpec(tagReleases, spec, true);
  if (fromTag) return { tag: fromTag.tagName, release: fromTag, fromTags: true };

  throw noMatchError(releases, tags, options);
}

function matchLatest(
  releases: readonly GitHubRelease[],
  options: SelectReleaseOptions,
): GitHubRelease | undefined {
  return releases.find((r) =>
    (options.prerelease || !r.prerelease) &&
    // Draft-era assets keep `untagged-` URLs that 404 once published; such a release is unusable.
    (options.source || r.assets.some((a) => !a.url.includes("untagged-")))
  );
}

function matchSpec(
  releases: readonly GitHubRelease[],
  spec: Exclude<VersionSpec, { kind: "latest" }>,
  prerelease: boolean,
): GitHubRelease | undefined {
  const allowed = (r: GitHubRelease) => prerelease || !r.prerelease;

  if (spec.kind === "compare") {
    let best: { r: GitHubRelease; v: number[] } | undefined;
    for (const r of releases) {
      const v = versionTuple(r.tagName);
      if (!v || !allowed(r) || !satisfiesCompare(v, spec)) continue;
      // `>`/`>=`: the newest match in API order; `<`/`<=`: the highest version.
      if (spec.op === ">" || spec.op === ">=") return r;
      if (!best || compareTuples(v, best.v) > 0) best = { r, v };
    }
    return best?.r;
  }

  // Any other spec may simply be a tag name; the prerelease flag does not matter then.
  const exact = releases.find((r) =>
    r.tagName === spec.text || r.tagName === `v${spec.text}` || stripV(r.tagName) === stripV(spec.text)
  );
  if (exact) return exact;

  if (spec.kind === "exact") {
    const prefix = spec.prefix;
    if (!prefix) return undefined;
    return releases.find((r) => {
      const v = versionTuple(r.tagName);
      return allowed(r) && v !== undefined && v.length >= prefix.length &&
        prefix.every((n, i) => v[i] === n);
    });
  }

  let best: { r: GitHubRelease; v: string } | undefined;
  for (const r of releases) {
    const v = tagSemver(r.tagName);
    if (!v || !allowed(r) || !satisfiesRange(v, spec.range, prerelease)) continue;
    if (!best || compareSemver(v, best.v) > 0) best = { r, v };
  }
  return best?.r;
}

function stripV(s: string): string {
  return s.replace(/^v+/, "");
}

function noMatchError(
  releases: readonly GitHubRelease[],
  tags: readonly GitHubTag[],
  options: SelectReleaseOptions,
): IvpmError {
  const spec = (options.version ?? "latest").trim() || "latest";
  const where = options.repo ? ` in ${options.repo}` : "";
  const names = [
    ...new Set([...releases.filter((r) => !r.draft).map((r) => r.tagName), ...tags.map((t) => t.name)]),
  ];
  let hint: string;
  if (names.length === 0) {
    hint = "the repository has no releases or tags";
  } else {
    const more = names.length > 10 ? `, … (${names.length - 10} more)` : "";
    hint = `available tags: ${names.slice(0, 10).join(", ")}${more}`;
    const hasPre = releases.some((r) => r.prerelease && !r.draft);
    if (hasPre && !options.prerelease) hint += "; set prerelease: true to consider pre-releases";
  }
  return new IvpmError(`No release or tag matches version spec '${spec}'${where}`, { hint });
}
