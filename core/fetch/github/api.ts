/**
 * A tiny GitHub REST client: releases (all pages), tags (all pages) and
 * commit lookup. Uses `GITHUB_TOKEN` when set (the original only did for
 * releases, and read only the first page of 30).
 *
 * @module
 */

import { IvpmError } from "../../base/errors.ts";
import type { GitHubAsset, GitHubRelease, GitHubTag } from "./types.ts";

/** Default REST endpoint; `GITHUB_API_URL` overrides it (GitHub Enterprise, tests). */
export const DEFAULT_GITHUB_API_URL = "https://api.github.com";

/** Largest page GitHub serves. */
const PER_PAGE = 100;
/** Guard against a server whose `Link: next` never ends (100 × 100 = 10,000 items). */
const MAX_PAGES = 100;
const DEFAULT_TIMEOUT_MS = 30_000;

/** Reads one environment variable; returns undefined when unset or not permitted. */
export type EnvReader = (name: string) => string | undefined;

/** How to reach the API. Anything left out comes from the environment. */
export interface GitHubApiOptions {
  /** REST base URL; default `GITHUB_API_URL`, else {@link DEFAULT_GITHUB_API_URL}. */
  baseUrl?: string;
  /** Bearer token; default `GITHUB_TOKEN`. `null` means "send none" even if the variable is set. */
  token?: string | null;
  /** Per-request time limit in milliseconds (default 30 s). */
  timeoutMs?: number;
  /** Where to read `GITHUB_API_URL`/`GITHUB_TOKEN` (default: the process environment). */
  env?: EnvReader;
}

/** Reads the process environment without failing when env access is not granted. */
export const processEnv: EnvReader = (name) => {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
};

/** Client for the few GitHub REST endpoints ivpm needs. */
export class GitHubApi {
  /** REST base URL without a trailing slash. */
  readonly baseUrl: string;
  readonly #token?: string;
  readonly #timeoutMs: number;

  constructor(options: GitHubApiOptions = {}) {
    const env = options.env ?? processEnv;
    this.baseUrl = (options.baseUrl ?? (env("GITHUB_API_URL") || DEFAULT_GITHUB_API_URL)).replace(/\/+$/, "");
    const token = options.token === undefined ? env("GITHUB_TOKEN") : options.token;
    this.#token = token || undefined;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /** Whether requests carry a token. */
  get authenticated(): boolean {
    return this.#token !== undefined;
  }

  /**
   * The `Authorization` header for a request to `url`: the token goes only to the configured
   * API origin, never to a host a response names (a `Link`, an asset's download URL).
   */
  authorizationFor(url: string): Record<string, string> {
    if (!this.#token) return {};
    let origin: string;
    try {
      origin = new URL(url).origin;
    } catch {
      return {};
    }
    return origin === new URL(this.baseUrl).origin ? { Authorization: `Bearer ${this.#token}` } : {};
  }

  /**
   * Yields the repository's releases page by page, newest first (API order).
   * Lets callers that need only the newest release stop after one request.
   */
  async *releasePages(owner: string, repo: string): AsyncGenerator<GitHubRelease[]> {
    for await (const page of this.#pages(owner, repo, "releases")) {
      yield page.map(toRelease).filter((r): r is GitHubRelease => r !== undefined);
    }
  }

  /** Every release of the repository, newest first, following `Link: rel="next"` across pages. */
  async listReleases(owner: string, repo: string): Promise<GitHubRelease[]> {
    const all: GitHubRelease[] = [];
    for await (const page of this.releasePages(owner, repo)) all.push(...page);
    return all;
  }

  /** Every tag of the repository, in API order, following pagination. */
  async listTags(owner: string, repo: string): Promise<GitHubTag[]> {
    const all: GitHubTag[] = [];
    for await (const page of this.#pages(owner, repo, "tags")) {
      for (const item of page) {
        const tag = toTag(item);
        if (tag) all.push(tag);
      }
    }
    return all;
  }

  /** Resolves a branch, tag or SHA to the full commit SHA. */
  async getCommit(owner: string, repo: string, ref: string): Promise<string> {
    const url = `${this.#repoUrl(owner, repo)}/commits/${encodeURIComponent(ref)}`;
    const { body } = await this.#getJson(url, owner, repo, ref);
    const sha = isRecord(body) ? body.sha : undefined;
    if (typeof sha !== "string") {
      throw new IvpmError(`GitHub API returned no commit SHA for ref '${ref}' of ${owner}/${repo} (${url})`);
    }
    return sha;
  }

  #repoUrl(owner: string, repo: string): string {
    return `${this.baseUrl}/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}`;
  }

  async *#pages(owner: string, repo: string, what: "releases" | "tags"): AsyncGenerator<unknown[]> {
    let url: string | undefined = `${this.#repoUrl(owner, repo)}/${what}?per_page=${PER_PAGE}`;
    const seen = new Set<string>();
    while (url && !seen.has(url) && seen.size < MAX_PAGES) {
      seen.add(url);
      const { body, link }: { body: unknown; link: string | null } = await this.#getJson(url, owner, repo);
      if (!Array.isArray(body)) {
        throw new IvpmError(
          `GitHub API returned an unexpected response for ${url} (expected a list of ${what})`,
        );
      }
      yield body;
      const next = nextLink(link);
      url = next ? new URL(next, url).href : undefined;
    }
  }

  async #getJson(url: string, owner: string, repo: string, ref?: string): Promise<{
    body: unknown;
    link: string | null;
  }> {
    const headers = new Headers({
      "Accept": "application/vnd.github+json",
      "User-Agent": "ivpm",
      "X-GitHub-Api-Version": "2022-11-28",
    });
    for (const [k, v] of Object.entries(this.authorizationFor(url))) headers.set(k, v);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.#timeoutMs);
    try {
      let res: Response;
      try {
        res = await fetch(url, { headers, signal: controller.signal });
      } catch (err) {
        throw networkError(url, err, controller.signal.aborted, this.#timeoutMs);
      }
      if (!res.ok) {
        const text = await res.text().catch(() => "");
        throw this.#statusError(res, text, url, owner, repo, ref);
      }
      let text: string;
      try {
        text = await res.text();
      } catch (err) {
        throw networkError(url, err, controller.signal.aborted, this.#timeoutMs);
      }
      try {
        return { body: JSON.parse(text), link: res.headers.get("link") };
      } catch {
        throw new IvpmError(`GitHub API returned invalid JSON from ${url}`, {
          hint: "check GITHUB_API_URL points at a GitHub REST API",
        });
      }
    } finally {
      clearTimeout(timer);
    }
  }

  #statusError(
    res: Response,
    text: string,
    url: string,
    owner: string,
    repo: string,
    ref?: string,
  ): IvpmError {
    const status = res.status;
    const apiMessage = messageOf(text);
    if ((status === 403 || status === 429) && isRateLimited(res, apiMessage)) {
      const reset = resetTime(res.headers);
      return new IvpmError(
        `GitHub API rate limit exceeded (HTTP ${status} from ${url})${
          reset ? `; it resets at ${reset}` : ""
        }`,
        {
          hint: this.#token
            ? "wait for the limit to reset, or use a token with a higher limit in GITHUB_TOKEN"
            : "set GITHUB_TOKEN to a GitHub token: authenticated requests get 5,000 per hour instead of 60",
        },
      );
    }
    if (status === 404) {
      return new IvpmError(
        this.#token
          ? `GitHub repository ${owner}/${repo} not found (or private: the token in GITHUB_TOKEN cannot read it)`
          : `GitHub repository ${owner}/${repo} not found (or private: set GITHUB_TOKEN)`,
        { hint: `check the dependency's url (requested ${url})` },
      );
    }
    if (status === 422 && ref !== undefined) {
      return new IvpmError(`No commit matches ref '${ref}' in GitHub repository ${owner}/${repo}`, {
        hint: "check the branch, tag or commit of the dependency",
      });
    }
    if (status === 401) {
      return new IvpmError(`GitHub rejected the token in GITHUB_TOKEN (HTTP 401 from ${url})`, {
        hint: "renew the token, or unset GITHUB_TOKEN for public repositories",
      });
    }
    if (status === 403) {
      return new IvpmError(
        `GitHub API refused access to ${url} (HTTP 403${apiMessage ? `: ${apiMessage}` : ""})`,
        { hint: "set GITHUB_TOKEN to a token that can read the repository" },
      );
    }
    return new IvpmError(
      `GitHub API request to ${url} failed: HTTP ${status}${apiMessage ? ` (${apiMessage})` : ""}`,
    );
  }
}

/** Extracts the `rel="next"` target of an RFC 8288 `Link` header. */
export function nextLink(link: string | null): string | undefined {
  if (!link) return undefined;
  for (const part of link.split(",")) {
    const m = /<([^>]*)>(.*)/.exec(part.trim());
    if (!m) continue;
    const rel = /;\s*rel\s*=\s*"?([^";]*)"?/i.exec(m[2]);
    if (rel && rel[1].split(/\s+/).includes("next")) return m[1];
  }
  return undefined;
}

function networkError(url: string, err: unknown, timedOut: boolean, timeoutMs: number): IvpmError {
  if (timedOut) {
    return new IvpmError(`GitHub API at ${url} did not answer within ${timeoutMs / 1000} s`, {
      hint: "check the network connection, or GITHUB_API_URL",
    });
  }
  const reason = err instanceof Error ? err.message : String(err);
  return new IvpmError(`Cannot reach the GitHub API at ${url}: ${reason}`, {
    hint: "check the network connection, or GITHUB_API_URL",
    cause: err,
  });
}

function isRateLimited(res: Response, apiMessage: string | undefined): boolean {
  return res.status === 429 || res.headers.get("x-ratelimit-remaining") === "0" ||
    res.headers.has("retry-after") || /rate limit/i.test(apiMessage ?? "");
}

/** Formats `x-ratelimit-reset` (epoch seconds) as `HH:MM:SS UTC`; `retry-after` as seconds. */
function resetTime(headers: Headers): string | undefined {
  const reset = Number(headers.get("x-ratelimit-reset"));
  if (Number.isFinite(reset) && reset > 0) {
    return `${new Date(reset * 1000).toISOString().slice(11, 19)} UTC`;
  }
  const retry = headers.get("retry-after");
  return retry ? `${retry} s` : undefined;
}

function messageOf(text: string): string | undefined {
  try {
    const body: unknown = JSON.parse(text);
    return isRecord(body) && typeof body.message === "string" ? body.message : undefined;
  } catch {
    return undefined;
  }
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

function str(x: unknown): string | undefined {
  return typeof x === "string" && x !== "" ? x : undefined;
}

function toAsset(x: unknown): GitHubAsset | undefined {
  if (!isRecord(x)) return undefined;
  const url = str(x.browser_download_url);
  const name = str(x.name) ?? url?.split("/").pop();
  if (!url || !name) return undefined;
  return { name, url, apiUrl: str(x.url) };
}

function toRelease(x: unknown): GitHubRelease | undefined {
  if (!isRecord(x)) return undefined;
  const tagName = str(x.tag_name);
  if (!tagName) return undefined;
  const assets = Array.isArray(x.assets) ? x.assets.map(toAsset).filter((a) => a !== undefined) : [];
  return {
    tagName,
    prerelease: x.prerelease === true,
    draft: x.draft === true,
    assets,
    tarballUrl: str(x.tarball_url),
    zipballUrl: str(x.zipball_url),
  };
}

function toTag(x: unknown): GitHubTag | undefined {
  if (!isRecord(x)) return undefined;
  const name = str(x.name);
  if (!name) return undefined;
  const commit = isRecord(x.commit) ? str(x.commit.sha) : undefined;
  return { name, tarballUrl: str(x.tarball_url), zipballUrl: str(x.zipball_url), commitSha: commit };
}
