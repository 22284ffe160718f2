import assert from "node:assert/strict";
import { resolve } from "node:path";
import { defaultSiteCacheDir, type EnvReader, resolveCacheDir } from "../../../core/fetch/cache/dir.ts";

function env(vars: Record<string, string>): EnvReader {
  return { get: (k) => vars[k] };
}

Deno.test("the cache-dir flag wins over IVPM_CACHE and the site default", () => {
  const dir = resolveCacheDir({ flag: "/flag", env: env({ IVPM_CACHE: "/envdir" }), siteDefault: "/site" });
  assert.equal(dir, "/flag");
});

Deno.test("IVPM_CACHE wins over the site default", () => {
  assert.equal(resolveCacheDir({ env: env({ IVPM_CACHE: "/envdir" }), siteDefault: "/site" }), "/envdir");
});

Deno.test("the site default is used when neither flag nor IVPM_CACHE is set", () => {
  assert.equal(resolveCacheDir({ env: env({}), siteDefault: "/site" }), "/site");
});

Deno.test("IVPM_CACHE set to an empty string disables the cache", () => {
  assert.equal(resolveCacheDir({ env: env({ IVPM_CACHE: "" }), siteDefault: "/site" }), null);
});

Deno.test("an empty flag or empty site default disables the cache", () => {
  assert.equal(
    resolveCacheDir({ flag: "", env: env({ IVPM_CACHE: "/envdir" }), siteDefault: "/site" }),
    null,
  );
  assert.equal(resolveCacheDir({ env: env({}), siteDefault: "" }), null);
  assert.equal(resolveCacheDir({ env: env({}), siteDefault: null }), null);
});

Deno.test("a relative cache dir is made absolute and ~ is expanded", () => {
  assert.equal(resolveCacheDir({ env: env({ IVPM_CACHE: "rel/c" }), siteDefault: null }), resolve("rel/c"));
  assert.equal(
    resolveCacheDir({ env: env({ IVPM_CACHE: "~/c", HOME: "/home/u" }), siteDefault: null }),
    "/home/u/c",
  );
});

Deno.test("the default site cache dir follows XDG_CACHE_HOME, else ~/.cache", () => {
  assert.equal(defaultSiteCacheDir(env({ XDG_CACHE_HOME: "/x", HOME: "/home/u" }), "linux"), "/x/ivpm");
  assert.equal(defaultSiteCacheDir(env({ HOME: "/home/u" }), "linux"), "/home/u/.cache/ivpm");
  // The XDG spec says relative values are invalid.
  assert.equal(
    defaultSiteCacheDir(env({ XDG_CACHE_HOME: "x", HOME: "/home/u" }), "darwin"),
    "/home/u/.cache/ivpm",
  );
});

Deno.test("the default site cache dir on Windows is under LOCALAPPDATA", () => {
  const dir = defaultSiteCacheDir(env({ LOCALAPPDATA: "/appdata" }), "windows");
  assert.match(dir, /^\/appdata[\\/]ivpm[\\/]cache$/);
});
