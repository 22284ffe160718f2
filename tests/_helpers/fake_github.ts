/**
 * A fake GitHub REST API on 127.0.0.1 for tests: releases and tags with real
 * pagination (`per_page`, `page`, `Link` headers), commit lookup, rate-limit
 * and private-repository behaviour, and downloadable assets and source
 * archives. Every request is recorded with its headers.
 *
 * @example
 * ```ts
 * const gh = startFakeGitHub({ repos: { "o/r": { releases: [{ tag: "v1.0", assets: ["t-linux-x86_64.tar.gz"] }] } } });
 * try {
 *   const api = new GitHubApi({ baseUrl: gh.url, token: null });
 *   // …
 * } finally {
 *   await gh.close();
 * }
 * ```
 *
 * @module
 */

/**
 * An asset: just a name (body is `asset <name>`), or a name with its bytes and, to
 * play a hostile release, its `url` (REST) and `browser_download_url` as given.
 */
export type FakeAsset = string | {
  name: string;
  body?: string | Uint8Array<ArrayBuffer>;
  apiUrl?: string;
  downloadUrl?: string;
};

/** One release, listed in the given order (put the newest first, like GitHub). */
export interface FakeRelease {
  tag: string;
  prerelease?: boolean;
  draft?: boolean;
  assets?: FakeAsset[];
  /** Overrides the asset download URLs with `…/untagged-<hash>/…` ones (an unpublished draft's). */
  untagged?: boolean;
  /** Bytes served at the release's `tarball_url` (404 when absent). */
  tarball?: Uint8Array<ArrayBuffer>;
  /** Bytes served at the release's `zipball_url` (404 when absent). */
  zipball?: Uint8Array<ArrayBuffer>;
}

/** One repository. */
export interface FakeRepo {
  releases?: FakeRelease[];
  /** Tag names in API order, or tags with the commit they point at. */
  tags?: (string | { name: string; sha?: string })[];
  /** ref (branch, tag, sha) → full commit SHA. */
  commits?: Record<string, string>;
  /** Only requests with `Authorization: Bearer <token>` see it; others get 404 like GitHub. */
  privateToken?: string;
}

/** Server set-up. */
export interface FakeGitHubOptions {
  /** Keyed by `owner/repo`. */
  repos: Record<string, FakeRepo>;
  /** Page size when the client sends no `per_page` (GitHub's is 30). */
  defaultPerPage?: number;
  /** Answer every API request with this rate-limit response. */
  rateLimit?: "exhausted" | "secondary";
}

/** A request as the server saw it. */
export interface RecordedRequest {
  method: string;
  path: string;
  search: URLSearchParams;
  headers: Headers;
}

/** A running fake. */
export interface FakeGitHub {
  /** Base URL (`http://127.0.0.1:PORT`), usable as `GITHUB_API_URL`. */
  url: string;
  /** Every request received, in order. */
  requests: RecordedRequest[];
  /** Switch rate limiting on or off while running. */
  setRateLimit(mode: FakeGitHubOptions["rateLimit"]): void;
  /** Stops the server. */
  close(): Promise<void>;
}

/** Epoch second reported as `x-ratelimit-reset` (2030-01-01T00:00:00Z). */
export const FAKE_RATE_LIMIT_RESET = 1_893_456_000;

/** Starts the fake on an ephemeral port of 127.0.0.1. */
export function startFakeGitHub(options: FakeGitHubOptions): FakeGitHub {
  const requests: RecordedRequest[] = [];
  let rateLimit = options.rateLimit;
  let base = "";

  const handler = (req: Request): Response => {
    const u = new URL(req.url);
    requests.push({ method: req.method, path: u.pathname, search: u.searchParams, headers: req.headers });
    const parts = u.pathname.split("/").filter(Boolean).map(decodeURIComponent);

    // Downloads: /<o>/<r>/releases/download/<tag>/<name> (the browser_download_url shape).
    if (parts[2] === "releases" && parts[3] === "download" && parts.length === 6) {
      const rel = findRepo(parts[0], parts[1])?.releases?.find((r) => r.tag === parts[4]);
      const asset = rel?.assets?.map(assetOf).find((a) => a.name === parts[5]);
      return asset ? new Response(asset.body) : notFound();
    }

    if (parts[0] !== "repos" || parts.length < 4) return notFound();
    if (rateLimit) return rateLimited(rateLimit);
    const repo = findRepo(parts[1], parts[2]);
    if (!repo) return notFound();
    if (repo.privateToken && req.headers.get("authorization") !== `Bearer ${repo.privateToken}`) {
      return notFound();
    }
    const repoBase = `${base}/repos/${parts[1]}/${parts[2]}`;
    const what = parts[3];

    if (what === "releases" && parts.length === 4) {
      const items = (repo.releases ?? []).map((r, i) =>
        releaseJson(r, i, repoBase, `${base}/${parts[1]}/${parts[2]}`)
      );
      return paged(items, u);
    }
    if (what === "tags" && parts.length === 4) {
      const items = (repo.tags ?? []).map((t) => {
        const tag = typeof t === "string" ? { name: t } : t;
        return {
          name: tag.name,
          tarball_url: `${repoBase}/tarball/${encodeURIComponent(tag.name)}`,
          zipball_url: `${repoBase}/zipball/${encodeURIComponent(tag.name)}`,
          commit: { sha: tag.sha ?? "0".repeat(40) },
        };
      });
      return paged(items, u);
    }
    if (what === "commits" && parts.length >= 5) {
      const ref = parts.slice(4).join("/");
      const sha = repo.commits?.[ref];
      return sha ? Response.json({ sha }) : Response.json({ message: `No commit found for SHA: ${ref}` }, {
        status: 422,
      });
    }
    if (what === "releases" && parts[4] === "assets" && parts.length === 6) {
      // The REST asset URL: bytes with `Accept: application/octet-stream`, like GitHub.
      const id = Number(parts[5]);
      const rel = repo.releases?.[Math.floor(id / 1000) - 1];
      const asset = rel?.assets?.map(assetOf)[id % 1000];
      return asset ? new Response(asset.body) : notFound();
    }
    if ((what === "tarball" || what === "zipball") && parts.length === 5) {
      const rel = repo.releases?.find((r) => r.tag === parts[4]);
      const body = what === "tarball" ? rel?.tarball : rel?.zipball;
      return body ? new Response(body) : notFound();
    }
    return notFound();
  };

  const findRepo = (owner: string, name: string) => options.repos[`${owner}/${name}`];

  const paged = (items: unknown[], u: URL): Response => {
    const perPage = Math.min(Number(u.searchParams.get("per_page") ?? options.defaultPerPage ?? 30), 100);
    const page = Math.max(Number(u.searchParams.get("page") ?? 1), 1);
    const last = Math.max(Math.ceil(items.length / perPage), 1);
    const headers = new Headers();
    const link = (p: number, rel: string) => {
      const next = new URL(u.pathname, base);
      next.searchParams.set("per_page", String(perPage));
      next.searchParams.set("page", String(p));
      return `<${next.href}>; rel="${rel}"`;
    };
    const links: string[] = [];
    if (page < last) links.push(link(page + 1, "next"), link(last, "last"));
    if (page > 1) links.push(link(1, "first"), link(page - 1, "prev"));
    if (links.length > 0) headers.set("link", links.join(", "));
    return Response.json(items.slice((page - 1) * perPage, page * perPage), { headers });
  };

  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, handler);
  base = `http://127.0.0.1:${server.addr.port}`;
  return {
    url: base,
    requests,
    setRateLimit(mode) {
      rateLimit = mode;
    },
    close: () => server.shutdown(),
  };
}

function assetOf(a: FakeAsset): Exclude<FakeAsset, string> & { body: string | Uint8Array<ArrayBuffer> } {
  return typeof a === "string"
    ? { name: a, body: `asset ${a}` }
    : { ...a, body: a.body ?? `asset ${a.name}` };
}

function releaseJson(r: FakeRelease, index: number, repoBase: string, webBase: string) {
  return {
    id: index + 1,
    tag_name: r.tag,
    name: r.tag,
    draft: r.draft ?? false,
    prerelease: r.prerelease ?? false,
    tarball_url: `${repoBase}/tarball/${encodeURIComponent(r.tag)}`,
    zipball_url: `${repoBase}/zipball/${encodeURIComponent(r.tag)}`,
    assets: (r.assets ?? []).map(assetOf).map((a, j) => ({
      id: (index + 1) * 1000 + j,
      name: a.name,
      url: a.apiUrl ?? `${repoBase}/releases/assets/${(index + 1) * 1000 + j}`,
      browser_download_url: a.downloadUrl ??
        (r.untagged
          ? `${webBase}/releases/download/untagged-0123456789abcdef/${encodeURIComponent(a.name)}`
          : `${webBase}/releases/download/${encodeURIComponent(r.tag)}/${encodeURIComponent(a.name)}`),
    })),
  };
}

function notFound(): Response {
  return Response.json({ message: "Not Found" }, { status: 404 });
}

function rateLimited(mode: "exhausted" | "secondary"): Response {
  if (mode === "secondary") {
    return Response.json({ message: "You have exceeded a secondary rate limit." }, {
      status: 429,
      headers: { "retry-after": "60" },
    });
  }
  return Response.json({ message: "API rate limit exceeded for 127.0.0.1." }, {
    status: 403,
    headers: {
      "x-ratelimit-limit": "60",
      "x-ratelimit-remaining": "0",
      "x-ratelimit-reset": String(FAKE_RATE_LIMIT_RESET),
    },
  });
}
