/**
 * Issue 18, item 14: on a case-insensitive or Windows file system `.GIT`, `.Git` and the 8.3 short
 * name `GIT~1` open git's own directory `.git`, so each is refused wherever `.git` is: archive entries
 * (tar and zip), symlink and hard-link targets, download names and package names.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { type ArchiveKind, extractArchive } from "../../core/fetch/archive/mod.ts";
import { ConfigError, IvpmError } from "../../core/base/errors.ts";
import { loadConfigFile } from "../../core/config/load.ts";
import { type TarEntrySpec, writeTar, writeZipEntries } from "../_helpers/archive_fixtures.ts";
import { startHttpServer } from "../_helpers/http_server.ts";
import {
  cliEnv,
  depSets,
  exists,
  listDir,
  runIvpm,
  tempRoot,
  writeIvpmYaml,
  writeProjectDeps,
} from "../_helpers/update_project.ts";
import { withTempDir } from "../_helpers/temp.ts";

/** Extracts `archive` into a fresh `<dir>/<label>/stage/pkg`: it must be refused and leave nothing. */
async function extractRefusal(
  dir: string,
  label: string,
  archive: string,
  kind: ArchiveKind,
): Promise<IvpmError> {
  const stage = join(dir, label, "stage");
  await Deno.mkdir(stage, { recursive: true });
  const error = await extractArchive(archive, join(stage, "pkg"), kind, { strip: 0 })
    .then(() => undefined, (e) => e);
  assert.ok(error instanceof IvpmError, `${label}: expected a refusal, got ${error ?? "success"}`);
  assert.deepEqual(await listDir(stage), [], `${label}: nothing may be left in the staging area`);
  assert.deepEqual(await listDir(join(dir, label)), ["stage"], `${label}: nothing may land beside it`);
  return error;
}

/** The reason given for a path component `segment` that is `.git` under another spelling. */
function aliasReason(segment: string): string {
  return `the path component '${segment}', which is '.git' on case-insensitive or Windows file systems ` +
    "(git would run the programs its config and hooks name)";
}

Deno.test("safety 14: tar entries under .GIT, .Git or GIT~1 are refused, naming the entry and the spelling", async () => {
  await withTempDir("ivpm-git-spellings-", async (dir) => {
    const cases: { label: string; entries: TarEntrySpec[]; entry: string; segment: string }[] = [
      {
        label: "upper",
        entries: [{ name: "README", content: "hi" }, { name: ".GIT/config", content: "[core]\n" }],
        entry: ".GIT/config",
        segment: ".GIT",
      },
      {
        label: "short",
        entries: [
          { name: "README", content: "hi" },
          { name: "GIT~1/hooks/post-checkout", content: "#!/bin/sh\ntouch pwned\n", mode: 0o755 },
        ],
        entry: "GIT~1/hooks/post-checkout",
        segment: "GIT~1",
      },
      {
        label: "mixed-nested",
        entries: [{ name: "lib/", type: "directory" }, { name: "lib/.Git/HEAD", content: "ref\n" }],
        entry: "lib/.Git/HEAD",
        segment: ".Git",
      },
      {
        // A directory entry alone is enough: a later `git` run in `lib` would find it.
        label: "directory",
        entries: [{ name: "lib/git~1/", type: "directory" }],
        entry: "lib/git~1/",
        segment: "git~1",
      },
      {
        label: "trailing-dot",
        entries: [{ name: ".git./config", content: "[core]\n" }],
        entry: ".git./config",
        segment: ".git.",
      },
      {
        label: "hard-link",
        entries: [
          { name: "hooks.txt", content: "x" },
          { name: ".GIT/hooks/pre-commit", type: "link", linkname: "hooks.txt" },
        ],
        entry: ".GIT/hooks/pre-commit",
        segment: ".GIT",
      },
    ];
    for (const c of cases) {
      const tar = join(dir, `${c.label}.tar.gz`);
      await writeTar(tar, c.entries);
      const error = await extractRefusal(dir, c.label, tar, "tar.gz");
      assert.equal(
        error.message,
        `Refusing to extract ${tar}: entry '${c.entry}' has ${aliasReason(c.segment)}`,
      );
      assert.match(error.hint ?? "", /nothing was extracted/);
    }
  });
});

Deno.test("safety 14: symlinks to .GIT or GIT~1 are refused in tar and zip, and .GIT zip entries too", async () => {
  await withTempDir("ivpm-git-spellings-", async (dir) => {
    const link = join(dir, "link.tar");
    await writeTar(link, [
      { name: "README", content: "hi" },
      { name: "repo", type: "symlink", linkname: ".GIT" },
    ]);
    const linkError = await extractRefusal(dir, "tar-link", link, "tar");
    assert.equal(
      linkError.message,
      `Refusing to extract ${link}: entry 'repo' is a symlink to '.GIT', which has ${aliasReason(".GIT")}`,
    );

    const deep = join(dir, "deep.tar");
    await writeTar(deep, [
      { name: "lib/README", content: "hi" },
      { name: "lib/hooks", type: "symlink", linkname: "../GIT~1/hooks" },
    ]);
    const deepError = await extractRefusal(dir, "tar-deep-link", deep, "tar");
    assert.ok(
      deepError.message.includes("entry 'lib/hooks' is a symlink to '../GIT~1/hooks'"),
      deepError.message,
    );
    assert.ok(deepError.message.includes(aliasReason("GIT~1")), deepError.message);

    const zip = join(dir, "link.zip");
    await writeZipEntries(zip, [{ name: "README", content: "hi" }, { name: "repo", symlink: ".Git" }]);
    const zipLink = await extractRefusal(dir, "zip-link", zip, "zip");
    assert.ok(zipLink.message.includes("entry 'repo' is a symlink to '.Git'"), zipLink.message);

    const zipEntry = join(dir, "entry.zip");
    await writeZipEntries(zipEntry, [
      { name: "README", content: "hi" },
      { name: "GIT~1/config", content: "[core]\n\tfsmonitor = touch pwned\n" },
    ]);
    const zipError = await extractRefusal(dir, "zip-entry", zipEntry, "zip");
    assert.equal(
      zipError.message,
      `Refusing to extract ${zipEntry}: entry 'GIT~1/config' has ${aliasReason("GIT~1")}`,
    );
  });
});

Deno.test("safety 14: ordinary names that look like .git still extract", async () => {
  await withTempDir("ivpm-git-spellings-", async (dir) => {
    const tar = join(dir, "fine.tar");
    const names = [".github/workflows/ci.yml", ".gitignore", "git/README", "GIT~X/a", "docs/.gitkeep"];
    await writeTar(tar, [
      ...names.map((name) => ({ name, content: name })),
      { name: "ci", type: "symlink", linkname: ".github/workflows" },
    ]);
    const dest = join(dir, "out");
    await extractArchive(tar, dest, "tar", { strip: 0 });
    for (const name of names) assert.equal(await Deno.readTextFile(join(dest, name)), name);
    assert.equal(await Deno.readLink(join(dest, "ci")), ".github/workflows");
  });
});

Deno.test("safety 14: ivpm update refuses a served tar.gz with a GIT~1 hook: nothing lands, no lock", async () => {
  const tmp = await tempRoot();
  const tgz = join(tmp.path, "evil.tar.gz");
  await writeTar(tgz, [
    { name: "evil-1.0/README", content: "hi" },
    { name: "evil-1.0/GIT~1/hooks/post-checkout", content: "#!/bin/sh\ntouch pwned\n", mode: 0o755 },
  ]);
  const body = await Deno.readFile(tgz);
  const server = startHttpServer({ "/evil-1.0.tar.gz": () => new Response(body) });
  try {
    const proj = await writeProjectDeps(join(tmp.path, "proj"), [
      { name: "evil", src: "http", url: `${server.url}/evil-1.0.tar.gz` },
    ]);
    const r = await runIvpm(proj, ["update"], cliEnv());
    assert.notEqual(r.code, 0, r.stderr);
    assert.ok(
      r.stderr.includes("entry 'evil-1.0/GIT~1/hooks/post-checkout' has the path component 'GIT~1'"),
      r.stderr,
    );
    assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
    assert.equal(await exists(join(proj, "packages", "evil")), false);
    assert.equal(await exists(join(proj, "packages", "package-lock.json")), false);
    assert.deepEqual(
      (await listDir(join(proj, "packages"))).filter((n) => n !== "ivpm.json" && n !== ".ivpm.lock"),
      [],
      "no staging leftovers",
    );
  } finally {
    await server.close();
    await tmp.dispose();
  }
});

Deno.test("safety 14: a download saved as .GIT or GIT~1 is refused", async () => {
  const tmp = await tempRoot();
  const server = startHttpServer({
    "/.GIT": () => new Response("gitdir: /tmp/evil\n"),
    "/GIT~1": () => new Response("gitdir: /tmp/evil\n"),
  });
  try {
    for (const name of [".GIT", "GIT~1"]) {
      const proj = await writeProjectDeps(join(tmp.path, `proj-${name}`), [
        { name: "lib", src: "http", url: `${server.url}/${name}`, unpack: false },
      ]);
      const r = await runIvpm(proj, ["update"], cliEnv());
      assert.notEqual(r.code, 0, r.stderr);
      assert.ok(
        r.stderr.includes(
          `refusing to save a download as "${name}" (it is '.git' on some file systems, which git would ` +
            "read as a repository)",
        ),
        r.stderr,
      );
      assert.equal(await exists(join(proj, "packages", "lib")), false);
    }
  } finally {
    await server.close();
    await tmp.dispose();
  }
});

Deno.test("safety 14: package names GIT~1 and lib/.GIT are refused in ivpm.yaml with a located error", async () => {
  await withTempDir("ivpm-git-spellings-", async (dir) => {
    for (
      const [name, reason] of [
        ["GIT~1", "'GIT~1' is git's directory '.git' on Windows file systems (a short name)"],
        ["git~2", "'git~2' is git's directory '.git' on Windows file systems (a short name)"],
        ["lib/.GIT", "'.GIT' is a hidden name"],
        ["lib/GIT~1/hooks", "'GIT~1' is git's directory '.git'"],
      ]
    ) {
      const proj = join(dir, name.replaceAll("/", "_"));
      await writeIvpmYaml(proj, {
        name: "proj",
        "dep-sets": depSets({ default: [{ name, src: "dir", url: "/nonexistent" }] }),
      });
      let error: unknown;
      try {
        loadConfigFile(join(proj, "ivpm.yaml"));
      } catch (e) {
        error = e;
      }
      assert.ok(error instanceof ConfigError, `${name}: expected a ConfigError, got ${error}`);
      const d = error.diagnostics.find((d) => d.message.includes(reason));
      assert.ok(d, `${name}: ${error.diagnostics.map((d) => d.message).join("\n")}`);
      assert.ok(d.loc && d.loc.line > 1 && d.loc.file.endsWith("ivpm.yaml"), JSON.stringify(d.loc));

      // The CLI prints it as file:line:col and changes nothing.
      const r = await runIvpm(proj, ["update"], cliEnv());
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, new RegExp(`ivpm\\.yaml:${d.loc.line}:${d.loc.col}: error: `), r.stderr);
      assert.equal(await exists(join(proj, "packages")), false);
    }
  });
});
