/**
 * GitHub Releases (`src: gh-rls`) resolution: from a repository URL and a
 * version spec to the one file to download.
 *
 * @module
 */

import { GitHubApi } from "./api.ts";
import { type AssetRequest, assetRequest } from "./asset_request.ts";
import { releaseCacheKey } from "./cache_key.ts";
import { detectPlatform, type Platform } from "./platform.ts";
import { parseGitHubRepoUrl } from "./repo_url.ts";
import { selectAsset, type SelectedAsset } from "./select_asset.ts";
import { matchRelease, type SelectedRelease, selectRelease } from "./select_release.ts";
import type { GitHubRelease } from "./types.ts";
import { parseVersionSpec } from "./version_spec.ts";

export * from "./api.ts";
export * from "./asset_request.ts";
export * from "./cache_key.ts";
export * from "./glob.ts";
export * from "./platform.ts";
export * from "./repo_url.ts";
export * from "./select_asset.ts";
export * from "./select_release.ts";
export * from "./types.ts";
export { parseVersionSpec, type VersionSpec } from "./version_spec.ts";

/** The gh-rls keys of a dependency entry. */
export interface GhReleaseSpec {
  /** Repository URL on github.com. */
  url: string;
  /** Version spec (default `latest`). */
  version?: string;
  /** Consider pre-releases. */
  prerelease?: boolean;
  /** Download the source archive instead of a built asset. */
  source?: boolean;
  /** Asset name prefix or shell pattern. */
  file?: string;
}

/** Everything a gh-rls fetch needs to know. */
export interface ResolvedGhRelease extends SelectedRelease {
  owner: string;
  repo: string;
  /** The file to download. */
  asset: SelectedAsset;
  /** Cache version key `<tag>_<os>_<arch>`. */
  cacheKey: string;
  /** Where to download the asset from, and the headers (the token only for the API origin). */
  download: AssetRequest;
}

/** Injection points; defaults are a client configured from the environment and the real host. */
export interface ResolveGhReleaseOptions {
  api?: GitHubApi;
  platform?: Platform;
}

/**
 * Resolves a gh-rls dependency: lists releases (for `latest`, only as many pages as needed),
 * falls back to tags when no release matches, then selects the asset for the platform.
 *
 * @throws IvpmError for a bad URL, an API failure, no matching release or no suitable asset.
 */
export async function resolveGhRelease(
  spec: GhReleaseSpec,
  options: ResolveGhReleaseOptions = {},
): Promise<ResolvedGhRelease> {
  const { owner, repo } = parseGitHubRepoUrl(spec.url);
  const api = options.api ?? new GitHubApi();
  const selectOptions = {
    version: spec.version,
    prerelease: spec.prerelease,
    source: spec.source,
    repo: `${owner}/${repo}`,
  };

  const releases: GitHubRelease[] = [];
  let selected: SelectedRelease | undefined;
  if (parseVersionSpec(spec.version).kind === "latest") {
    // The newest qualifying release is usually on the first page: stop there.
    for await (const page of api.releasePages(owner, repo)) {
      releases.push(...page);
      const found = matchRelease(page, selectOptions);
      if (found) {
        selected = { tag: found.tagName, release: found, fromTags: false };
        break;
      }
    }
  } else {
    releases.push(...await api.listReleases(owner, repo));
    const found = matchRelease(releases, selectOptions);
    if (found) selected = { tag: found.tagName, release: found, fromTags: false };
  }
  selected ??= selectRelease(releases, await api.listTags(owner, repo), selectOptions);

  const platform = options.platform ?? await detectPlatform();
  const asset = selectAsset(selected.release, {
    platform,
    file: spec.file,
    source: spec.source,
    repo: `${owner}/${repo}`,
  });
  return {
    ...selected,
    owner,
    repo,
    asset,
    cacheKey: releaseCacheKey(selected.tag, platform),
    download: assetRequest(api, asset),
  };
}
