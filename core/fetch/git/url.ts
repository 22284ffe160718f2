/**
 * Git URL rewriting (https → SSH unless anonymous) and GitHub URL parsing.
 *
 * @module
 */

/** `scheme://authority/path`, the URL shape {@link toSshUrl} rewrites. */
const SCHEME_URL = /^([a-z][a-z0-9+.-]*):\/\/([^/]*)\/?(.*)$/i;

/**
 * Rewrites `scheme://host/path` to the SSH form `git@host:path` so private
 * repositories authenticate with the user's SSH key.
 *
 * Left unchanged: `file://` URLs, scp-like `git@…`/`user@host:path` URLs, local
 * paths, and `ssh://` URLs (already SSH; rewriting would drop their user and port).
 * A user name, password or port in an http(s) URL is dropped: it belongs to that
 * protocol, not to SSH.
 */
export function toSshUrl(url: string): string {
  const m = SCHEME_URL.exec(url);
  if (!m) return url;
  const [, scheme, authority, path] = m;
  const lower = scheme.toLowerCase();
  if (lower === "file" || lower === "ssh" || lower === "git+ssh" || path === "") return url;
  const host = authority.replace(/^.*@/, "").replace(/:\d*$/, "");
  if (host === "") return url;
  return `git@${host}:${path}`;
}

/**
 * The URL ivpm actually clones: as written when `anonymous` (public https
 * access), else the SSH form from {@link toSshUrl}.
 */
export function effectiveGitUrl(url: string, opts: { anonymous: boolean }): string {
  return opts.anonymous ? url : toSshUrl(url);
}

/** Owner and repository name of a GitHub URL. */
export interface GithubRepo {
  owner: string;
  repo: string;
}

/**
 * Extracts `{owner, repo}` from a GitHub URL in https, ssh (`ssh://git@github.com/o/r`)
 * or scp-like (`git@github.com:o/r.git`) form. A trailing `/` and a `.git`
 * suffix are removed (only the suffix: a repository named `test` stays `test`).
 * Further path segments (`/releases`, `/tree/main`) are ignored.
 *
 * @returns undefined when the URL is not a github.com repository URL.
 */
export function parseGithubUrl(url: string): GithubRepo | undefined {
  let host: string;
  let path: string;
  const m = SCHEME_URL.exec(url.trim());
  if (m) {
    host = m[2].replace(/^.*@/, "").replace(/:\d*$/, "");
    path = m[3];
  } else {
    const scp = /^(?:[^@/\s]+@)?([^:/\s]+):(.*)$/.exec(url.trim());
    if (!scp) return undefined;
    host = scp[1];
    path = scp[2];
  }
  host = host.toLowerCase();
  if (host !== "github.com" && host !== "www.github.com") return undefined;
  const parts = path.replace(/[?#].*$/, "").split("/").filter((p) => p !== "");
  if (parts.length < 2) return undefined;
  const owner = parts[0];
  const repo = parts[1].endsWith(".git") ? parts[1].slice(0, -".git".length) : parts[1];
  if (repo === "") return undefined;
  return { owner, repo };
}

/**
 * Whether git reads `url` from the local file system: a `file://` URL or a
 * plain path (git treats `host:path` with the colon before any slash as scp-like
 * SSH, except a Windows drive letter).
 */
export function isLocalGitUrl(url: string): boolean {
  if (url === "") return false;
  if (/^file:\/\//i.test(url)) return true;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) return false;
  if (/^[a-z]:[\\/]/i.test(url)) return true;
  const colon = url.indexOf(":");
  const slash = url.indexOf("/");
  return colon < 0 || (slash >= 0 && slash < colon);
}

/**
 * The `protocol.file.allow` a submodule update of a repository fetched from
 * `parentUrl` may use: `always` for a local parent (its file:// submodules are
 * the user's own), else git's default `user`, which refuses file:// submodules so
 * a repository on a server cannot make ivpm copy local repositories.
 */
export function submoduleFileProtocol(parentUrl: string): "always" | "user" {
  return isLocalGitUrl(parentUrl) ? "always" : "user";
}
