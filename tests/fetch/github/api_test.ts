import { deepEqual, equal, match } from "node:assert/strict";
import { GitHubApi, nextLink } from "../../../core/fetch/github/api.ts";
import { catchIvpmErrorAsync } from "../../_helpers/catch_ivpm_error.ts";
import { type FakeRelease, startFakeGitHub } from "../../_helpers/fake_github.ts";

const noEnv = () => undefined;

/** 150 releases, newest (v1.149.0) first. */
const MANY: FakeRelease[] = Array.from({ length: 150 }, (_, i) => ({
  tag: `v1.${149 - i}.0`,
  assets: [`tool-1.${149 - i}.0-linux-x86_64.tar.gz`],
}));

Deno.test("listReleases follows Link: next over two pages of 100", async () => {
  const gh = startFakeGitHub({ repos: { "o/r": { releases: MANY } } });
  try {
    const api = new GitHubApi({ baseUrl: gh.url, token: null });
    const releases = await api.listReleases("o", "r");
    equal(releases.length, 150);
    equal(releases[0].tagName, "v1.149.0");
    equal(releases[149].tagName, "v1.0.0");
    deepEqual(releases[0].assets, [{
      name: "tool-1.149.0-linux-x86_64.tar.gz",
      url: `${gh.url}/o/r/releases/download/v1.149.0/tool-1.149.0-linux-x86_64.tar.gz`,
      apiUrl: `${gh.url}/repos/o/r/releases/assets/1000`,
    }]);
    equal(releases[0].tarballUrl, `${gh.url}/repos/o/r/tarball/v1.149.0`);
    equal(gh.requests.length, 2);
    deepEqual(gh.requests.map((r) => [r.path, r.search.get("per_page"), r.search.get("page")]), [
      ["/repos/o/r/releases", "100", null],
      ["/repos/o/r/releases", "100", "2"],
    ]);
  } finally {
    await gh.close();
  }
});

Deno.test("listTags follows pagination too and keeps API order", async () => {
  const tags = Array.from(
    { length: 120 },
    (_, i) => ({ name: `t${i}`, sha: i.toString(16).padStart(40, "0") }),
  );
  const gh = startFakeGitHub({ repos: { "o/r": { tags } } });
  try {
    const got = await new GitHubApi({ baseUrl: gh.url, token: null }).listTags("o", "r");
    equal(got.length, 120);
    deepEqual(got[119], {
      name: "t119",
      tarballUrl: `${gh.url}/repos/o/r/tarball/t119`,
      zipballUrl: `${gh.url}/repos/o/r/zipball/t119`,
      commitSha: (119).toString(16).padStart(40, "0"),
    });
    equal(gh.requests.length, 2);
  } finally {
    await gh.close();
  }
});

Deno.test("the token is sent as a Bearer header with the GitHub Accept and User-Agent", async () => {
  const sha = "a".repeat(40);
  const gh = startFakeGitHub({ repos: { "o/r": { releases: MANY.slice(0, 1), commits: { main: sha } } } });
  try {
    const api = new GitHubApi({ baseUrl: gh.url, token: "s3cret" });
    await api.listReleases("o", "r");
    equal(await api.getCommit("o", "r", "main"), sha);
    for (const req of gh.requests) {
      equal(req.headers.get("authorization"), "Bearer s3cret");
      equal(req.headers.get("accept"), "application/vnd.github+json");
      equal(req.headers.get("user-agent"), "ivpm");
    }
    equal(gh.requests[1].path, "/repos/o/r/commits/main");

    await new GitHubApi({ baseUrl: gh.url, token: null }).listReleases("o", "r");
    equal(gh.requests[2].headers.get("authorization"), null);
  } finally {
    await gh.close();
  }
});

Deno.test("GITHUB_API_URL and GITHUB_TOKEN come from the environment", async () => {
  const gh = startFakeGitHub({ repos: { "o/r": { releases: MANY.slice(0, 2), privateToken: "envtok" } } });
  try {
    const env = new Map([["GITHUB_API_URL", `${gh.url}/`], ["GITHUB_TOKEN", "envtok"]]);
    const api = new GitHubApi({ env: (name) => env.get(name) });
    equal(api.baseUrl, gh.url);
    equal(api.authenticated, true);
    equal((await api.listReleases("o", "r")).length, 2);
    equal(gh.requests[0].headers.get("authorization"), "Bearer envtok");
    equal(new GitHubApi({ env: noEnv }).baseUrl, "https://api.github.com");
  } finally {
    await gh.close();
  }
});

Deno.test("the token is not sent to another host named by a Link header", async () => {
  const other = startFakeGitHub({ repos: { "o/r": { releases: MANY } } });
  // The configured API host is a proxy for `other`, whose Link headers name `other` itself.
  const proxy = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const u = new URL(req.url);
    const res = await fetch(`${other.url}${u.pathname}${u.search}`);
    return new Response(res.body, { headers: res.headers });
  });
  try {
    const api = new GitHubApi({ baseUrl: `http://127.0.0.1:${proxy.addr.port}`, token: "s3cret" });
    equal((await api.listReleases("o", "r")).length, 150);
    // Page 1 went through the proxy (which forwards no headers); page 2 went straight to `other`.
    equal(other.requests.length, 2);
    equal(other.requests[1].search.get("page"), "2");
    equal(other.requests[1].headers.get("authorization"), null);
  } finally {
    await proxy.shutdown();
    await other.close();
  }
});

Deno.test("a missing repository says so and suggests GITHUB_TOKEN for private ones", async () => {
  const gh = startFakeGitHub({ repos: { "o/private": { releases: MANY.slice(0, 1), privateToken: "tok" } } });
  try {
    const anon = new GitHubApi({ baseUrl: gh.url, token: null });
    const err = await catchIvpmErrorAsync(() => anon.listReleases("o", "nope"));
    equal(err.message, "GitHub repository o/nope not found (or private: set GITHUB_TOKEN)");
    match(err.hint ?? "", /\/repos\/o\/nope\/releases/);
    equal(
      (await catchIvpmErrorAsync(() => anon.listReleases("o", "private"))).message,
      "GitHub repository o/private not found (or private: set GITHUB_TOKEN)",
    );
    const wrongToken = new GitHubApi({ baseUrl: gh.url, token: "other" });
    match(
      (await catchIvpmErrorAsync(() => wrongToken.listTags("o", "private"))).message,
      /GITHUB_TOKEN cannot read/,
    );
    equal((await new GitHubApi({ baseUrl: gh.url, token: "tok" }).listReleases("o", "private")).length, 1);
  } finally {
    await gh.close();
  }
});

Deno.test("an exhausted rate limit names the limit, its reset and GITHUB_TOKEN", async () => {
  const gh = startFakeGitHub({ repos: { "o/r": { releases: MANY } }, rateLimit: "exhausted" });
  try {
    const err = await catchIvpmErrorAsync(() =>
      new GitHubApi({ baseUrl: gh.url, token: null }).listReleases("o", "r")
    );
    equal(
      err.message,
      `GitHub API rate limit exceeded (HTTP 403 from ${gh.url}/repos/o/r/releases?per_page=100); ` +
        "it resets at 00:00:00 UTC",
    );
    equal(
      err.hint,
      "set GITHUB_TOKEN to a GitHub token: authenticated requests get 5,000 per hour instead of 60",
    );

    gh.setRateLimit("secondary");
    const err2 = await catchIvpmErrorAsync(() =>
      new GitHubApi({ baseUrl: gh.url, token: "t" }).getCommit("o", "r", "x")
    );
    match(err2.message, /^GitHub API rate limit exceeded \(HTTP 429 .*\); it resets at 60 s$/);
    match(err2.hint ?? "", /wait for the limit to reset/);
  } finally {
    await gh.close();
  }
});

Deno.test("getCommit reports an unknown ref", async () => {
  const gh = startFakeGitHub({ repos: { "o/r": { commits: { "feature/x": "b".repeat(40) } } } });
  try {
    const api = new GitHubApi({ baseUrl: gh.url, token: null });
    equal(await api.getCommit("o", "r", "feature/x"), "b".repeat(40));
    equal(gh.requests[0].path, "/repos/o/r/commits/feature%2Fx");
    const err = await catchIvpmErrorAsync(() => api.getCommit("o", "r", "nope"));
    equal(err.message, "No commit matches ref 'nope' in GitHub repository o/r");
  } finally {
    await gh.close();
  }
});

Deno.test("an unreachable API names the URL", async () => {
  const gh = startFakeGitHub({ repos: {} });
  const url = gh.url;
  await gh.close(); // nothing listens on the port any more
  const err = await catchIvpmErrorAsync(() =>
    new GitHubApi({ baseUrl: url, token: null }).listTags("o", "r")
  );
  match(err.message, new RegExp(`^Cannot reach the GitHub API at ${url}/repos/o/r/tags\\?per_page=100: `));
  match(err.hint ?? "", /GITHUB_API_URL/);
});

Deno.test("a non-JSON answer is reported, not thrown raw", async () => {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () => new Response("<html>"),
  );
  try {
    const base = `http://127.0.0.1:${server.addr.port}`;
    const err = await catchIvpmErrorAsync(() =>
      new GitHubApi({ baseUrl: base, token: null }).listReleases("o", "r")
    );
    equal(err.message, `GitHub API returned invalid JSON from ${base}/repos/o/r/releases?per_page=100`);
  } finally {
    await server.shutdown();
  }
});

Deno.test("nextLink reads rel=next among other relations", () => {
  equal(nextLink('<https://x/r?page=3>; rel="next", <https://x/r?page=9>; rel="last"'), "https://x/r?page=3");
  equal(nextLink('<https://x/r?page=1>; rel="prev", <https://x/r?page=2>; rel=next'), "https://x/r?page=2");
  equal(nextLink('<https://x/r?page=1>; rel="first"'), undefined);
  equal(nextLink(null), undefined);
});
