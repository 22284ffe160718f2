/**
 * Normalized shapes of the GitHub REST objects ivpm uses. The API client
 * converts raw JSON into these so selection code never touches untyped data.
 *
 * @module
 */

/** One downloadable file attached to a release. */
export interface GitHubAsset {
  /** File name shown on the release page (e.g. `tool-1.2-linux-x86_64.tar.gz`). */
  name: string;
  /** Public download URL (`browser_download_url`). */
  url: string;
  /** REST URL of the asset; downloading it with `Accept: application/octet-stream` works for private repos. */
  apiUrl?: string;
}

/** A GitHub release, or a tag presented as one (no assets, not a prerelease). */
export interface GitHubRelease {
  /** The git tag the release points at. */
  tagName: string;
  /** Marked "pre-release" on GitHub. */
  prerelease: boolean;
  /** Unpublished draft (only visible with a token that can push). */
  draft: boolean;
  /** Attached files, in API order. */
  assets: GitHubAsset[];
  /** Source archive of the tag as `.tar.gz`. */
  tarballUrl?: string;
  /** Source archive of the tag as `.zip`. */
  zipballUrl?: string;
}

/** A git tag as listed by `GET /repos/{owner}/{repo}/tags`. */
export interface GitHubTag {
  /** Tag name. */
  name: string;
  /** Source archive of the tag as `.tar.gz`. */
  tarballUrl?: string;
  /** Source archive of the tag as `.zip`. */
  zipballUrl?: string;
  /** Commit the tag points at. */
  commitSha?: string;
}
