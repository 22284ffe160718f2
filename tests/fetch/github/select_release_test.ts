import { deepEqual, equal } from "node:assert/strict";
import {
  matchRelease,
  selectRelease,
  type SelectReleaseOptions,
} from "../../../core/fetch/github/select_release.ts";
import type { GitHubRelease, GitHubTag } from "../../../core/fetch/github/types.ts";
import { catchIvpmError } from "../../_helpers/catch_ivpm_error.ts";

function rel(
  tagName: string,
  opts: { prerelease?: boolean; draft?: boolean; assets?: string[] } = {},
): GitHubRelease {
  return {
    tagName,
    prerelease: opts.prerelease ?? false,
    draft: opts.draft ?? false,
    assets: (opts.assets ?? ["tool-linux-x86_64.tar.gz"]).map((name) => ({
      name,
      url: name.startsWith("http") ? name : `https://github.com/o/r/releases/download/${tagName}/${name}`,
    })),
    tarballUrl: `https://api.github.com/repos/o/r/tarball/${tagName}`,
  };
}

function tag(name: string): GitHubTag {
  return { name, tarballUrl: `https://api.github.com/repos/o/r/tarball/${name}` };
}

/** Newest first, like the API. */
const RELEASES: GitHubRelease[] = [
  rel("v2.1.0-rc1", { prerelease: true }),
  rel("v2.0.1"),
  rel("v2.0.0"),
  rel("v1.10.0"),
  rel("v1.9.2"),
  rel("v1.2.0"),
  rel("nightly"),
  rel("v1.0.0"),
  rel("0.9"),
];

function pick(
  version: string,
  options: SelectReleaseOptions = {},
  releases = RELEASES,
  tags: GitHubTag[] = [],
) {
  return selectRelease(releases, tags, { version, repo: "o/r", ...options });
}

Deno.test("latest skips prereleases unless they are allowed", () => {
  equal(pick("latest").tag, "v2.0.1");
  equal(pick("latest", { prerelease: true }).tag, "v2.1.0-rc1");
  equal(selectRelease(RELEASES, [], {}).tag, "v2.0.1");
});

Deno.test("latest skips releases whose assets all carry untagged- URLs, unless source is wanted", () => {
  const releases = [
    rel("v3.0.0", { assets: ["https://github.com/o/r/releases/download/untagged-abc123/tool.tar.gz"] }),
    rel("v2.9.0", { assets: [] }),
    rel("v2.8.0"),
  ];
  equal(pick("latest", {}, releases).tag, "v2.8.0");
  equal(pick("latest", { source: true }, releases).tag, "v3.0.0");
});

Deno.test("latest never picks a draft", () => {
  equal(pick("latest", {}, [rel("v9.0.0", { draft: true }), rel("v1.0.0")]).tag, "v1.0.0");
});

Deno.test("latest falls back to the first tag when no release qualifies", () => {
  const got = pick("latest", {}, [rel("v1.0.0-beta", { prerelease: true })], [tag("v0.5.0"), tag("v0.4.0")]);
  equal(got.tag, "v0.5.0");
  equal(got.fromTags, true);
  deepEqual(got.release, {
    tagName: "v0.5.0",
    prerelease: false,
    draft: false,
    assets: [],
    tarballUrl: "https://api.github.com/repos/o/r/tarball/v0.5.0",
    zipballUrl: undefined,
  });
  equal(pick("latest").fromTags, false);
});

Deno.test("each single comparison operator picks as the original does", () => {
  const cases: [string, string][] = [
    [">=2.0", "v2.0.1"], // newest match in API order
    [">2.0.0", "v2.0.1"],
    [">=v1.9", "v2.0.1"],
    ["> 1.10", "v2.0.1"],
    ["<2.0", "v1.10.0"], // highest satisfying, numeric not lexical
    ["<=1.9.2", "v1.9.2"],
    ["<1", "0.9"],
    ["<= v1.2", "v1.2.0"],
  ];
  for (const [spec, want] of cases) equal(pick(spec).tag, want, spec);
});

Deno.test("comparisons skip prereleases unless allowed", () => {
  catchIvpmError(() => pick(">=2.1"));
  equal(pick(">=2.1", { prerelease: true }).tag, "v2.1.0-rc1");
  equal(pick("<=2.1", { prerelease: true }).tag, "v2.1.0-rc1");
  equal(pick("<=2.1").tag, "v2.0.1");
});

Deno.test("semver ranges pick the highest satisfying version", () => {
  const cases: [string, string][] = [
    [">=1.0 <2.0", "v1.10.0"],
    [">=1.0,<2.0", "v1.10.0"],
    [">=1.0, <1.10", "v1.9.2"],
    ["^1.2", "v1.10.0"],
    ["~1.9", "v1.9.2"],
    ["1.x", "v1.10.0"],
    ["^0.9", "0.9"],
    ["1.2.0 - 1.9.9", "v1.9.2"],
  ];
  for (const [spec, want] of cases) equal(pick(spec).tag, want, spec);
});

Deno.test("semver ranges accept prereleases only when allowed", () => {
  equal(pick("^2.0").tag, "v2.0.1");
  equal(pick("^2.0", { prerelease: true }).tag, "v2.1.0-rc1");
});

Deno.test("a numeric prefix picks the newest release with that prefix", () => {
  const releases = [rel("v5.4.0"), rel("v5.3.2"), rel("v5.3.10"), rel("v5.3.1"), rel("v5.2.0")];
  equal(pick("5.3", {}, releases).tag, "v5.3.2");
  equal(pick("v5", {}, releases).tag, "v5.4.0");
  equal(pick("5.2", {}, releases).tag, "v5.2.0");
});

Deno.test("an exact tag matches with or without the v prefix, regardless of prerelease", () => {
  equal(pick("v1.2.0").tag, "v1.2.0");
  equal(pick("1.2.0").tag, "v1.2.0");
  equal(pick("nightly").tag, "nightly");
  equal(pick("v0.9").tag, "0.9");
  equal(pick("2.1.0-rc1").tag, "v2.1.0-rc1");
});

Deno.test("a version found only among tags is taken from the tags", () => {
  const got = pick("0.5", {}, RELEASES, [tag("v0.6.0"), tag("v0.5.3"), tag("v0.5.2")]);
  equal(got.tag, "v0.5.3");
  equal(got.fromTags, true);
  deepEqual(got.release.assets, []);
});

Deno.test("matchRelease does not look at tags", () => {
  equal(matchRelease(RELEASES, { version: "0.5" }), undefined);
  equal(matchRelease(RELEASES, { version: "^1" })?.tagName, "v1.10.0");
});

Deno.test("no match names the spec and repository and lists up to 10 tags", () => {
  const many = Array.from({ length: 14 }, (_, i) => rel(`v1.${13 - i}.0`));
  const err = catchIvpmError(() => pick(">=3.0", {}, many, [tag("v1.0.0")]));
  equal(err.message, "No release or tag matches version spec '>=3.0' in o/r");
  equal(
    err.hint,
    "available tags: v1.13.0, v1.12.0, v1.11.0, v1.10.0, v1.9.0, v1.8.0, v1.7.0, v1.6.0, v1.5.0, v1.4.0, … (4 more)",
  );
});

Deno.test("no releases and no tags says so", () => {
  const err = catchIvpmError(() => pick("latest", {}, [], []));
  equal(err.message, "No release or tag matches version spec 'latest' in o/r");
  equal(err.hint, "the repository has no releases or tags");
});

Deno.test("a no-match hint suggests prerelease: true when pre-releases exist", () => {
  const err = catchIvpmError(() => pick("latest", {}, [rel("v1.0.0-rc1", { prerelease: true })]));
  equal(err.hint, "available tags: v1.0.0-rc1; set prerelease: true to consider pre-releases");
});
