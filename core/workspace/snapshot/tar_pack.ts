/**
 * Packs a directory into a `.tar.gz`, streaming: the
 * snapshot stores non-git packages this way so `src: http` can re-materialise
 * them from a `file://` URL, with their sha256 checked.
 *
 * Every entry lives under one top-level directory, which extraction strips
 * again (its `"auto"` rule), so the package's own layout survives even when it
 * has a single top-level directory itself. Symlinks inside the tree are kept;
 * a symlink leading outside the tree is stored as what it points to
 * (extraction refuses escaping links), and a dangling one is left out.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { createGzip } from "node:zlib";
import tarStream from "tar-stream";

/** What {@link packTree} wrote. */
export interface PackResult {
  /** Hex sha256 of the `.tar.gz`. */
  sha256: string;
  /** Regular files stored. */
  files: number;
  /** Symlinks left out because their target does not exist. */
  skipped: string[];
}

interface PackEntry {
  write(chunk: Uint8Array): boolean;
  end(): void;
  once(event: "drain", fn: () => void): void;
}

interface Pack {
  entry(header: Record<string, unknown>, callback: (err?: Error | null) => void): PackEntry;
  entry(
    header: Record<string, unknown>,
    buffer: string | Uint8Array,
    callback: (err?: Error | null) => void,
  ): void;
  finalize(): void;
  pipe<T>(dest: T): T;
  on(event: string, fn: (e: Error) => void): void;
}

/** Packs the directory `src` into `dest` (`.tar.gz`) under the top-level directory `top`. */
export async function packTree(src: string, dest: string, top = "package"): Promise<PackResult> {
  await Deno.mkdir(dirname(dest), { recursive: true });
  const pack = tarStream.pack() as unknown as Pack;
  const gzip = createGzip();
  const out = createWriteStream(dest);
  const done = new Promise<void>((res, rej) => {
    out.on("finish", () => res());
    out.on("error", rej);
    gzip.on("error", rej);
    pack.on("error", rej);
  });
  pack.pipe(gzip).pipe(out);
  const result: PackResult = { sha256: "", files: 0, skipped: [] };
  const root = resolve(src);
  const add = (header: Record<string, unknown>, body: string | Uint8Array = "") =>
    new Promise<void>((res, rej) => pack.entry(header, body, (e) => e ? rej(e) : res()));

  const walk = async (dir: string, name: string): Promise<void> => {
    const entries = (await Array.fromAsync(Deno.readDir(dir))).sort((a, b) => a.name < b.name ? -1 : 1);
    for (const e of entries) {
      const path = join(dir, e.name);
      const entryName = `${name}/${e.name}`;
      let st = await Deno.lstat(path);
      if (st.isSymlink) {
        const target = await Deno.readLink(path);
        const resolved = resolve(dirname(path), target);
        const inside = !isAbsolute(target) && !relative(root, resolved).startsWith("..");
        if (inside) {
          await add({
            name: entryName,
            type: "symlink",
            linkname: target,
            mode: 0o777,
            mtime: st.mtime ?? undefined,
          });
          continue;
        }
        const real = await Deno.stat(path).catch(() => undefined);
        if (!real) {
          result.skipped.push(relative(root, path));
          continue;
        }
        st = real;
      }
      const mode = (st.mode ?? 0o644) & 0o7777;
      if (st.isDirectory) {
        await add({ name: entryName, type: "directory", mode, mtime: st.mtime ?? undefined });
        await walk(path, entryName);
      } else if (st.isFile) {
        await addFile(pack, path, { name: entryName, size: st.size, mode, mtime: st.mtime ?? undefined });
        result.files++;
      }
    }
  };

  const st = await Deno.stat(root);
  await add({ name: top, type: "directory", mode: (st.mode ?? 0o755) & 0o7777 });
  await walk(root, top);
  pack.finalize();
  await done;
  result.sha256 = await fileSha256(dest);
  return result;
}

/** Streams one regular file into the pack, honouring back-pressure. */
async function addFile(pack: Pack, path: string, header: Record<string, unknown>): Promise<void> {
  let entry!: PackEntry;
  const finished = new Promise<void>((ok, bad) => {
    entry = pack.entry({ ...header, type: "file" }, (err) => err ? bad(err) : ok());
  });
  const file = await Deno.open(path, { read: true });
  // The readable closes the file when it ends.
  for await (const chunk of file.readable) {
    if (!entry.write(chunk)) await new Promise<void>((r) => entry.once("drain", r));
  }
  entry.end();
  await finished;
}

/** Hex sha256 of a file, streamed. */
export async function fileSha256(path: string): Promise<string> {
  const hash = createHash("sha256");
  const file = await Deno.open(path, { read: true });
  for await (const chunk of file.readable) hash.update(chunk);
  return hash.digest("hex");
}
