/**
 * Streams a (possibly compressed) tar archive entry by entry into a
 * {@link TreeWriter}; the archive is never held in memory as a whole.
 *
 * Decompressors: gzip via `node:zlib`; xz via `xz-decompress` (WebAssembly, no
 * native code, streaming); bzip2 via `unbzip2-stream` (pure JavaScript,
 * streaming). Both run unchanged under Deno and inside a compiled binary.
 *
 * @module
 */

import { createReadStream } from "node:fs";
import { type Duplex, PassThrough, Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import tarStream from "tar-stream";
import unbzip2Stream from "unbzip2-stream";
import xzDecompress from "xz-decompress";
import type { TreeWriter } from "./tree_writer.ts";

/** The tar-based archive kinds. */
export type TarKind = "tar" | "tar.gz" | "tar.xz" | "tar.bz2";

/**
 * Reads every entry of `archive` and hands it to `writer`. An abort of `signal`
 * stops the read at once, even while a large entry is being decompressed.
 */
export async function readTar(
  archive: string,
  kind: TarKind,
  writer: TreeWriter,
  signal?: AbortSignal,
): Promise<void> {
  signal?.throwIfAborted();
  const source = openDecompressed(archive, kind);
  const extract = tarStream.extract();
  source.on("error", (e: Error) => extract.destroy(e));
  const onAbort = () => extract.destroy(signal?.reason);
  signal?.addEventListener("abort", onAbort, { once: true });
  source.pipe(extract);
  try {
    for await (const entry of extract) {
      const { header } = entry;
      switch (header.type) {
        case "file":
        case "contiguous-file":
          // The header frames the content, so it is what tar-stream reads; checked first to fail early.
          writer.declared({ bytes: header.size ?? 0 });
          await writer.file(header.name, header.mode, entry as AsyncIterable<Uint8Array>);
          break;
        case "directory":
          entry.resume();
          writer.directory(header.name, header.mode);
          break;
        case "symlink":
          entry.resume();
          writer.symlink(header.name, header.linkname ?? "");
          break;
        case "link":
          entry.resume();
          writer.hardlink(header.name, header.linkname ?? "");
          break;
        default:
          // Character/block devices and FIFOs are skipped silently: an unprivileged
          // install has no use for them. Unknown type flags are skipped too (safer
          // than tar(1), which writes them out as regular files).
          entry.resume();
          writer.skipped();
      }
    }
  } finally {
    signal?.removeEventListener("abort", onAbort);
    source.destroy();
    extract.destroy();
  }
}

/** The decompressed byte stream of the archive. */
function openDecompressed(archive: string, kind: TarKind): Readable {
  switch (kind) {
    case "tar":
      return createReadStream(archive);
    case "tar.gz":
      return chain(createReadStream(archive), createGunzip());
    case "tar.bz2":
      return chain(createReadStream(archive), (unbzip2Stream as unknown as () => Duplex)());
    case "tar.xz": {
      const compressed = Readable.toWeb(createReadStream(archive)) as ReadableStream<Uint8Array>;
      return Readable.fromWeb(
        new xzDecompress.XzReadableStream(compressed) as Parameters<typeof Readable.fromWeb>[0],
      );
    }
  }
}

/** `source | transform` as one readable whose errors include the source's. */
function chain(source: Readable, transform: Duplex): Readable {
  // A PassThrough at the end gives a modern stream even for classic ones (unbzip2-stream is `through`-based).
  const out = new PassThrough();
  const fail = (e: Error) => out.destroy(e);
  source.on("error", fail);
  transform.on("error", fail);
  out.on("close", () => {
    source.destroy();
    transform.destroy?.();
  });
  source.pipe(transform).pipe(out);
  return out;
}
