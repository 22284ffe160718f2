/**
 * Turns the `url:` of a GitHub dependency into `owner` and `repo`.
 *
 * @module
 */

import { IvpmError } from "../../base/errors.ts";

/** Owner and name of a GitHub repository. */
export interface GitHubRepoRef {
  owner: string;
  repo: string;
}

/**
 * Parses `https://github.com/o/r`, `https://github.com/o/r.git`, `git@github.com:o/r.git`,
 * `github.com/o/r/` and URLs with further path segments (`…/o/r/releases`).
 *
 * Unlike the original, only a literal `.git` suffix is removed (it used a
 * character-set strip, turning repo `test` into `tes`).
 *
 * @throws IvpmError when the URL does not name a repository on github.com.
 */
export function parseGitHubRepoUrl(url: string): GitHubRepoRef {
  const trimmed = url.trim();
  const at = trimmed.indexOf("github.com");
  if (at < 0) {
    throw new IvpmError(`GitHub release URL must point at github.com: '${url}'`, {
      hint: "use the repository page URL, e.g. https://github.com/owner/repo",
    });
  }
  // After "github.com" comes "/" (https) or ":" (scp-like ssh).
  const rest = trimmed.slice(at + "github.com".length).replace(/^[:/]+/, "");
  const [owner, rawRepo] = rest.split(/[/?#]/);
  const repo = rawRepo?.endsWith(".git") ? rawRepo.slice(0, -4) : rawRepo;
  if (!owner || !repo) {
    throw new IvpmError(`GitHub URL '${url}' does not name a repository`, {
      hint: "use the form https://github.com/owner/repo",
    });
  }
  return { owner, repo };
}
