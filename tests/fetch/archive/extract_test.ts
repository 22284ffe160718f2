import assert from "node:assert/strict";
import { join } from "node:path";
import { type ArchiveKind, archiveKindFromName, extractArchive } from "../../../core/fetch/archive/mod.ts";
import { run, writeTar, writeZip } from "../../_helpers/archive_fixtures.ts";
import { catchIvpmErrorAsync } from "../../_helpers/catch_ivpm_error.ts";
import { exists, withTempDir } from "../../_helpers/temp.ts";

async function listTree(dir: string, prefix = ""): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const rel = prefix + entry.name;
    names.push(entry.isDirectory ? `${rel}/` : rel);
    if (entry.isDirectory) names.push(...await listTree(join(dir, entry.name), `${rel}/`));
  }
  return names.sort();
}

/**
 * A release-like tree under one top directory, `proj-1.0/`, with an executable,
 * a nested file and an in-tree symlink. Returns the directory holding `proj-1.0`.
 */
async function makeProjectTree(dir: string): Promise<string> {
  const src = join(dir, "src");
  await Deno.mkdir(join(src, "proj-1.0", "bin"), { recursive: true });
  await Deno.mkdir(join(src, "proj-1.0", "lib"), { recursive: true });
  await Deno.writeTextFile(join(src, "proj-1.0", "bin", "tool"), "#!/bin/sh\necho hi\n");
  await Deno.chmod(join(src, "proj-1.0", "bin", "tool"), 0o755);
  await Deno.writeTextFile(join(src, "proj-1.0", "README.md"), "hello\n");
  await Deno.writeTextFile(join(src, "proj-1.0", "lib", "data.txt"), "data\n");
  await Deno.symlink("data.txt", join(src, "proj-1.0", "lib", "link"));
  return src;
}

/** Packs `names` (relative to `src`) into `archive` with the real tar/zip tools. */
async function pack(src: string, archive: string, kind: ArchiveKind, names: string[]): Promise<void> {
  const tarFlag: Partial<Record<ArchiveKind, string>> = {
    "tar": "-cf",
    "tar.gz": "-czf",
    "tar.xz": "-cJf",
    "tar.bz2": "-cjf",
  };
  if (kind === "zip" || kind === "jar") await run(src, "zip", "-q", "-r", "-y", archive, ...names);
  else await run(src, "tar", tarFlag[kind]!, archive, ...names);
}

const ROUND_TRIPS: [string, ArchiveKind][] = [
  ["pkg.tar.gz", "tar.gz"],
  ["pkg.tgz", "tar.gz"],
  ["pkg.tar.xz", "tar.xz"],
  ["pkg.tar.bz2", "tar.bz2"],
  ["pkg.tar", "tar"],
  ["pkg.zip", "zip"],
  ["pkg.jar", "jar"],
];

for (const [fileName, kind] of ROUND_TRIPS) {
  Deno.test(`extracts a ${fileName} archive, stripping its single top directory and keeping modes and symlinks`, async () => {
    await withTempDir("ivpm-extract-", async (dir) => {
      const src = await makeProjectTree(dir);
      const archive = join(dir, fileName);
      await pack(src, archive, archiveKindFromName(fileName), ["proj-1.0"]);
      const dest = join(dir, "out");

      const { files } = await extractArchive(archive, dest, kind);

      assert.deepEqual(await listTree(dest), [
        "README.md",
        "bin/",
        "bin/tool",
        "lib/",
        "lib/data.txt",
        "lib/link",
      ]);
      assert.equal(files, 4);
      assert.equal(await Deno.readTextFile(join(dest, "README.md")), "hello\n");
      assert.equal((await Deno.stat(join(dest, "bin", "tool"))).mode! & 0o111, 0o111);
      assert.equal((await Deno.stat(join(dest, "README.md"))).mode! & 0o111, 0);
      assert.equal(await Deno.readLink(join(dest, "lib", "link")), "data.txt");
      assert.equal(await Deno.readTextFile(join(dest, "lib", "link")), "data\n");
    });
  });
}

for (const kind of ["tar.gz", "zip"] as const) {
  Deno.test(`does not strip a ${kind} archive with several top-level entries`, async () => {
    await withTempDir("ivpm-extract-", async (dir) => {
      const src = join(dir, "src");
      await Deno.mkdir(join(src, "dir"), { recursive: true });
      await Deno.writeTextFile(join(src, "a.txt"), "a");
      await Deno.writeTextFile(join(src, "dir", "b.txt"), "b");
      const archive = join(dir, `multi.${kind}`);
      await pack(src, archive, kind, ["a.txt", "dir"]);

      await extractArchive(archive, join(dir, "out"), kind);

      assert.deepEqual(await listTree(join(dir, "out")), ["a.txt", "dir/", "dir/b.txt"]);
    });
  });

  Deno.test(`does not strip a ${kind} archive holding a single file`, async () => {
    await withTempDir("ivpm-extract-", async (dir) => {
      const src = join(dir, "src");
      await Deno.mkdir(src);
      await Deno.writeTextFile(join(src, "only.txt"), "x");
      const archive = join(dir, `single.${kind}`);
      await pack(src, archive, kind, ["only.txt"]);

      await extractArchive(archive, join(dir, "out"), kind);

      assert.deepEqual(await listTree(join(dir, "out")), ["only.txt"]);
    });
  });
}

Deno.test("strips exactly the number of components asked for", async () => {
  await withTempDir("ivpm-extract-", async (dir) => {
    const src = await makeProjectTree(dir);
    const archive = join(dir, "pkg.tar.gz");
    await pack(src, archive, "tar.gz", ["proj-1.0"]);

    await extractArchive(archive, join(dir, "none"), "tar.gz", { strip: 0 });
    assert.ok(await exists(join(dir, "none", "proj-1.0", "README.md")));

    const { files } = await extractArchive(archive, join(dir, "two"), "tar.gz", { strip: 2 });
    assert.deepEqual(await listTree(join(dir, "two")), ["data.txt", "link", "tool"]);
    assert.equal(files, 3);
  });
});

Deno.test("strips the top directory even when it holds a directory of the same name", async () => {
  await withTempDir("ivpm-extract-", async (dir) => {
    const archive = join(dir, "nested.tar");
    await writeTar(archive, [
      { name: "top/", type: "directory" },
      { name: "top/top/inner.txt", content: "inner" },
      { name: "top/outer.txt", content: "outer" },
    ]);
    await extractArchive(archive, join(dir, "out"), "tar");
    assert.deepEqual(await listTree(join(dir, "out")), ["outer.txt", "top/", "top/inner.txt"]);
  });
});

Deno.test("extracts hard links to files extracted earlier", async () => {
  await withTempDir("ivpm-extract-", async (dir) => {
    const archive = join(dir, "links.tar");
    await writeTar(archive, [
      { name: "pkg/a.txt", content: "same" },
      { name: "pkg/b.txt", type: "link", linkname: "pkg/a.txt" },
    ]);
    await extractArchive(archive, join(dir, "out"), "tar");
    assert.equal(await Deno.readTextFile(join(dir, "out", "b.txt")), "same");
    assert.equal((await Deno.stat(join(dir, "out", "a.txt"))).nlink, 2);
  });
});

Deno.test("extracts chains of in-tree symlinks, whatever their order", async () => {
  await withTempDir("ivpm-extract-", async (dir) => {
    const archive = join(dir, "chain.tar");
    await writeTar(archive, [
      { name: "pkg/bin/tool", type: "symlink", linkname: "../lib/current/tool.sh" },
      { name: "pkg/lib/current", type: "symlink", linkname: "v1" },
      { name: "pkg/lib/v1/tool.sh", content: "echo v1" },
      { name: "pkg/self", type: "symlink", linkname: "." },
    ]);
    const { files } = await extractArchive(archive, join(dir, "out"), "tar");
    assert.equal(files, 4);
    assert.equal(await Deno.readTextFile(join(dir, "out", "bin", "tool")), "echo v1");
    assert.equal(await Deno.readLink(join(dir, "out", "lib", "current")), "v1");
    assert.equal(await Deno.readTextFile(join(dir, "out", "self", "lib", "v1", "tool.sh")), "echo v1");
  });
});

Deno.test("skips FIFOs and device entries silently", async () => {
  await withTempDir("ivpm-extract-", async (dir) => {
    const archive = join(dir, "dev.tar");
    await writeTar(archive, [
      { name: "a.txt", content: "a" },
      { name: "pipe", type: "fifo" },
      { name: "tty", type: "character-device" },
    ]);
    const { files } = await extractArchive(archive, join(dir, "out"), "tar");
    assert.deepEqual(await listTree(join(dir, "out")), ["a.txt"]);
    assert.equal(files, 1);
  });
});

/** Extraction of `archive` must fail naming the archive and `entry`, leaving nothing behind. */
async function assertRefused(dir: string, archive: string, kind: ArchiveKind, entry: string): Promise<void> {
  const stage = join(dir, "stage");
  await Deno.mkdir(stage);
  const dest = join(stage, "out");
  const error = await catchIvpmErrorAsync(extractArchive(archive, dest, kind));
  assert.match(error.message, /^Refusing to extract /);
  assert.ok(error.message.includes(archive), error.message);
  assert.ok(error.message.includes(`'${entry}'`), error.message);
  assert.ok(error.hint);
  assert.deepEqual(await listTree(stage), [], "nothing may be left in or beside the target");
}

Deno.test("refuses a zip entry that escapes the target (zip-slip)", async () => {
  await withTempDir("ivpm-extract-", async (dir) => {
    const archive = join(dir, "slip.zip");
    await writeZip(archive, { "good.txt": "ok", "../evil": "pwned" });
    await assertRefused(dir, archive, "zip", "../evil");
  });
});

Deno.test("refuses a tar entry that escapes the target", async () => {
  await withTempDir("ivpm-extract-", async (dir) => {
    const archive = join(dir, "slip.tar.gz");
    await writeTar(archive, [{ name: "pkg/good.txt", content: "ok" }, {
      name: "pkg/../../evil",
      content: "x",
    }]);
    await assertRefused(dir, archive, "tar.gz", "pkg/../../evil");
  });
});

Deno.test("refuses entries with an absolute path", async () => {
  await withTempDir("ivpm-extract-", async (dir) => {
    const target = join(dir, "abs-target.txt");
    const tar = join(dir, "abs.tar");
    await writeTar(tar, [{ name: "ok.txt", content: "ok" }, { name: target, content: "x" }]);
    await assertRefused(dir, tar, "tar", target);
    assert.equal(await exists(target), false);
    await Deno.remove(join(dir, "stage"));

    const zip = join(dir, "abs.zip");
    await writeZip(zip, { "ok.txt": "ok", "/abs.txt": "x" });
    await assertRefused(dir, zip, "zip", "/abs.txt");
  });
});

Deno.test("refuses a tar symlink that points outside the target", async () => {
  await withTempDir("ivpm-extract-", async (dir) => {
    const archive = join(dir, "link.tar.gz");
    await writeTar(archive, [
      { name: "pkg/", type: "directory" },
      { name: "pkg/good.txt", content: "ok" },
      { name: "pkg/link", type: "symlink", linkname: "../../etc" },
    ]);
    await assertRefused(dir, archive, "tar.gz", "pkg/link");
  });
});

Deno.test("refuses a symlink to an absolute path", async () => {
  await withTempDir("ivpm-extract-", async (dir) => {
    const archive = join(dir, "abslink.tar");
    await writeTar(archive, [
      { name: "a.txt", content: "a" },
      { name: "etc", type: "symlink", linkname: "/etc" },
      { name: "etc/passwd", content: "overwrite attempt" },
    ]);
    await assertRefused(dir, archive, "tar", "etc");
  });
});

Deno.test("refuses a symlink that escapes through another symlink", async () => {
  await withTempDir("ivpm-extract-", async (dir) => {
    const archive = join(dir, "chain.tar");
    // `here/up` looks like it points at the root, but `here` is the root itself, so `up` is its parent.
    await writeTar(archive, [
      { name: "a.txt", content: "a" },
      { name: "here", type: "symlink", linkname: "." },
      { name: "here/up", type: "symlink", linkname: ".." },
    ]);
    await assertRefused(dir, archive, "tar", "here/up");
  });
});

Deno.test("refuses a zip symlink that points outside the target", async () => {
  await withTempDir("ivpm-extract-", async (dir) => {
    const src = join(dir, "src");
    await Deno.mkdir(join(src, "pkg"), { recursive: true });
    await Deno.writeTextFile(join(src, "pkg", "good.txt"), "ok");
    await Deno.symlink("../../etc", join(src, "pkg", "evil"));
    const archive = join(dir, "link.zip");
    await pack(src, archive, "zip", ["pkg"]);
    await assertRefused(dir, archive, "zip", "pkg/evil");
  });
});

Deno.test("refuses a hard link to a file outside the target", async () => {
  await withTempDir("ivpm-extract-", async (dir) => {
    const archive = join(dir, "hard.tar");
    await writeTar(archive, [
      { name: "a.txt", content: "a" },
      { name: "passwd", type: "link", linkname: "../../etc/passwd" },
    ]);
    await assertRefused(dir, archive, "tar", "passwd");
  });
});

Deno.test("refuses a hard link to a file the archive does not contain", async () => {
  await withTempDir("ivpm-extract-", async (dir) => {
    const archive = join(dir, "hard.tar");
    await writeTar(archive, [
      { name: "a.txt", content: "a" },
      { name: "b.txt", type: "link", linkname: "missing.txt" },
    ]);
    await assertRefused(dir, archive, "tar", "b.txt");
  });
});

Deno.test("on refusal, empties a target directory it did not create but keeps it", async () => {
  await withTempDir("ivpm-extract-", async (dir) => {
    const archive = join(dir, "slip.zip");
    await writeZip(archive, { "pkg/a.txt": "a", "pkg/b/c.txt": "c", "../evil": "x" });
    const dest = join(dir, "staging");
    await Deno.mkdir(dest);
    await catchIvpmErrorAsync(extractArchive(archive, dest, "zip"));
    assert.deepEqual(await listTree(dest), []);
  });
});

Deno.test("refuses kind 'file', a missing archive and a non-empty target", async () => {
  await withTempDir("ivpm-extract-", async (dir) => {
    const plain = join(dir, "tool.bin");
    await Deno.writeTextFile(plain, "binary");
    assert.match(
      (await catchIvpmErrorAsync(extractArchive(plain, join(dir, "o1"), "file"))).message,
      /not an archive/,
    );
    assert.match(
      (await catchIvpmErrorAsync(extractArchive(join(dir, "nope.tar.gz"), join(dir, "o2"), "tar.gz")))
        .message,
      /nope\.tar\.gz: no such file/,
    );
    const archive = join(dir, "ok.tar");
    await writeTar(archive, [{ name: "a.txt", content: "a" }]);
    const busy = join(dir, "busy");
    await Deno.mkdir(busy);
    await Deno.writeTextFile(join(busy, "keep.txt"), "mine");
    assert.match((await catchIvpmErrorAsync(extractArchive(archive, busy, "tar"))).message, /not empty/);
    assert.equal(await Deno.readTextFile(join(busy, "keep.txt")), "mine");
    assert.equal(await exists(join(dir, "o1")), false);
    assert.equal(await exists(join(dir, "o2")), false);
  });
});

for (const kind of ["tar.gz", "tar.xz", "tar.bz2", "zip"] as const) {
  Deno.test(`reports a damaged ${kind} archive as a user error and leaves nothing`, async () => {
    await withTempDir("ivpm-extract-", async (dir) => {
      const archive = join(dir, `broken.${kind}`);
      await Deno.writeFile(archive, new Uint8Array(4096).map((_, i) => (i * 7) % 256));
      const error = await catchIvpmErrorAsync(extractArchive(archive, join(dir, "out"), kind));
      assert.match(error.message, new RegExp(`^Failed to extract .*broken\\.${kind.replace(".", "\\.")}`));
      assert.equal(await exists(join(dir, "out")), false);
    });
  });
}

Deno.test("reports a truncated tar.gz archive as a user error", async () => {
  await withTempDir("ivpm-extract-", async (dir) => {
    const src = await makeProjectTree(dir);
    const archive = join(dir, "pkg.tar.gz");
    await pack(src, archive, "tar.gz", ["proj-1.0"]);
    const bytes = await Deno.readFile(archive);
    await Deno.writeFile(archive, bytes.subarray(0, bytes.length / 2));
    await catchIvpmErrorAsync(extractArchive(archive, join(dir, "out"), "tar.gz"));
    assert.equal(await exists(join(dir, "out")), false);
  });
});

Deno.test("tells the archive kind from a file name or URL", () => {
  const cases: [string, ArchiveKind][] = [
    ["a.tar.gz", "tar.gz"],
    ["A.TGZ", "tar.gz"],
    ["a.tar.xz", "tar.xz"],
    ["a.txz", "tar.xz"],
    ["a.tar.bz2", "tar.bz2"],
    ["a.tbz2", "tar.bz2"],
    ["a.tar", "tar"],
    ["a.zip", "zip"],
    ["lib.jar", "jar"],
    ["https://h/x/v1.2.tar.gz?token=abc#frag", "tar.gz"],
    ["https://h/download.zip#readme.md", "zip"],
    ["https://h/x.gz", "file"],
    ["tool.exe", "file"],
    ["https://h/archive.tar.gz.sha256", "file"],
  ];
  for (const [name, kind] of cases) assert.equal(archiveKindFromName(name), kind, name);
});
