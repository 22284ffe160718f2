/**
 * Issue 12, item 2: what a package name is. A name becomes `packages/<name>`, so
 * every place a name comes from — the project's ivpm.yaml, a dependency's
 * ivpm.yaml, `--lock-file`, the workspace's lock read by `ivpm snapshot`, a
 * deps-source — refuses names that leave the deps dir, replace ivpm's own files
 * or reach into another package.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { loadConfigFile } from "../../core/config/load.ts";
import { ConfigError } from "../../core/base/errors.ts";
import { LOCK_FILE } from "../../core/update/lock/lock_file.ts";
import { FUSESOC_INDEX_DIR } from "../../core/fetch/sources/fusesoc_index.ts";
import { STAGING_DIR } from "../../core/update/place.ts";
import { PLACED_DIR } from "../../core/update/placed_journal.ts";
import { STATE_FILE } from "../../core/update/project_state.ts";
import { runUpdate } from "../../core/update/update.ts";
import { packageNameProblem, RESERVED_NAMES } from "../../core/util/package_name.ts";
import { PACKAGES_ENVRC } from "../../plugins/direnv/envrc_text.ts";
import { CORES_ENVRC, CORES_TXT } from "../../plugins/fusesoc/outputs.ts";
import { MODULES_ENVRC } from "../../plugins/modules/mod.ts";
import { catchIvpmErrorAsync } from "../_helpers/catch_ivpm_error.ts";
import { makeRepo } from "../_helpers/git_fixture.ts";
import {
  cliEnv,
  type DepEntry,
  depSets,
  exists,
  runIvpm,
  tempRoot,
  writeIvpmYaml,
} from "../_helpers/update_project.ts";

/** A `package:` body with one default dep-set. */
function project(name: string, deps: DepEntry[]) {
  return { name, "dep-sets": depSets({ default: deps }) };
}

/** The first diagnostic message of loading `<dir>/ivpm.yaml`, or undefined when it loads. */
function loadError(dir: string): string | undefined {
  try {
    loadConfigFile(join(dir, "ivpm.yaml"));
    return undefined;
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return e.diagnostics.map((d) => `${d.loc?.line}:${d.loc?.col}: ${d.message}`).join("\n");
  }
}

/** Writes a lock document (no checksum: a hand-written lock is only warned about). */
async function writeLockJson(path: string, packages: Record<string, Record<string, unknown>>): Promise<void> {
  await Deno.writeTextFile(path, JSON.stringify({ ivpm_lock_version: 1, generated: "x", packages }, null, 2));
}

/** A lock entry of a `src: dir` package. */
function dirEntry(path: string): Record<string, unknown> {
  return { src: "dir", path, resolved_by: "root", dep_set: "default", reproducible: false };
}

/** No JavaScript stack frame in what the user saw. */
function assertNoTrace(stderr: string): void {
  assert.doesNotMatch(stderr, /^\s+at .+:\d+:\d+\)?$/m, stderr);
  assert.doesNotMatch(stderr, /bug in ivpm|TypeError|NotFound:/i, stderr);
}

Deno.test("safety 2: ivpm.yaml refuses names that replace ivpm's files or reach into another package", async () => {
  const tmp = await tempRoot("ivpm-names-");
  try {
    // Every name ivpm creates in the deps dir is in the one reserved list.
    for (
      const n of [
        LOCK_FILE,
        STATE_FILE,
        STAGING_DIR,
        PLACED_DIR,
        FUSESOC_INDEX_DIR,
        PACKAGES_ENVRC,
        MODULES_ENVRC,
        CORES_TXT,
        CORES_ENVRC,
        ".ivpm.lock",
        ".ivpm-sources",
        "python",
        "node",
      ]
    ) assert.ok(RESERVED_NAMES.includes(n), n);

    const refused = [
      ".",
      ".git",
      ".ivpm-staging",
      ".ivpm.lock",
      "package-lock.json",
      "ivpm.json",
      "packages.envrc",
      "python",
      "Python", // the venv on a case-insensitive file system
      "NODE",
      "python_pkgs_1.txt",
      "package-lock.json.tmp-1-abc",
      "lib/../../x",
      "group/.git",
      "lib\\x",
      "nul",
    ];
    for (const [i, name] of refused.entries()) {
      const dir = await writeIvpmYaml(join(tmp.path, `r${i}`), project("p", [{ name, src: "pypi" }]));
      const msg = loadError(dir);
      assert.ok(msg, `'${name}' was accepted`);
      assert.match(msg, /^6:17: Dependency '.*': invalid package name/, name);
    }
    for (const name of ["libA", "group/lib", "@types/node", "zope.interface", "lib+1.2"]) {
      assert.equal(packageNameProblem(name), undefined, name);
    }

    // The reported attack: a file package named into a sibling's .git, shown as a located diagnostic.
    const evil = join(tmp.path, "evil-config");
    await Deno.writeTextFile(evil, "[core]\n\tfsmonitor = touch /tmp/pwned\n");
    const proj = await writeIvpmYaml(
      join(tmp.path, "proj"),
      project("proj", [
        { name: "libA", src: "file", url: evil, unpack: false },
        { name: "libA/.git/config", src: "file", url: evil, unpack: false },
        { name: "libA/sub", src: "file", url: evil, unpack: false },
        { name: "LIBA", src: "file", url: evil, unpack: false },
      ]),
    );
    const r = await runIvpm(proj, ["update"], cliEnv());
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stderr,
      /ivpm\.yaml:10:17: error: Dependency 'libA\/\.git\/config': invalid package name .*'\.git' is a hidden name/,
    );
    assert.match(r.stderr, /\n\s*\|?\s*\^+/); // the caret under the name
    assert.match(r.stderr, /Dependency 'libA\/sub' collides with 'libA' .*would lie inside package 'libA'/);
    assert.match(r.stderr, /Dependency 'LIBA' collides with 'libA' .*case-insensitive/);
    assertNoTrace(r.stderr);
    assert.equal(await exists(join(proj, "packages")), false);
  } finally {
    await tmp.dispose();
  }
});

Deno.test("safety 2: a dependency's ivpm.yaml cannot put a package inside another package", async () => {
  const tmp = await tempRoot("ivpm-names-");
  try {
    const libA = await makeRepo(tmp.path, "libA", { files: { "a.txt": "a\n" } });
    const evil = join(tmp.path, "evil-config");
    await Deno.writeTextFile(evil, "[core]\n\tfsmonitor = touch /tmp/pwned\n");
    const extra = join(tmp.path, "extra");
    await Deno.mkdir(extra);
    await Deno.writeTextFile(join(extra, "x.txt"), "x\n");
    const libB = await writeIvpmYaml(
      join(tmp.path, "libB"),
      project("libB", [{ name: "libA/.git/config", src: "file", url: evil, unpack: false }]),
    );
    const libC = await writeIvpmYaml(
      join(tmp.path, "libC"),
      project("libC", [{ name: "libA/extra", src: "dir", url: extra }]),
    );

    for (
      const [dep, pattern] of [
        [libB, /[\\/]ivpm\.yaml:6:17: Dependency 'libA\/\.git\/config': invalid package name/],
        [
          libC,
          /[\\/]ivpm\.yaml:6:17: Dependency 'libA\/extra' \(declared by 'dep'\) collides with package 'libA'/,
        ],
      ] as const
    ) {
      const proj = await writeIvpmYaml(
        join(tmp.path, `proj-${dep === libB ? "b" : "c"}`),
        project("proj", [{ name: "libA", url: libA.url }, { name: "dep", src: "dir", url: dep }]),
      );
      const err = await catchIvpmErrorAsync(() =>
        runUpdate({ projectDir: proj, cacheDir: null, anonymousGit: true })
      );
      assert.match(err.message, pattern);
      const config = await Deno.readTextFile(join(proj, "packages/libA/.git/config"));
      assert.doesNotMatch(config, /fsmonitor/);
      assert.equal(await exists(join(proj, "packages/libA/extra")), false);
    }
  } finally {
    await tmp.dispose();
  }
});

Deno.test("safety 2: --lock-file entries that leave the deps dir or name ivpm's files are refused", async () => {
  const tmp = await tempRoot("ivpm-names-");
  try {
    const src = join(tmp.path, "src");
    await Deno.mkdir(src);
    await Deno.writeTextFile(join(src, "s.txt"), "s\n");
    const proj = await writeIvpmYaml(join(tmp.path, "proj"), project("proj", []));
    for (const name of ["../../x", "packages.envrc", "ok/../../../x", ".git"]) {
      const lock = join(tmp.path, "in.lock.json");
      await writeLockJson(lock, { ok: dirEntry(src), [name]: dirEntry(src) });
      const r = await runIvpm(proj, ["update", "--lock-file", lock], cliEnv());
      assert.equal(r.code, 1, r.stderr);
      assert.ok(r.stderr.includes(`${lock}: entry '${name}' is not a valid package name`), r.stderr);
      assertNoTrace(r.stderr);
      assert.equal(await exists(join(tmp.path, "x")), false, `${name} created ${join(tmp.path, "x")}`);
      assert.equal(await exists(join(proj, "packages/ok")), false, "nothing is placed from a refused lock");
    }
    // Two entries for one directory (a package inside another) are refused too.
    const lock = join(tmp.path, "nested.lock.json");
    await writeLockJson(lock, { ok: dirEntry(src), "ok/inner": dirEntry(src) });
    const r = await runIvpm(proj, ["update", "--lock-file", lock], cliEnv());
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stderr,
      /entry 'ok\/inner' is not a valid package name: 'ok\/inner' would lie inside package 'ok'/,
    );
    assert.equal(await exists(join(src, "inner")), false);
  } finally {
    await tmp.dispose();
  }
});

Deno.test("safety 2: ivpm snapshot refuses a lock entry outside the deps dir, without a trace", async () => {
  const tmp = await tempRoot("ivpm-names-");
  try {
    const proj = await writeIvpmYaml(join(tmp.path, "proj"), project("proj", []));
    await Deno.mkdir(join(proj, "packages"));
    // The entry's "package" exists where the name points, so the old code went on and copied it.
    await Deno.mkdir(join(tmp.path, "out", "escaped"), { recursive: true });
    await Deno.writeTextFile(join(tmp.path, "out", "escaped", "e.txt"), "e\n");
    const lockPath = join(proj, "packages", LOCK_FILE);
    await writeLockJson(lockPath, { "../../out/escaped": dirEntry(join(tmp.path, "out", "escaped")) });
    const r = await runIvpm(proj, ["snapshot", join(tmp.path, "out", "snap")], cliEnv());
    assert.equal(r.code, 1, r.stderr);
    assert.ok(
      r.stderr.includes(`${lockPath}: entry '../../out/escaped' is not a valid package name`),
      r.stderr,
    );
    assertNoTrace(r.stderr);
    assert.deepEqual((await Array.fromAsync(Deno.readDir(join(tmp.path, "out")))).map((e) => e.name), [
      "escaped",
    ]);
  } finally {
    await tmp.dispose();
  }
});

Deno.test("safety 2: ivpm snapshot does not write into the deps dir through a linked directory", async () => {
  const tmp = await tempRoot("ivpm-names-");
  try {
    const proj = await writeIvpmYaml(join(tmp.path, "proj"), project("proj", []));
    await Deno.mkdir(join(proj, "packages"));
    await writeLockJson(join(proj, "packages", LOCK_FILE), {});
    await Deno.symlink(join(proj, "packages"), join(tmp.path, "link"));
    const r = await runIvpm(proj, ["snapshot", join(tmp.path, "link", "snap")], cliEnv());
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /cannot be the project or inside its deps dir/);
    assertNoTrace(r.stderr);
    assert.deepEqual((await Array.fromAsync(Deno.readDir(join(proj, "packages")))).map((e) => e.name), [
      LOCK_FILE,
    ]);
  } finally {
    await tmp.dispose();
  }
});

Deno.test("safety 2: a deps-source never supplies a directory inside one of its packages", async () => {
  const tmp = await tempRoot("ivpm-names-");
  try {
    const repo = await makeRepo(tmp.path, "lib", { files: { "real.txt": "real\n" } });
    // The parent's package `group` holds a directory `lib`; the parent has no package `group/lib`.
    const parentDeps = join(tmp.path, "parent", "packages");
    await Deno.mkdir(join(parentDeps, "group", "lib"), { recursive: true });
    await Deno.writeTextFile(join(parentDeps, "group", "lib", "planted.txt"), "planted\n");
    await writeLockJson(join(parentDeps, LOCK_FILE), {
      group: { src: "git", url: repo.url, resolved_by: "root", dep_set: "default", reproducible: true },
    });
    const proj = await writeIvpmYaml(
      join(tmp.path, "proj"),
      project("proj", [{ name: "group/lib", url: repo.url }]),
    );
    await runUpdate({
      projectDir: proj,
      cacheDir: null,
      anonymousGit: true,
      depsSource: [parentDeps],
      trustDepsSource: true,
    });
    const lib = join(proj, "packages", "group", "lib");
    assert.equal((await Deno.lstat(lib)).isSymlink, false);
    assert.equal(await Deno.readTextFile(join(lib, "real.txt")), "real\n");
    assert.equal(await exists(join(lib, "planted.txt")), false);
  } finally {
    await tmp.dispose();
  }
});
