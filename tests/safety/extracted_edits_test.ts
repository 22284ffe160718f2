/**
 * Edits and new files inside an unpacked `http`/`file` package are local work, like a dirty git
 * tree: a version change (`update`) or `destroy` keeps the package with the local-work warning
 * unless `--force`, which names what it discards; an untouched package is replaced silently. The
 * manifest ivpm keeps of what it unpacked is read back as untrusted input.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { writeTar } from "../_helpers/archive_fixtures.ts";
import { startHttpServer, type TestServer } from "../_helpers/http_server.ts";
import {
  cliEnv,
  exists,
  readLockJson,
  runIvpm,
  tempRoot,
  updateRecorded,
  writeProjectDeps,
} from "../_helpers/update_project.ts";
import { runDestroy } from "../../core/update/destroy.ts";
import { parseManifest } from "../../core/fetch/archive/manifest.ts";

/** Serves v1 and v2 of `lib` and `other` as .tar.gz (one top directory, a symlink, a nested file). */
async function serveVersions(dir: string): Promise<TestServer> {
  const bytes: Record<string, Uint8Array> = {};
  for (const name of ["lib", "other"]) {
    for (const v of ["1.0", "2.0"]) {
      const file = join(dir, `${name}-${v}.tar.gz`);
      await writeTar(file, [
        { name: `${name}-${v}/`, type: "directory" },
        { name: `${name}-${v}/README`, content: `${name} ${v}\n` },
        { name: `${name}-${v}/src/a.c`, content: `int a = ${v === "1.0" ? 1 : 2};\n` },
        { name: `${name}-${v}/readme.link`, type: "symlink", linkname: "README" },
      ]);
      bytes[`/${name}-${v}.tar.gz`] = await Deno.readFile(file);
    }
  }
  const routes = Object.fromEntries(
    Object.entries(bytes).map(([path, b]) => [path, () => new Response(b.slice())]),
  );
  return startHttpServer(routes);
}

function deps(server: TestServer, v: string) {
  return [
    { name: "lib", url: `${server.url}/lib-${v}.tar.gz` },
    { name: "other", url: `${server.url}/other-${v}.tar.gz` },
  ];
}

/** Edits a file, adds one, and leaves a byte-code cache (regenerated: never counted). */
async function editPackage(pkg: string): Promise<void> {
  await Deno.writeTextFile(join(pkg, "src/a.c"), "int a = 42; /* mine */\n");
  await Deno.writeTextFile(join(pkg, "notes.txt"), "my notes");
  await Deno.mkdir(join(pkg, "__pycache__"));
  await Deno.writeTextFile(join(pkg, "__pycache__/m.cpython-312.pyc"), "");
}

const KEPT =
  /^packages\/lib kept: 1 file changed since ivpm unpacked it, 1 file added since ivpm unpacked it;.*--force/;

Deno.test("safety: an update to a new version keeps an unpacked package with edited or added files unless --force", async () => {
  const tmp = await tempRoot();
  const server = await serveVersions(tmp.path);
  try {
    const project = join(tmp.path, "proj");
    await writeProjectDeps(project, deps(server, "1.0"));
    await updateRecorded(project);
    const lib = join(project, "packages/lib");
    assert.equal(await Deno.readTextFile(join(lib, "README")), "lib 1.0\n");
    await editPackage(lib);

    // The real CLI: the package is kept with the warning, the update still succeeds (as for git).
    await writeProjectDeps(project, deps(server, "2.0"));
    const cli = await runIvpm(project, ["update"], cliEnv());
    assert.equal(cli.code, 0, cli.stderr);
    assert.match(cli.stderr, /packages\/lib kept: 1 file changed since ivpm unpacked it, 1 file added/);
    assert.doesNotMatch(cli.stderr, /packages\/other/, "an untouched package is replaced silently");
    assert.equal(await Deno.readTextFile(join(lib, "src/a.c")), "int a = 42; /* mine */\n");
    assert.equal(await Deno.readTextFile(join(lib, "notes.txt")), "my notes");
    const lock = await readLockJson(project);
    assert.equal(
      lock.packages.lib.url,
      `${server.url}/lib-1.0.tar.gz`,
      "the lock still records what is there",
    );
    assert.equal(lock.packages.other.url, `${server.url}/other-2.0.tar.gz`);
    assert.equal(await Deno.readTextFile(join(project, "packages/other/README")), "other 2.0\n");

    // A repeated update still keeps it.
    const again = (await updateRecorded(project)).rec.messages("warning");
    assert.ok(again.some((m) => KEPT.test(m)), JSON.stringify(again));

    // --force replaces it and says what it discards.
    const forced = (await updateRecorded(project, { force: true })).rec.messages("warning");
    assert.ok(
      forced.some((m) =>
        /^packages\/lib: discarding 1 file changed since ivpm unpacked it, 1 file added .*\(--force\)$/.test(
          m,
        )
      ),
      JSON.stringify(forced),
    );
    assert.equal(await Deno.readTextFile(join(lib, "src/a.c")), "int a = 2;\n");
    assert.equal(await exists(join(lib, "notes.txt")), false);
    assert.equal((await readLockJson(project)).packages.lib.url, `${server.url}/lib-2.0.tar.gz`);

    // The new content has its own manifest: untouched, the next version replaces it silently.
    await writeProjectDeps(project, deps(server, "1.0"));
    const quiet = (await updateRecorded(project)).rec.messages("warning");
    assert.deepEqual(quiet.filter((m) => m.includes("packages/")), []);
    assert.equal(await Deno.readTextFile(join(lib, "README")), "lib 1.0\n");
  } finally {
    await server.close();
    await tmp.dispose();
  }
});

Deno.test("safety: destroy keeps an unpacked http or file package with edited or added files unless --force", async () => {
  const tmp = await tempRoot();
  const server = await serveVersions(tmp.path);
  try {
    const project = join(tmp.path, "proj");
    const local = { name: "local", src: "file", url: join(tmp.path, "lib-1.0.tar.gz") };
    await writeProjectDeps(project, [...deps(server, "1.0"), local]);
    await updateRecorded(project);
    const lib = join(project, "packages/lib");
    await Deno.writeTextFile(join(project, "packages/local/README"), "edited");
    // A changed symlink target counts as a change too.
    await Deno.remove(join(lib, "readme.link"));
    await Deno.symlink("src/a.c", join(lib, "readme.link"));
    await Deno.writeTextFile(join(lib, "src/new.c"), "int b;\n");

    const warned: string[] = [];
    const d = await runDestroy({ projectDir: project, warn: (m) => warned.push(m) });
    assert.deepEqual(d.kept.map((k) => k.path), [lib, join(project, "packages/local")]);
    assert.deepEqual(d.kept[1].reason, "1 file changed since ivpm unpacked it");
    assert.ok(
      warned.some((m) => /^packages\/lib kept: 1 file changed since .*, 1 file added since/.test(m)),
      JSON.stringify(warned),
    );
    assert.ok(d.removed.includes(join(project, "packages/other")), "the untouched package goes");
    assert.equal(await Deno.readTextFile(join(lib, "src/new.c")), "int b;\n");

    const forcedWarn: string[] = [];
    const forced = await runDestroy({ projectDir: project, force: true, warn: (m) => forcedWarn.push(m) });
    assert.deepEqual(forced.kept, []);
    assert.ok(
      forcedWarn.some((m) => /^packages\/lib: discarding 1 file changed/.test(m)),
      JSON.stringify(forcedWarn),
    );
    assert.equal(await exists(join(project, "packages")), false);
  } finally {
    await server.close();
    await tmp.dispose();
  }
});

Deno.test("safety: a malformed or hostile manifest counts as missing, and then later-written files are kept", async () => {
  const tmp = await tempRoot();
  const server = await serveVersions(tmp.path);
  try {
    const project = join(tmp.path, "proj");
    await writeProjectDeps(project, [deps(server, "1.0")[0]]);
    await updateRecorded(project);
    const lib = join(project, "packages/lib");
    const record = join(project, "packages/.ivpm-extracted/lib.json");
    const good = JSON.parse(await Deno.readTextFile(record));
    assert.deepEqual(Object.keys(good.files).sort(), ["README", "src/a.c"]);
    assert.deepEqual(good.links, { "readme.link": "README" });

    // Paths outside the package, odd names or bad hashes make the whole manifest void.
    const sha = "0".repeat(64);
    for (
      const files of [
        { "../outside": sha },
        { "/etc/passwd": sha },
        { "a/../../b": sha },
        { "a//b": sha },
        { "ok\u0007": sha },
        { "C:evil": sha },
        { "src/a.c": "not a hash" },
      ]
    ) {
      assert.equal(
        parseManifest(JSON.stringify({ version: 1, files, links: {} })),
        undefined,
        JSON.stringify(files),
      );
    }
    assert.equal(parseManifest("{not json"), undefined);
    assert.equal(parseManifest(JSON.stringify({ version: 2, files: {}, links: {} })), undefined);
    assert.ok(parseManifest(JSON.stringify(good)));

    // A tampered manifest claiming the user's new file as ivpm's own is ignored; without a usable
    // manifest, files written well after the extraction are local work (judged by their mtimes).
    await Deno.writeTextFile(join(lib, "mine.txt"), "mine");
    const tampered = { ...good, files: { ...good.files, "mine.txt": sha, "../../ivpm.yaml": sha } };
    await Deno.writeTextFile(record, JSON.stringify(tampered));
    const later = new Date(Date.now() + 3600_000);
    await Deno.utime(join(lib, "mine.txt"), later, later);
    await writeProjectDeps(project, [deps(server, "2.0")[0]]);
    const warnings = (await updateRecorded(project)).rec.messages("warning");
    assert.ok(
      warnings.some((m) => /^packages\/lib kept: 1 file changed or added after ivpm unpacked it;/.test(m)),
      JSON.stringify(warnings),
    );
    assert.equal(await Deno.readTextFile(join(lib, "mine.txt")), "mine");

    // No manifest at all (unpacked by an older ivpm), nothing touched since: replaced silently.
    await Deno.remove(join(lib, "mine.txt"));
    await Deno.remove(record);
    const quiet = (await updateRecorded(project)).rec.messages("warning");
    assert.deepEqual(quiet.filter((m) => m.includes("packages/lib")), []);
    assert.equal(await Deno.readTextFile(join(lib, "README")), "lib 2.0\n");
  } finally {
    await server.close();
    await tmp.dispose();
  }
});
