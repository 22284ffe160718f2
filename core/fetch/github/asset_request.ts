/**
 * How to download a selected release asset: which URL, with which headers.
 * The release JSON is untrusted, so its URLs decide nothing about where the
 * `GITHUB_TOKEN` goes: it is sent to the configured API origin only.
 *
 * @module
 */

import type { GitHubApi } from "./api.ts";
import type { SelectedAsset } from "./select_asset.ts";

/** A download request. */
export interface AssetRequest {
  url: string;
  headers: Record<string, string>;
}

/**
 * With a token, an asset whose REST URL is on the API origin is fetched there
 * (works for private repositories); anything else is fetched from its public
 * URL, with the token only if that URL is on the API origin too.
 */
export function assetRequest(api: GitHubApi, asset: SelectedAsset): AssetRequest {
  const viaApi = asset.apiUrl ? api.authorizationFor(asset.apiUrl) : {};
  if (asset.apiUrl && viaApi.Authorization) {
    return { url: asset.apiUrl, headers: { ...viaApi, Accept: "application/octet-stream" } };
  }
  return { url: asset.url, headers: api.authorizationFor(asset.url) };
}
