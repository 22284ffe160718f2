/**
 * Issue 18, item 11: decompression bombs. An archive from a dependency stops at a cap on the bytes it
 * unpacks to (IVPM_MAX_UNPACKED_SIZE / --max-unpacked-size), on its expansion ratio
 * (IVPM_MAX_EXPANSION_RATIO) and on its entries (IVPM_MAX_UNPACKED_ENTRIES); a zip entry inflating past
 * the size it declares is refused. The error names the setting, nothing is left in packages/ and the
 * lock is not written.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { zipSync } from "fflate";
import { IvpmError } from "../../core/base/errors.ts";
import { type ArchiveKind, extractArchive, type ExtractLimits } from "../../core/fetch/archive/mod.ts";
import { DEFAULT_EXTRACT_LIMITS } from "../../core/fetch/archive/limits.ts";
import { TreeWriter } from "../../core/fetch/archive/tree_writer.ts";
import { writeTar } from "../_helpers/archive_fixtures.ts";
import { startHttpServer, type TestServer } from "../_helpers/http_server.ts";
import {
  cliEnv,
  type CliResult,
  exists,
  listDir,
  runIvpm,
  tempRoot,
  writeProjectDeps,
} from "../_helpers/update_project.ts";
import { withTempDir } from "../_helpers/temp.ts";

const MiB = 2 ** 20;

/** A tar.gz (a few KiB) of one file of `bytes` zeros under `top/`. */
async function zerosTarGz(path: string, bytes: number, top = "bomb-1.0"): Promise<Uint8Array<ArrayBuffer>> {
  await writeTar(path, [{ name: `${top}/README`, content: "hi" }, {
    name: `${top}/zeros.bin`,
    content: "\0".repeat(bytes),
  }]);
  return await Deno.readFile(path);
}

/**
 * A zip of `name` whose headers (local and central) declare `declared` bytes while its deflated
 * data inflates to all of `content`: the CRC stays right, only the size lies.
 */
function lyingZip(name: string, content: Uint8Array, declared: number): Uint8Array<ArrayBuffer> {
  const zip = new Uint8Array(zipSync({ [name]: content }, { level: 9 }));
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  let patched = 0;
  for (let i = 0; i + 4 <= zip.length; i++) {
    const sig = view.getUint32(i, true);
    if (sig === 0x04034b50) { // local file header: uncompressed size at +22
      assert.equal(view.getUint32(i + 22, true), content.length);
      view.setUint32(i + 22, declared, true);
      patched++;
    } else if (sig === 0x02014b50) { // central directory header: uncompressed size at +24
      assert.equal(view.getUint32(i + 24, true), content.length);
      view.setUint32(i + 24, declared, true);
      patched++;
    }
  }
  assert.equal(patched, 2, "one local and one central header");
  return zip;
}

/** A project in `<root>/<label>` whose one dependency `bomb` is the archive served at `path`. */
async function bombProject(root: string, label: string, server: TestServer, path: string): Promise<string> {
  return await writeProjectDeps(join(root, label), [{
    name: "bomb",
    src: "http",
    url: `${server.url}${path}`,
  }]);
}

/** The update failed for `bomb` with `message`, printed no stack, left nothing in packages/ and no lock. */
async function assertStopped(proj: string, r: CliResult, message: RegExp): Promise<void> {
  assert.notEqual(r.code, 0, r.stderr);
  assert.match(r.stderr, message);
  assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
  assert.equal(await exists(join(proj, "packages", "bomb")), false, "no half-extracted package");
  assert.equal(await exists(join(proj, "packages", "package-lock.json")), false, "no lock");
  // ivpm's own state may be there (the update's record of what it did); nothing else, no staging area.
  const left = (await listDir(join(proj, "packages"))).filter((n) => n !== "ivpm.json" && n !== ".ivpm.lock");
  assert.deepEqual(left, [], "nothing else left in packages/");
}

Deno.test("safety 11: a served tar.gz unpacking past IVPM_MAX_UNPACKED_SIZE or --max-unpacked-size stops", async () => {
  const tmp = await tempRoot();
  const body = await zerosTarGz(join(tmp.path, "bomb.tar.gz"), 5 * MiB);
  assert.ok(body.length < 64 * 1024, `compressed ${body.length} bytes`);
  const server = startHttpServer({ "/bomb-1.0.tar.gz": () => new Response(body) });
  try {
    const byEnv = await bombProject(tmp.path, "env", server, "/bomb-1.0.tar.gz");
    const env = await runIvpm(byEnv, ["update"], cliEnv({ IVPM_MAX_UNPACKED_SIZE: "1M" }));
    await assertStopped(
      byEnv,
      env,
      /Stopped extracting \S+: it unpacks to more than 1 MiB, the limit of IVPM_MAX_UNPACKED_SIZE/,
    );
    assert.match(
      env.stderr,
      /hint: .*decompression bomb.*raise IVPM_MAX_UNPACKED_SIZE or --max-unpacked-size/,
    );

    // The flag sets the same cap (and wins over the variable).
    const byFlag = await bombProject(tmp.path, "flag", server, "/bomb-1.0.tar.gz");
    const flag = await runIvpm(
      byFlag,
      ["update", "--max-unpacked-size", "2M"],
      cliEnv({ IVPM_MAX_UNPACKED_SIZE: "1G" }),
    );
    await assertStopped(byFlag, flag, /it unpacks to more than 2 MiB, the limit of IVPM_MAX_UNPACKED_SIZE/);

    // Raised as the hint says, the same archive lands.
    const raised = await bombProject(tmp.path, "raised", server, "/bomb-1.0.tar.gz");
    const ok = await runIvpm(raised, ["update", "--max-unpacked-size", "6M"], cliEnv());
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal((await Deno.stat(join(raised, "packages/bomb/zeros.bin"))).size, 5 * MiB);
  } finally {
    await server.close();
    await tmp.dispose();
  }
});

Deno.test("safety 11: a tar.gz of zeros past 64 MiB stops at the default expansion ratio", async () => {
  const tmp = await tempRoot();
  // ~70 KiB compressed, 80 MiB unpacked: over 1000×, and past the 64 MiB below which ratios are not checked.
  const body = await zerosTarGz(join(tmp.path, "bomb.tar.gz"), 80 * MiB);
  const server = startHttpServer({ "/bomb.tar.gz": () => new Response(body) });
  try {
    const proj = await bombProject(tmp.path, "proj", server, "/bomb.tar.gz");
    const r = await runIvpm(proj, ["update"], cliEnv());
    await assertStopped(
      proj,
      r,
      /it unpacks to more than 200 times its size \([0-9.]+ MiB so far from [0-9.]+ KiB\), the limit of IVPM_MAX_EXPANSION_RATIO/,
    );
    assert.match(r.stderr, /raise IVPM_MAX_EXPANSION_RATIO or --max-expansion-ratio/);
  } finally {
    await server.close();
    await tmp.dispose();
  }
});

/** `n` chunks of half a MiB of zeros, as a decompressor yields them. */
async function* halfMiBs(n: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < n; i++) yield new Uint8Array(MiB / 2);
}

/** Extracting `archive` with `limits` fails with an {@link IvpmError}; the destination does not exist after. */
async function refusedWith(
  archive: string,
  dest: string,
  kind: ArchiveKind,
  limits: Partial<ExtractLimits>,
  opts: { strip?: number } = {},
): Promise<IvpmError> {
  const error = await extractArchive(archive, dest, kind, { strip: opts.strip ?? 0, limits })
    .then(() => undefined, (e) => e);
  assert.ok(error instanceof IvpmError, `expected a refusal, got ${error ?? "success"}`);
  assert.equal(await exists(dest), false, "the partial tree is removed");
  return error;
}

Deno.test("safety 11: the caps count every byte and entry (skipped ones too), up to the limit exactly", async () => {
  await withTempDir("ivpm-archive-limits-", async (dir) => {
    const noRatio = { maxExpansionRatio: Infinity };
    // Ten files of 200 KiB: each is under 1 MiB, together they are not.
    const many = join(dir, "many.tar.gz");
    await writeTar(
      many,
      Array.from({ length: 10 }, (_, i) => ({ name: `f${i}`, content: "x".repeat(200 * 1024) })),
    );
    const total = await refusedWith(many, join(dir, "many"), "tar.gz", { ...noRatio, maxUnpackedBytes: MiB });
    assert.match(total.message, /it unpacks to more than 1 MiB, the limit of IVPM_MAX_UNPACKED_SIZE/);

    // Exactly at the cap is allowed.
    const exact = join(dir, "exact.tar.gz");
    await writeTar(exact, [{ name: "a", content: "x".repeat(MiB / 2) }, {
      name: "b",
      content: "y".repeat(MiB / 2),
    }]);
    await extractArchive(exact, join(dir, "exact"), "tar.gz", {
      strip: 0,
      limits: { ...noRatio, maxUnpackedBytes: MiB },
    });
    assert.equal((await Deno.stat(join(dir, "exact", "b"))).size, MiB / 2);

    // Stripped entries are not written, but decompressing them costs the same: they count.
    const stripped = join(dir, "stripped.tar.gz");
    await writeTar(stripped, [{ name: "big.bin", content: "\0".repeat(2 * MiB) }, {
      name: "top/small",
      content: "s",
    }]);
    const skip = await refusedWith(stripped, join(dir, "stripped"), "tar.gz", {
      ...noRatio,
      maxUnpackedBytes: MiB,
    }, {
      strip: 1,
    });
    assert.match(skip.message, /IVPM_MAX_UNPACKED_SIZE/);

    // So do entries the reader skips (a FIFO, last so that only its own count can go over): 3 over 2.
    const fifo = join(dir, "fifo.tar");
    await writeTar(fifo, [{ name: "a", content: "a" }, { name: "b", content: "b" }, {
      name: "p",
      type: "fifo",
    }]);
    const entries = await refusedWith(fifo, join(dir, "fifo"), "tar", { maxEntries: 2 });
    assert.match(
      entries.message,
      /^Stopped extracting \S+: it holds more than 2 entries, the limit of IVPM_MAX_UNPACKED_ENTRIES$/,
    );
    await extractArchive(fifo, join(dir, "fifo-ok"), "tar", { strip: 0, limits: { maxEntries: 3 } });

    // A body is counted as it is decompressed, not by what its header said: one the writer skips
    // (stripped) and drains counts as much as one it writes.
    for (const strip of [0, 1]) {
      const root = join(dir, `writer-${strip}`);
      await Deno.mkdir(root);
      const writer = await TreeWriter.create("stream.tar", root, strip, {
        limits: { ...DEFAULT_EXTRACT_LIMITS, maxUnpackedBytes: MiB },
      });
      const error = await writer.file("top.bin", 0o644, halfMiBs(4)).then(() => undefined, (e) => e);
      assert.ok(error instanceof IvpmError, `strip ${strip}: ${error}`);
      assert.match(error.message, /more than 1 MiB, the limit of IVPM_MAX_UNPACKED_SIZE/);
    }

    // The ratio, with its floor lowered so a small archive shows it: 1 MiB of zeros is ~1000× its gzip.
    const zeros = join(dir, "zeros.tar.gz");
    await writeTar(zeros, [{ name: "z", content: "\0".repeat(MiB) }]);
    const ratio = await refusedWith(zeros, join(dir, "zeros"), "tar.gz", {
      ratioFloorBytes: 0,
      maxExpansionRatio: 100,
    });
    assert.match(
      ratio.message,
      /it unpacks to more than 100 times its size .* the limit of IVPM_MAX_EXPANSION_RATIO/,
    );
    // Text that compresses only a little passes the same ratio.
    const text = join(dir, "text.tar.gz");
    const random = crypto.getRandomValues(new Uint8Array(48 * 1024));
    await writeTar(text, [{ name: "t", content: [...random].map((b) => b.toString(16)).join("") }]);
    await extractArchive(text, join(dir, "text"), "tar.gz", {
      strip: 0,
      limits: { ratioFloorBytes: 0, maxExpansionRatio: 100 },
    });
  });
});

Deno.test("safety 11: a zip entry that inflates past its declared size is refused, served or local", async () => {
  const tmp = await tempRoot();
  const content = new Uint8Array(4 * MiB); // zeros
  const liar = lyingZip("data.bin", content, 1000);
  const server = startHttpServer({ "/bomb.zip": () => new Response(liar) });
  try {
    const local = join(tmp.path, "liar.zip");
    await Deno.writeFile(local, liar);
    const error = await refusedWith(local, join(tmp.path, "out"), "zip", {});
    assert.equal(
      error.message,
      `Refusing to extract ${local}: entry 'data.bin' unpacks to more than the 1000 bytes it declares`,
    );

    const proj = await bombProject(tmp.path, "proj", server, "/bomb.zip");
    const r = await runIvpm(proj, ["update"], cliEnv());
    await assertStopped(proj, r, /entry 'data\.bin' unpacks to more than the 1000 bytes it declares/);

    // An honest zip of the same bytes, declared as they are, extracts (its ratio is below the 64 MiB floor).
    const honest = join(tmp.path, "honest.zip");
    await Deno.writeFile(honest, zipSync({ "data.bin": content }, { level: 9 }));
    await extractArchive(honest, join(tmp.path, "honest"), "zip", { strip: 0 });
    assert.equal((await Deno.stat(join(tmp.path, "honest", "data.bin"))).size, content.length);
  } finally {
    await server.close();
    await tmp.dispose();
  }
});

Deno.test("safety 11: archives of too many entries stop at IVPM_MAX_UNPACKED_ENTRIES, tar and zip", async () => {
  const tmp = await tempRoot();
  const tar = join(tmp.path, "many.tar.gz");
  await writeTar(tar, Array.from({ length: 50 }, (_, i) => ({ name: `many/f${i}`, content: "" })));
  const files: Record<string, Uint8Array> = {};
  for (let i = 0; i < 50; i++) files[`many/f${i}`] = new Uint8Array();
  const zip = new Uint8Array(zipSync(files));
  const tgz = await Deno.readFile(tar);
  const server = startHttpServer({
    "/many.tar.gz": () => new Response(tgz),
    "/many.zip": () => new Response(zip),
  });
  try {
    for (const path of ["/many.tar.gz", "/many.zip"]) {
      const proj = await bombProject(tmp.path, `proj-${path.slice(1)}`, server, path);
      const r = await runIvpm(proj, ["update"], cliEnv({ IVPM_MAX_UNPACKED_ENTRIES: "20" }));
      await assertStopped(proj, r, /it holds more than 20 entries, the limit of IVPM_MAX_UNPACKED_ENTRIES/);
      assert.match(r.stderr, /raise IVPM_MAX_UNPACKED_ENTRIES or --max-unpacked-entries/);
      const flag = await runIvpm(proj, ["update", "--max-unpacked-entries", "10"], cliEnv());
      await assertStopped(proj, flag, /it holds more than 10 entries/);
    }
    // 0 turns the cap off.
    const off = await bombProject(tmp.path, "off", server, "/many.zip");
    const ok = await runIvpm(off, ["update"], cliEnv({ IVPM_MAX_UNPACKED_ENTRIES: "0" }));
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal((await listDir(join(off, "packages/bomb"))).length, 50);
  } finally {
    await server.close();
    await tmp.dispose();
  }
});

Deno.test("safety 11: a bad IVPM_MAX_* value or flag is a clear error before anything is fetched", async () => {
  const tmp = await tempRoot();
  const body = await zerosTarGz(join(tmp.path, "small.tar.gz"), 10);
  const server = startHttpServer({ "/small.tar.gz": () => new Response(body) });
  try {
    const proj = await bombProject(tmp.path, "proj", server, "/small.tar.gz");
    const cases: [Record<string, string>, RegExp][] = [
      [
        { IVPM_MAX_UNPACKED_SIZE: "lots" },
        /IVPM_MAX_UNPACKED_SIZE must be a size such as 8G or 500M, got 'lots'/,
      ],
      [{ IVPM_MAX_UNPACKED_SIZE: "-1G" }, /IVPM_MAX_UNPACKED_SIZE must be a size/],
      // Half a byte is not "0" (no limit): a cap meant to be tiny must not turn the cap off.
      [
        { IVPM_MAX_UNPACKED_SIZE: "0.5" },
        /IVPM_MAX_UNPACKED_SIZE must be a size such as 8G or 500M, got '0\.5'/,
      ],
      [
        { IVPM_MAX_EXPANSION_RATIO: "1.5" },
        /IVPM_MAX_EXPANSION_RATIO must be a whole number \(0 for no limit\), got '1\.5'/,
      ],
      [{ IVPM_MAX_UNPACKED_ENTRIES: "many" }, /IVPM_MAX_UNPACKED_ENTRIES must be a whole number/],
    ];
    for (const [vars, message] of cases) {
      const r = await runIvpm(proj, ["update"], cliEnv(vars));
      assert.notEqual(r.code, 0, r.stderr);
      assert.match(r.stderr, message);
      assert.match(r.stderr, /hint: unset it \(default [^)]+\) or set e\.g\. IVPM_MAX_/);
      assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
      assert.equal(server.hits["/small.tar.gz"], undefined, "nothing fetched");
      assert.equal(await exists(join(proj, "packages", "bomb")), false);
    }
    const flag = await runIvpm(proj, ["update", "--max-unpacked-size", "lots"], cliEnv());
    assert.notEqual(flag.code, 0);
    assert.match(flag.stderr, /--max-unpacked-size must be a size such as 8G or 500M, got 'lots'/);
    assert.equal(server.hits["/small.tar.gz"], undefined, "nothing fetched");
    const half = await runIvpm(proj, ["update", "--max-unpacked-size", "0.5"], cliEnv());
    assert.notEqual(half.code, 0);
    assert.match(half.stderr, /--max-unpacked-size must be a size such as 8G or 500M, got '0\.5'/);
    assert.equal(server.hits["/small.tar.gz"], undefined, "nothing fetched");
  } finally {
    await server.close();
    await tmp.dispose();
  }
});
