/**
 * Issue 12, downloads: a file name from a URL or a release asset never becomes
 * a path outside the package, the GitHub token goes to the API origin only, and
 * a re-fetched http package must still be the file the lock recorded.
 */

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { runUpdate } from "../../core/update/update.ts";
import { HandlerRegistry } from "../../core/engine/registry.ts";
import { catchIvpmErrorAsync } from "../_helpers/catch_ivpm_error.ts";
import { startFakeGitHub } from "../_helpers/fake_github.ts";
import { makeRepo } from "../_helpers/git_fixture.ts";
import { startHttpServer } from "../_helpers/http_server.ts";
import {
  cliEnv,
  type DepEntry,
  depSets,
  exists,
  ivpmYaml,
  readLockJson,
  runIvpm,
  tempRoot,
  writeProjectDeps,
} from "../_helpers/update_project.ts";

/** Five `..` lead from a package's staging files (`packages/<staging>/<pkg>-N/dl/`) to the temp root. */
const ESCAPE = "..%2F..%2F..%2F..%2F..%2Fvictim.txt";
const ESCAPE_NAME = "../../../../../victim.txt";

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

async function project(root: string, deps: DepEntry[]): Promise<string> {
  return await writeProjectDeps(join(root, "proj"), deps);
}

/** In-process update without handlers (these tests are about what lands on disk). */
function update(projectDir: string, opts: { refresh?: boolean } = {}) {
  return runUpdate({ projectDir, cacheDir: null, handlers: new HandlerRegistry(), ...opts });
}

Deno.test("safety 1: an http URL whose file name escapes the package is refused", async () => {
  const tmp = await tempRoot();
  const server = startHttpServer({ [`/${ESCAPE}`]: () => new Response("pwned") });
  try {
    const victim = join(tmp.path, "victim.txt");
    await Deno.writeTextFile(victim, "original");
    // The hostile URL is in a dependency's ivpm.yaml, not in the project's.
    const evil = await makeRepo(tmp.path, "evil", {
      files: {
        "ivpm.yaml": ivpmYaml({
          name: "evil",
          "dep-sets": depSets({
            default: [{ name: "payload", src: "http", url: `${server.url}/${ESCAPE}` }],
          }),
        }),
      },
    });
    const proj = await project(tmp.path, [{ name: "evil", url: evil.url }]);
    const err = await catchIvpmErrorAsync(() => update(proj));
    assert.match(err.message, /package 'payload'/);
    assert.ok(err.message.includes(JSON.stringify(ESCAPE_NAME)), err.message);
    assert.equal(await Deno.readTextFile(victim), "original");
    assert.equal(await exists(join(proj, "packages", "payload")), false);
  } finally {
    await server.close();
    await tmp.dispose();
  }
});

Deno.test("safety 1: a gh-rls asset whose name escapes the package is refused", async () => {
  const tmp = await tempRoot();
  const gh = startFakeGitHub({
    repos: { "acme/tool": { releases: [{ tag: "v1.0", assets: [{ name: ESCAPE_NAME, body: "pwned" }] }] } },
  });
  try {
    const victim = join(tmp.path, "victim.txt");
    await Deno.writeTextFile(victim, "original");
    const proj = await project(tmp.path, [
      { name: "tool", src: "gh-rls", url: "https://github.com/acme/tool", file: "../" },
    ]);
    const r = await runIvpm(proj, ["update"], cliEnv({ GITHUB_API_URL: gh.url }));
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stderr,
      /package 'tool': refusing to save a download as "\.\.\/\.\.\/\.\.\/\.\.\/\.\.\/victim\.txt"/,
    );
    assert.match(r.stderr, /release v1\.0 of acme\/tool/);
    assert.equal(await Deno.readTextFile(victim), "original");
    assert.ok(!gh.requests.some((q) => q.path.includes("releases/download")), "nothing was downloaded");
  } finally {
    await gh.close();
    await tmp.dispose();
  }
});

Deno.test("safety 7: a gh-rls asset URL on another origin never receives GITHUB_TOKEN", async () => {
  const tmp = await tempRoot();
  const elsewhere = startHttpServer({
    "/api-asset": () => new Response("from the api url"),
    "/download/tool.txt": () => new Response("the tool"),
  });
  const gh = startFakeGitHub({
    repos: {
      "acme/tool": {
        releases: [{
          tag: "v1.0",
          assets: [{
            name: "tool.txt",
            apiUrl: `${elsewhere.url}/api-asset`,
            downloadUrl: `${elsewhere.url}/download/tool.txt`,
          }],
        }],
      },
    },
  });
  try {
    const proj = await project(tmp.path, [
      { name: "tool", src: "gh-rls", url: "https://github.com/acme/tool", file: "tool.txt" },
    ]);
    const r = await runIvpm(proj, ["update"], cliEnv({ GITHUB_API_URL: gh.url, GITHUB_TOKEN: "s3cret" }));
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await Deno.readTextFile(join(proj, "packages/tool/tool.txt")), "the tool");
    assert.ok(elsewhere.requests.length > 0, "the asset was downloaded from its public URL");
    for (const q of elsewhere.requests) assert.equal(q.headers.get("authorization"), null, q.path);
    assert.equal(elsewhere.hits["/api-asset"], undefined);
    // The API itself still gets the token.
    assert.ok(gh.requests.every((q) => q.headers.get("authorization") === "Bearer s3cret"));
  } finally {
    await gh.close();
    await elsewhere.close();
    await tmp.dispose();
  }
});

Deno.test("safety 8: a re-fetched http package must match the sha256 in the lock", async () => {
  const tmp = await tempRoot();
  let body = "version one";
  const server = startHttpServer({ "/lib.txt": () => new Response(body) });
  try {
    const url = `${server.url}/lib.txt`;
    const proj = await project(tmp.path, [{ name: "lib", src: "http", url }]);
    const pkgFile = join(proj, "packages/lib/lib.txt");
    await update(proj);
    assert.equal((await readLockJson(proj)).packages.lib.sha256, sha256("version one"));

    // Upstream replaces the file; the package is fetched again (e.g. after it was removed).
    body = "version two";
    await Deno.remove(join(proj, "packages/lib"), { recursive: true });
    const err = await catchIvpmErrorAsync(() => update(proj));
    assert.ok(
      err.message.includes(
        `package 'lib': the file at ${url} changed since it was locked ` +
          `(locked sha256:${sha256("version one")}, got sha256:${sha256("version two")})`,
      ),
      err.message,
    );
    assert.match(err.hint ?? "", /ivpm update --refresh-all/);
    assert.equal(await exists(pkgFile), false);
    assert.equal((await readLockJson(proj)).packages.lib.sha256, sha256("version one"));

    // The fix the hint names works: --refresh-all accepts the new file and locks its hash.
    await update(proj, { refresh: true });
    assert.equal(await Deno.readTextFile(pkgFile), "version two");
    assert.equal((await readLockJson(proj)).packages.lib.sha256, sha256("version two"));
  } finally {
    await server.close();
    await tmp.dispose();
  }
});
