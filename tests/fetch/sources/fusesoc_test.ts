import assert from "node:assert/strict";
import { join } from "node:path";
import { HandlerRegistry } from "../../../core/engine/registry.ts";
import { type Landed, runUpdate } from "../../../core/update/update.ts";
import { compareVersions, coreVlnv, parseVlnv } from "../../../core/fetch/sources/fusesoc_index.ts";
import { readProvider, selectCore } from "../../../core/fetch/sources/fusesoc_provider.ts";
import { cloneUrlOf, fusesocSource, withoutProvider } from "../../../core/fetch/sources/fusesoc.ts";
import { catchIvpmError, catchIvpmErrorAsync } from "../../_helpers/catch_ivpm_error.ts";
import { envWith } from "../../_helpers/env.ts";
import { capi2Core, makeBlinkyRepo, makeIndexRepo } from "../../_helpers/fusesoc_fixtures.ts";
import { addCommit, fixtureGit } from "../../_helpers/git_fixture.ts";
import { startHttpServer } from "../../_helpers/http_server.ts";
import { depSets, exists, readLockJson, tempRoot, writeIvpmYaml } from "../../_helpers/update_project.ts";

const GITHUB_BLINKY = (version: string) => ({ name: "github", user: "acme", repo: "blinky", version });

/** A fake index (blinky 1.0/1.1 on GitHub, uartlite 2.0 by URL) and its provider repos. */
async function world() {
  const tmp = await tempRoot("ivpm-fusesoc-src-");
  const server = startHttpServer({
    "/uartlite.v": () => new Response("// uartlite 2.0\n"),
  });
  const githubBase = join(tmp.path, "gh");
  const blinky = await makeBlinkyRepo(githubBase);
  const index = await makeIndexRepo(tmp.path, {
    "blinky/blinky-1.0.core": capi2Core("::blinky:1.0", GITHUB_BLINKY("v1.0")),
    "blinky/blinky-1.1.core": capi2Core("::blinky:1.1", GITHUB_BLINKY("v1.1")),
    "uartlite/uartlite-2.0.core": capi2Core("acme:ip:uartlite:2.0", {
      name: "url",
      url: `${server.url}/uartlite.v`,
      filetype: "simple",
    }),
  });
  const vars = { IVPM_FUSESOC_INDEX_URL: index.url, IVPM_FUSESOC_GITHUB_BASE: githubBase };
  return {
    tmp,
    blinky,
    index,
    vars,
    /** Runs an update of a project depending on `vlnv` (as package `name`). */
    async update(deps: { name: string; vlnv: string }[], opts: { refresh?: boolean } = {}) {
      const dir = join(tmp.path, "proj");
      await writeIvpmYaml(dir, {
        name: "proj",
        "dep-sets": depSets({ default: deps.map((d) => ({ ...d, src: "fusesoc" })) }),
      });
      const r = await runUpdate({
        projectDir: dir,
        cacheDir: null,
        handlers: new HandlerRegistry(),
        refresh: opts.refresh,
        env: envWith(vars),
      });
      return { dir, r };
    },
    async dispose() {
      await server.close();
      await tmp.dispose();
    },
  };
}

Deno.test("::blinky:1.0 resolves to the v1.0 tag's content (not main) and gets the catalog core without its provider", async () => {
  const w = await world();
  try {
    const { dir } = await w.update([{ name: "blinky", vlnv: "::blinky:1.0" }]);
    const pkg = join(dir, "packages", "blinky");
    assert.equal(await Deno.readTextFile(join(pkg, "rtl.v")), "// blinky 1.0\n");
    // The provider has no core at v1.0: the catalog's is added, minus the provider block.
    const core = await Deno.readTextFile(join(pkg, "blinky-1.0.core"));
    assert.equal(core, withoutProvider(capi2Core("::blinky:1.0", GITHUB_BLINKY("v1.0"))));
    assert.doesNotMatch(core, /provider|github/);
    assert.match(core, /^name: ::blinky:1\.0$/m);
    // It is hidden from git: the checkout is clean.
    assert.equal(await fixtureGit(pkg, "status", "--porcelain"), "");
    assert.equal(await fixtureGit(pkg, "rev-parse", "HEAD"), w.blinky.v10);

    const lock = await readLockJson(dir);
    const e = lock.packages.blinky as Record<string, unknown>;
    assert.equal(e.src, "fusesoc");
    assert.equal(e.vlnv, "::blinky:1.0");
    assert.equal(e.provider_url, "https://github.com/acme/blinky.git"); // canonical, not the test rewrite
    assert.equal(e.version, "1.0");
    assert.equal(e.commit, w.blinky.v10);
    assert.ok(await exists(join(dir, "packages", ".fusesoc-index", "blinky", "blinky-1.0.core")));
  } finally {
    await w.dispose();
  }
});

Deno.test("'latest' (or no version) picks the highest version; the provider's own core is kept as is", async () => {
  const w = await world();
  try {
    const { dir, r } = await w.update([{ name: "b1", vlnv: "::blinky:latest" }, {
      name: "b2",
      vlnv: "::blinky",
    }]);
    for (const name of ["b1", "b2"]) {
      const pkg = join(dir, "packages", name);
      assert.equal(await Deno.readTextFile(join(pkg, "rtl.v")), "// blinky 1.1\n");
      // blinky.core at v1.1 already names ::blinky:1.1, so nothing is added.
      assert.deepEqual(
        (await Array.fromAsync(Deno.readDir(pkg))).map((e) => e.name).filter((n) => n.endsWith(".core")),
        ["blinky.core"],
      );
      assert.equal(await fixtureGit(pkg, "rev-parse", "HEAD"), w.blinky.v11);
      const e = r.lock.packages[name] as Record<string, unknown>;
      assert.equal(e.version, "1.1");
      assert.equal(e.commit, w.blinky.v11);
    }
  } finally {
    await w.dispose();
  }
});

Deno.test("a url provider's file is downloaded next to the catalog core", async () => {
  const w = await world();
  try {
    const { dir, r } = await w.update([{ name: "uart", vlnv: "acme:ip:uartlite:2.0" }]);
    const pkg = join(dir, "packages", "uart");
    assert.equal(await Deno.readTextFile(join(pkg, "uartlite.v")), "// uartlite 2.0\n");
    const core = await Deno.readTextFile(join(pkg, "uartlite-2.0.core"));
    assert.match(core, /^name: acme:ip:uartlite:2\.0$/m);
    assert.doesNotMatch(core, /provider/);
    const e = r.lock.packages.uart as Record<string, unknown>;
    assert.equal(e.commit, null);
    assert.equal(e.version, "2.0");
  } finally {
    await w.dispose();
  }
});

Deno.test("an unknown VLNV fails naming similar cores; an unknown version lists the available ones", async () => {
  const w = await world();
  try {
    const err = await catchIvpmErrorAsync(() => w.update([{ name: "x", vlnv: "::blinkie:1.0" }]));
    assert.match(err.message, /package 'x'.*no core matches VLNV '::blinkie:1\.0' in the fusesoc index/);
    assert.match(err.hint ?? "", /similar names: blinky/);
    const ver = await catchIvpmErrorAsync(() => w.update([{ name: "x", vlnv: "::blinky:9.9" }]));
    assert.match(ver.message, /has no version '9\.9' of core 'blinky'/);
    assert.match(ver.hint ?? "", /available versions: 1\.1, 1\.0/);
    // Vendor and library, when given, must match too.
    const vendor = await catchIvpmErrorAsync(() => w.update([{ name: "x", vlnv: "other:ip:uartlite:2.0" }]));
    assert.match(vendor.message, /no core matches VLNV 'other:ip:uartlite:2\.0'/);
  } finally {
    await w.dispose();
  }
});

Deno.test("a core missing from the local index is looked up again after fast-forwarding the index", async () => {
  const w = await world();
  try {
    await w.update([{ name: "blinky", vlnv: "::blinky:1.0" }]);
    // Publish a new core; the existing clone of the index does not have it yet.
    await addCommit(w.index.path, {
      "blinky/blinky-1.2.core": capi2Core("::blinky:1.2", GITHUB_BLINKY("v1.1")),
    }, { push: true });
    const { dir } = await w.update([{ name: "blinky", vlnv: "::blinky:1.0" }, {
      name: "next",
      vlnv: "::blinky:1.2",
    }]);
    assert.ok(await exists(join(dir, "packages", ".fusesoc-index", "blinky", "blinky-1.2.core")));
    assert.equal(await Deno.readTextFile(join(dir, "packages", "next", "rtl.v")), "// blinky 1.1\n");
  } finally {
    await w.dispose();
  }
});

Deno.test("an unchanged vlnv is up to date without touching the index; --refresh-all keeps an unmoved tag", async () => {
  const w = await world();
  try {
    const first = await w.update([{ name: "blinky", vlnv: "::blinky:1.0" }]);
    const marker = join(first.dir, "packages", "blinky", "local-note.txt");
    await Deno.writeTextFile(marker, "mine\n"); // untracked: survives only if the package is kept
    // Break the index URL: an up-to-date run must not need it.
    const again = await runUpdate({
      projectDir: first.dir,
      cacheDir: null,
      handlers: new HandlerRegistry(),
      env: envWith({ ...w.vars, IVPM_FUSESOC_INDEX_URL: "file:///nonexistent/index.git" }),
    });
    assert.equal((again.graph.packages[0].landed as Landed).status, "up-to-date");
    const refreshed = await w.update([{ name: "blinky", vlnv: "::blinky:1.0" }], { refresh: true });
    assert.equal((refreshed.r.graph.packages[0].landed as Landed).status, "up-to-date");
    assert.ok(await exists(marker));
    assert.equal((refreshed.r.lock.packages.blinky as Record<string, unknown>).commit, w.blinky.v10);
  } finally {
    await w.dispose();
  }
});

Deno.test("VLNV parsing, version order, provider forms and the GitHub rewrite", () => {
  assert.deepEqual(parseVlnv("::uart:1.5"), { vendor: "", library: "", name: "uart", version: "1.5" });
  assert.deepEqual(parseVlnv("acme:ip:uart"), { vendor: "acme", library: "ip", name: "uart" });
  assert.match(catchIvpmError(() => parseVlnv("uart")).message, /'uart' is not a VLNV/);
  assert.match(catchIvpmError(() => parseVlnv("a:b::1")).message, /not a VLNV/);
  assert.deepEqual(
    ["1.9", "1.10", "1.5-r1", "1.5", "0.1"].sort(compareVersions),
    ["0.1", "1.5", "1.5-r1", "1.9", "1.10"],
  );
  assert.deepEqual(coreVlnv("CAPI=2:\nname: 'acme:ip:x:1.0' # c\n"), {
    vendor: "acme",
    library: "ip",
    name: "x",
    version: "1.0",
  });

  const core = (provider: string) => ({
    file: "/i/x.core",
    vlnv: parseVlnv("::x:1.0"),
    text: `CAPI=2:\nname: ::x:1.0\nprovider:\n${provider}\n`,
  });
  assert.deepEqual(readProvider(core("  name: github\n  user: u\n  repo: r\n  version: v1")), {
    kind: "git",
    url: "https://github.com/u/r.git",
    ref: "v1",
  });
  assert.deepEqual(readProvider(core("  name: git\n  repo: https://h/r.git")), {
    kind: "git",
    url: "https://h/r.git",
    ref: undefined,
  });
  assert.deepEqual(readProvider(core("  github: u/r\n  version: v2")).url, "https://github.com/u/r.git");
  assert.deepEqual(readProvider(core("  github: {user: u, repo: r}")).url, "https://github.com/u/r.git");
  assert.deepEqual(readProvider(core("  git: {repo: 'file:///r', version: t}")), {
    kind: "git",
    url: "file:///r",
    ref: "t",
  });
  assert.match(
    catchIvpmError(() => readProvider(core("  name: svn\n  url: x"))).message,
    /'svn' is not supported/,
  );

  // latest prefers a git provider over a higher url-provided version, as the original does.
  const cat = [
    {
      file: "/i/a.core",
      vlnv: parseVlnv("::x:2.0"),
      text: "name: ::x:2.0\nprovider:\n  name: url\n  url: http://h/f\n",
    },
    { file: "/i/b.core", vlnv: parseVlnv("::x:1.0"), text: core("  name: git\n  repo: file:///r").text },
  ];
  const pick = selectCore(cat, parseVlnv("::x"), "idx");
  assert.ok(!("miss" in pick) && pick.vlnv.version === "1.0");

  // --lock-file reproduction pins the version that was resolved.
  assert.deepEqual(fusesocSource.fromLock!({ vlnv: "::blinky", version: "1.1" }), {
    options: { vlnv: "::blinky:1.1" },
  });
  assert.equal(fusesocSource.fromLock!({ vlnv: "bad" }), undefined);

  const mirror = envWith({ IVPM_FUSESOC_GITHUB_BASE: "/srv/mirror" });
  assert.equal(cloneUrlOf("https://github.com/u/r.git", mirror), "/srv/mirror/u/r.git");
  assert.equal(cloneUrlOf("https://gitlab.com/u/r.git", mirror), "https://gitlab.com/u/r.git");
  assert.equal(
    withoutProvider("CAPI=2:\nname: ::x:1\nprovider:\n  name: github\n\n  user: u\ntargets: {}\n"),
    "CAPI=2:\nname: ::x:1\ntargets: {}\n",
  );
  assert.equal(
    withoutProvider(
      "CAPI=1\n[main]\nname = x\n[provider]\nname = github\nuser = u\n[fileset rtl]\nfiles = a.v\n",
    ),
    "CAPI=1\n[main]\nname = x\n[fileset rtl]\nfiles = a.v\n",
  );
});

Deno.test("a provider tag that does not exist fails the update naming the package, the core, the URL and git's error", async () => {
  const w = await world();
  try {
    await addCommit(w.index.path, {
      "bad/bad-1.0.core": capi2Core("::bad:1.0", GITHUB_BLINKY("v9.9")),
    }, { push: true });
    const err = await catchIvpmErrorAsync(() => w.update([{ name: "bad", vlnv: "::bad:1.0" }]));
    assert.match(
      err.message,
      /^failed to update package 'bad': fusesoc core ::bad:1\.0: cannot clone https:\/\/github\.com\/acme\/blinky\.git at 'v9\.9': .*v9\.9/s,
    );
    assert.equal(await exists(join(w.tmp.path, "proj", "packages", "bad")), false);
  } finally {
    await w.dispose();
  }
});
