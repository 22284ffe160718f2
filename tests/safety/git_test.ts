import assert from "node:assert/strict";
import { join } from "node:path";
import { runIvpm } from "../_helpers/cli.ts";
import { addCommit, fixtureGit, makeRepo } from "../_helpers/git_fixture.ts";
import { makeSyncWorkspace, pushUpstream } from "../_helpers/sync_workspace.ts";
import { startSilentServer } from "../_helpers/http_server.ts";
import { cliEnv, runIvpmBounded, tempRoot, writeIvpmYaml } from "../_helpers/update_project.ts";
import { runUpdate } from "../../core/update/update.ts";
import { HandlerRegistry } from "../../core/engine/registry.ts";
import { IvpmError } from "../../core/base/errors.ts";
import { NO_PY_INSTALL } from "../_helpers/no_py_install.ts";

const env = cliEnv();

/** Hooks git would run during status, fetch, merge and commit. */
const HOOKS = [
  "post-checkout",
  "post-merge",
  "reference-transaction",
  "post-index-change",
  "pre-auto-gc",
  "pre-merge-commit",
  "prepare-commit-msg",
  "commit-msg",
  "fsmonitor-watchman",
];

/** Writes hooks that each leave `marks/hook-<name>`. */
async function writeHooks(dir: string, marks: string): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  for (const h of HOOKS) {
    await Deno.writeTextFile(join(dir, h), `#!/bin/sh\ntouch '${marks}/hook-${h}'\n`);
    await Deno.chmod(join(dir, h), 0o755);
  }
}

/**
 * What a callback could append to a package's `.git/config`: every key makes git
 * run a command that leaves a marker file in `marks` (and otherwise behaves).
 */
function evilConfig(marks: string, hooksPath?: string): string {
  const t = (name: string) => `touch '${marks}/${name}'`;
  return [
    "[core]",
    `\tfsmonitor = "${t("fsmonitor")}; false"`,
    `\taskPass = "${t("askpass")}; echo"`,
    `\tpager = "${t("pager")}; cat"`,
    `\tgitProxy = "${t("gitproxy")}"`,
    ...(hooksPath ? [`\thooksPath = ${hooksPath}`] : []),
    '[filter "x"]',
    `\tclean = "${t("clean")}; cat"`,
    `\tsmudge = "${t("smudge")}; cat"`,
    "\trequired = true",
    "[diff]",
    `\texternal = "${t("diff-external")}"`,
    '[diff "x"]',
    `\ttextconv = "${t("textconv")}; cat"`,
    '[merge "m"]',
    `\tdriver = "${t("merge-driver")}; false"`,
    '[remote "origin"]',
    `\tuploadpack = "${t("uploadpack")}; git-upload-pack"`,
    "[credential]",
    `\thelper = "!${t("credential")}"`,
    "[gpg]",
    `\tprogram = ${marks}.gpg`,
    "[commit]",
    "\tgpgSign = true",
    "",
  ].join("\n");
}

/** Commits in a tampered package without letting the fixture's own git trip the traps. */
async function safeCommit(dir: string, files: Record<string, string>): Promise<void> {
  for (const [name, text] of Object.entries(files)) await Deno.writeTextFile(join(dir, name), text);
  const safe = [
    ...["core.fsmonitor=false", "core.hooksPath=/dev/null", "commit.gpgSign=false"],
    ...["filter.x.clean=", "filter.x.smudge=", "filter.x.required=false"],
  ].flatMap((c) => ["-c", c]);
  await fixtureGit(dir, ...safe, "add", "-A");
  await fixtureGit(dir, ...safe, "commit", "-q", "-m", "local change");
}

async function markers(dir: string): Promise<string[]> {
  return (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort();
}

Deno.test("safety 10.1: a package's git config and hooks never run programs in status, update or sync", async () => {
  const files = {
    ".gitattributes": "*.txt filter=x diff=x\nm.txt merge=m\n",
    "a.txt": "1\n",
    "m.txt": "m\n",
  };
  const w = await makeSyncWorkspace({ lib: { repo: { files } }, clash: { repo: { files } } });
  const marks = join(w.root, "marks");
  await Deno.mkdir(marks);
  // gpg.program is run directly, not through the shell.
  await Deno.writeTextFile(`${marks}.gpg`, `#!/bin/sh\ntouch '${marks}/gpg'\nexit 1\n`);
  await Deno.chmod(`${marks}.gpg`, 0o755);
  try {
    // lib: hooks through core.hooksPath; clash: hooks in .git/hooks.
    await writeHooks(join(w.root, "evil-hooks"), marks);
    await writeHooks(join(w.pkg("clash"), ".git", "hooks"), marks);
    await Deno.writeTextFile(
      join(w.pkg("lib"), ".git", "config"),
      evilConfig(marks, join(w.root, "evil-hooks")),
      {
        append: true,
      },
    );
    await Deno.writeTextFile(join(w.pkg("clash"), ".git", "config"), evilConfig(marks), { append: true });

    // status: a same-size change makes git run the clean filter to compare contents.
    await Deno.writeTextFile(join(w.pkg("lib"), "a.txt"), "2\n");
    const status = await runIvpm(["status"], { cwd: w.project, env });
    assert.equal(status.code, 0, status.stderr);
    await Deno.writeTextFile(join(w.pkg("lib"), "a.txt"), "1\n");

    // update --refresh-all: fetch (upload-pack), fast-forward (smudge, hooks).
    await pushUpstream(w.repos.lib, { "b.txt": "b\n" });
    const update = await runIvpm(["update", "-a", "--refresh-all"], { cwd: w.project, env });
    assert.equal(update.code, 0, update.stderr);

    // sync: lib merges cleanly (a signed merge commit); clash needs the merge driver.
    await pushUpstream(w.repos.lib, { "b.txt": "b2\n" });
    await safeCommit(w.pkg("lib"), { "c.txt": "c\n" });
    await pushUpstream(w.repos.clash, { "m.txt": "theirs\n" });
    await safeCommit(w.pkg("clash"), { "m.txt": "mine\n" });
    const sync = await runIvpm(["sync"], { cwd: w.project, env });

    assert.deepEqual(await markers(marks), []);
    assert.match(sync.stdout, /^<< lib {2}↑ {2}synced/m, sync.stdout + sync.stderr);
    assert.match(sync.stdout, /^<< clash {2}✗ {2}conflict/m, "the repository's merge driver did not run");
  } finally {
    await w.dispose();
  }
});

/** Serves `dir` as static files (git's dumb HTTP protocol) on 127.0.0.1. */
function staticServer(dir: string): { url: string; close(): Promise<void> } {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const path = decodeURIComponent(new URL(req.url).pathname);
    if (path.includes("..")) return new Response("no", { status: 400 });
    try {
      return new Response(await Deno.readFile(join(dir, path)));
    } catch {
      return new Response("not found", { status: 404 });
    }
  });
  return { url: `http://127.0.0.1:${server.addr.port}`, close: () => server.shutdown() };
}

Deno.test("safety 12.4: a repository served over HTTP cannot pull a local file:// repository in as a submodule", async () => {
  const tmp = await tempRoot("ivpm-safety-git-");
  try {
    const repos = join(tmp.path, "repos");
    const secret = await makeRepo(repos, "secret", { files: { "secret.txt": "private\n" } });
    const parent = await makeRepo(repos, "parent", { files: { "README": "parent\n" } });
    await fixtureGit(parent.path, "submodule", "add", "-q", secret.url, "stolen");
    await addCommit(parent.path, {}, { message: "add submodule", push: true });
    await fixtureGit(parent.bare, "update-server-info");
    const server = staticServer(repos);
    try {
      const project = await writeIvpmYaml(join(tmp.path, "project"), {
        name: "project",
        "dep-sets": [{ name: "default", deps: [{ name: "parent", url: `${server.url}/parent.git` }] }],
      });
      const err = await runUpdate({
        handlerArgs: NO_PY_INSTALL,
        projectDir: project,
        cacheDir: null,
        anonymousGit: true,
        handlers: new HandlerRegistry(),
        env: {},
      }).then(() => undefined, (e) => e);
      const stolen = join(project, "packages", "parent", "stolen", "secret.txt");
      assert.equal(await Deno.lstat(stolen).then(() => true, () => false), false, "the secret was cloned");
      assert.ok(err instanceof IvpmError, String(err));
      assert.match(err.message, /parent/);
      assert.match(err.message, /clone of 'file:\/\/.*secret\.git'/);
      assert.match(err.hint ?? "", /local \(file:\/\/\) submodules/);
    } finally {
      await server.close();
    }
  } finally {
    await tmp.dispose();
  }
});

Deno.test("safety 12.12: a git remote that stalls fails the update after IVPM_GIT_TIMEOUT, naming package, URL and setting", async () => {
  const tmp = await tempRoot("ivpm-safety-git-");
  const server = startSilentServer();
  const url = `${server.url}/stall.git`;
  try {
    const project = await writeIvpmYaml(join(tmp.path, "project"), {
      name: "project",
      "dep-sets": [{ name: "default", deps: [{ name: "slow", url }] }],
    });
    // The old code waits forever: the run is bounded instead of hanging the test.
    const { code, stderr } = await runIvpmBounded(
      project,
      ["update", "-a"],
      cliEnv({ IVPM_GIT_TIMEOUT: "1" }),
    );
    assert.equal(code, 1, stderr);
    assert.match(stderr, /failed to update package 'slow'/);
    assert.ok(stderr.includes(url), stderr);
    assert.match(stderr, /IVPM_GIT_TIMEOUT/);
  } finally {
    await server.close();
    await tmp.dispose();
  }
});

Deno.test("safety 12.17: a sync that stops on a merge conflict exits 1 after the summary line", async () => {
  const w = await makeSyncWorkspace({ clash: { repo: { files: { "a.txt": "1\n" } } } });
  try {
    await pushUpstream(w.repos.clash, { "a.txt": "theirs\n" });
    await addCommit(w.pkg("clash"), { "a.txt": "mine\n" });
    const r = await runIvpm(["sync"], { cwd: w.project, env });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /^Sync: 1 conflict$/m);
    assert.match(r.stderr, /^error: sync stopped on merge conflicts in 1 package: clash$/m);
  } finally {
    await w.dispose();
  }
});
