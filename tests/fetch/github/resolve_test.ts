import { equal } from "node:assert/strict";
import { GitHubApi, type Platform, resolveGhRelease } from "../../../core/fetch/github/mod.ts";
import { catchIvpmErrorAsync } from "../../_helpers/catch_ivpm_error.ts";
import { type FakeRelease, startFakeGitHub } from "../../_helpers/fake_github.ts";

const LINUX: Platform = {
  os: "linux",
  arch: "x86_64",
  glibc: [2, 36],
  distro: { id: "debian", versionId: "12" },
};

const RELEASES: FakeRelease[] = Array.from({ length: 150 }, (_, i) => ({
  tag: `v1.${149 - i}.0`,
  assets: [`tool-linux-x86_64.tar.gz`, "tool-macos-arm64.tar.gz", "SHA256SUMS.sha256"],
}));

Deno.test("latest reads only the first page when it holds a usable release", async () => {
  const gh = startFakeGitHub({ repos: { "org/tool": { releases: RELEASES } } });
  try {
    const api = new GitHubApi({ baseUrl: gh.url, token: null });
    const got = await resolveGhRelease({ url: "https://github.com/org/tool" }, { api, platform: LINUX });
    equal(got.tag, "v1.149.0");
    equal(got.fromTags, false);
    equal(got.owner, "org");
    equal(got.repo, "tool");
    equal(got.asset.url, `${gh.url}/org/tool/releases/download/v1.149.0/tool-linux-x86_64.tar.gz`);
    equal(got.asset.kind, "tar.gz");
    equal(got.cacheKey, "v1.149.0_linux_x86_64");
    equal(gh.requests.length, 1);
    // The URL really serves the asset.
    equal(await (await fetch(got.asset.url)).text(), "asset tool-linux-x86_64.tar.gz");
  } finally {
    await gh.close();
  }
});

Deno.test("a range is matched across all pages of releases", async () => {
  const gh = startFakeGitHub({ repos: { "org/tool": { releases: RELEASES } } });
  try {
    const api = new GitHubApi({ baseUrl: gh.url, token: null });
    const got = await resolveGhRelease({ url: "https://github.com/org/tool.git", version: ">=1.10,<1.20" }, {
      api,
      platform: { os: "darwin", arch: "aarch64" },
    });
    equal(got.tag, "v1.19.0");
    equal(got.asset.name, "tool-macos-arm64.tar.gz");
    equal(got.cacheKey, "v1.19.0_darwin_aarch64");
    equal(gh.requests.filter((r) => r.path.endsWith("/releases")).length, 2);
    equal(gh.requests.some((r) => r.path.endsWith("/tags")), false);
  } finally {
    await gh.close();
  }
});

Deno.test("with only pre-releases, latest falls back to the newest tag's source archive", async () => {
  const gh = startFakeGitHub({
    repos: {
      "org/tool": {
        releases: [{ tag: "v2.0.0-rc1", prerelease: true, assets: ["tool-linux-x86_64.tar.gz"] }],
        tags: ["v1.5.0", "v1.4.0"],
      },
    },
  });
  try {
    const api = new GitHubApi({ baseUrl: gh.url, token: null });
    const got = await resolveGhRelease({ url: "https://github.com/org/tool" }, { api, platform: LINUX });
    equal(got.tag, "v1.5.0");
    equal(got.fromTags, true);
    equal(got.asset.source, true);
    equal(got.asset.name, "v1.5.0.tar.gz");
    equal(got.asset.url, `${gh.url}/repos/org/tool/tarball/v1.5.0`);
    equal(gh.requests.map((r) => r.path).join(" "), "/repos/org/tool/releases /repos/org/tool/tags");

    const pre = await resolveGhRelease({ url: "https://github.com/org/tool", prerelease: true }, {
      api,
      platform: LINUX,
    });
    equal(pre.tag, "v2.0.0-rc1");
    equal(pre.asset.name, "tool-linux-x86_64.tar.gz");
  } finally {
    await gh.close();
  }
});

Deno.test("a spec nothing matches reports the repository and its tags", async () => {
  const gh = startFakeGitHub({ repos: { "org/tool": { releases: RELEASES.slice(0, 3), tags: ["v0.1"] } } });
  try {
    const api = new GitHubApi({ baseUrl: gh.url, token: null });
    const err = await catchIvpmErrorAsync(() =>
      resolveGhRelease({ url: "https://github.com/org/tool", version: "^3" }, { api, platform: LINUX })
    );
    equal(err.message, "No release or tag matches version spec '^3' in org/tool");
    equal(err.hint, "available tags: v1.149.0, v1.148.0, v1.147.0, v0.1");
  } finally {
    await gh.close();
  }
});
