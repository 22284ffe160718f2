import assert from "node:assert/strict";
import { join } from "node:path";
import { type ArchiveKind, extractArchive } from "../../core/fetch/archive/mod.ts";
import { IvpmError } from "../../core/base/errors.ts";
import { type TarEntrySpec, writeTar, writeZipEntries } from "../_helpers/archive_fixtures.ts";
import { exists, withTempDir } from "../_helpers/temp.ts";

async function names(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(dir)) out.push(entry.name);
  return out.sort();
}

/**
 * Extracting `archive` into `<dir>/<case>/stage/pkg` must be refused naming
 * `entry`, leave nothing in the staging area and put nothing beside it.
 */
async function assertRefused(
  dir: string,
  label: string,
  archive: string,
  kind: ArchiveKind,
  entry: string,
): Promise<void> {
  const stage = join(dir, label, "stage");
  await Deno.mkdir(stage, { recursive: true });
  let error: unknown;
  try {
    await extractArchive(archive, join(stage, "pkg"), kind, { strip: 0 });
  } catch (e) {
    error = e;
  }
  assert.ok(error instanceof IvpmError, `${label}: expected a refusal, got ${error ?? "success"}`);
  assert.match(error.message, /^Refusing to extract /, label);
  assert.ok(error.message.includes(`'${entry}'`), `${label}: ${error.message}`);
  assert.deepEqual(await names(stage), [], `${label}: nothing may be left in the staging area`);
  assert.deepEqual(await names(join(dir, label)), ["stage"], `${label}: nothing may land beside it`);
}

Deno.test("safety 3: archive symlinks that only escape the package together (a chain) are refused, tar and zip", async () => {
  await withTempDir("ivpm-safety-archive-", async (dir) => {
    // `d/a -> b/../../target` stays inside while `d/b` does not exist; once `d/b -> .`
    // is made, `d/a` resolves to `<pkg>/../target`.
    const chain = [
      { name: "d/a", link: "b/../../target" },
      { name: "d/b", link: "." },
    ];
    const tar = join(dir, "chain.tar");
    await writeTar(tar, [
      { name: "d/f.txt", content: "x" },
      ...chain.map(({ name, link }): TarEntrySpec => ({ name, type: "symlink", linkname: link })),
    ]);
    await assertRefused(dir, "tar", tar, "tar", "d/a");

    const zip = join(dir, "chain.zip");
    await writeZipEntries(zip, [
      { name: "d/f.txt", content: "x" },
      ...chain.map(({ name, link }) => ({ name, symlink: link })),
    ]);
    await assertRefused(dir, "zip", zip, "zip", "d/a");

    // The same chain at the top level, one level shorter.
    const top = join(dir, "top.zip");
    await writeZipEntries(top, [
      { name: "f.txt", content: "x" },
      { name: "a", symlink: "b/../target" },
      { name: "b", symlink: "." },
    ]);
    await assertRefused(dir, "top", top, "zip", "a");

    // Order does not matter: the link that makes the chain may come first.
    const reversed = join(dir, "reversed.tar");
    await writeTar(reversed, [
      { name: "d/f.txt", content: "x" },
      { name: "d/b", type: "symlink", linkname: "." },
      { name: "d/a", type: "symlink", linkname: "b/../../target" },
    ]);
    await assertRefused(dir, "reversed", reversed, "tar", "d/a");

    // Nothing is written through a symlinked directory (files, links or hard links).
    const through = join(dir, "through.tar");
    await writeTar(through, [
      { name: "sub/", type: "directory" },
      { name: "link", type: "symlink", linkname: "sub" },
      { name: "link/evil.txt", content: "x" },
    ]);
    await assertRefused(dir, "through", through, "tar", "link");

    const linkThrough = join(dir, "link_through.zip");
    await writeZipEntries(linkThrough, [
      { name: "f.txt", content: "x" },
      { name: "here", symlink: "." },
      { name: "here/up", symlink: "../target" },
    ]);
    await assertRefused(dir, "link_through", linkThrough, "zip", "here/up");

    const hard = join(dir, "hard.tar");
    await writeTar(hard, [
      { name: "f.txt", content: "x" },
      { name: "here", type: "symlink", linkname: "." },
      { name: "h.txt", type: "link", linkname: "here/f.txt" },
    ]);
    await assertRefused(dir, "hard", hard, "tar", "h.txt");
  });
});

Deno.test("safety 15: an extraction aborted through its signal stops promptly and leaves no partial tree", async () => {
  await withTempDir("ivpm-safety-archive-", async (dir) => {
    const entries = 20_000;
    const many = join(dir, "many.tar.gz");
    await writeTar(
      many,
      Array.from({ length: entries }, (_, i) => ({ name: `pkg/d${i % 50}/f${i}.txt`, content: `${i}` })),
    );
    const controller = new AbortController();
    let seen = 0;
    const dest = join(dir, "out");
    const rejected = await extractArchive(many, dest, "tar.gz", {
      signal: controller.signal,
      onProgress: ({ entries }) => {
        seen = entries;
        if (entries === 100) controller.abort();
      },
    }).then(() => undefined, (e) => e);
    assert.ok(rejected instanceof DOMException && rejected.name === "AbortError", `got ${rejected}`);
    assert.ok(seen >= 100 && seen < entries, `stopped after ${seen} of ${entries} entries`);
    assert.equal(await exists(dest), false, "the partial tree is removed");

    // A single large file is abandoned between its chunks, not written to the end first.
    const size = 32 << 20;
    const big = join(dir, "big.tar.gz");
    await writeTar(big, [{ name: "big.bin", content: "z".repeat(size) }]);
    const stop = new AbortController();
    let bytes = 0;
    const bigDest = join(dir, "big");
    const rejectedBig = await extractArchive(big, bigDest, "tar.gz", {
      signal: stop.signal,
      onProgress: (p) => {
        bytes = p.bytes;
        if (p.bytes > 0) stop.abort();
      },
    }).then(() => undefined, (e) => e);
    assert.ok(rejectedBig instanceof DOMException && rejectedBig.name === "AbortError", `got ${rejectedBig}`);
    assert.ok(bytes > 0 && bytes < size, `stopped after ${bytes} of ${size} bytes`);
    assert.equal(await exists(bigDest), false, "the partial file is removed");
  });
});
