/**
 * Unpacks tar (plain, gzip, xz, bzip2) and zip/jar archives safely.
 *
 * Every format follows the same rules (the Python original stripped the first
 * component of tar members only, and dropped top-level tar files):
 * - strip `"auto"` (default): when every entry lives under one single top-level
 *   directory, that directory level is removed; otherwise nothing is stripped;
 * - entries with an absolute path, a `..` escaping the target, a symlink
 *   resolving outside it, or a hard link to anything but a file extracted
 *   earlier are refused with an {@link IvpmError} naming the archive and entry;
 * - character/block devices and FIFOs are skipped silently;
 * - file modes are kept (less the umask; setuid/setgid/sticky bits dropped),
 *   directories always stay owner-writable;
 * - the caps of {@link ExtractLimits} (unpacked bytes, expansion ratio, number
 *   of entries) stop a decompression bomb as soon as it goes over one, with an
 *   {@link IvpmError} naming the setting to raise;
 * - on any failure nothing is left behind;
 * - an abort of the given signal stops the extraction between entries (or
 *   between the chunks of a large file) and rejects with the signal's reason.
 *
 * @module
 */

import { join } from "node:path";
import { IvpmError } from "../../base/errors.ts";
import { asDiskError } from "../../util/disk_error.ts";
import type { ArchiveKind } from "./kind.ts";
import { currentExtractLimits, type ExtractLimits } from "./limits.ts";
import { readTar } from "./tar_reader.ts";
import { type ExtractProgress, type StripMode, TreeWriter } from "./tree_writer.ts";
import { readZip } from "./zip_reader.ts";
import type { ExtractedManifest } from "./manifest.ts";

/** Options of {@link extractArchive}. */
export interface ExtractOptions {
  /**
   * Leading path components to remove from every entry: a count (entries with
   * nothing left are skipped, like `tar --strip-components`), or `"auto"`
   * (default): strip the single top-level directory if there is one.
   */
  strip?: StripMode;
  /** Aborting it stops the extraction promptly; the call then rejects with `signal.reason`. */
  signal?: AbortSignal;
  /** Called after each entry (and each chunk of a large file) with the counts so far. */
  onProgress?: (progress: ExtractProgress) => void;
  /** Caps on what the archive unpacks to (default: those in force, see {@link currentExtractLimits}). */
  limits?: Partial<ExtractLimits>;
}

/**
 * Extracts `archive` (of the given kind) into `destDir`, which must be absent
 * or empty: the caller treats it as a staging directory. On any failure its
 * partial content is removed (and `destDir` itself, when this call created it).
 *
 * @returns the number of files and links written (directories not counted), and the manifest of
 *   what was written (each file's sha256, each link's target).
 * @throws the signal's reason (an `AbortError` by default) when `opts.signal` aborts.
 * @throws {IvpmError} for kind `"file"` (not an archive: the caller copies it),
 *   a missing archive, a non-empty `destDir`, an unsafe entry, a damaged archive, or one
 *   over a cap of {@link ExtractLimits}.
 */
export async function extractArchive(
  archive: string,
  destDir: string,
  kind: ArchiveKind,
  opts: ExtractOptions = {},
): Promise<{ files: number; manifest: ExtractedManifest }> {
  if (kind === "file") {
    throw new IvpmError(`Cannot extract ${archive}: it is a plain file, not an archive`, {
      hint: "copy the file instead, or give it a .tar.gz, .tgz, .tar.xz, .tar.bz2, .tar, .zip or .jar name",
    });
  }
  const strip = opts.strip ?? "auto";
  if (strip !== "auto" && !(Number.isInteger(strip) && strip >= 0)) {
    throw new IvpmError(`Invalid strip value '${strip}' for ${archive}`, {
      hint: 'use "auto" or a whole number of path components (0, 1, …)',
    });
  }
  const { signal, onProgress } = opts;
  signal?.throwIfAborted();
  const archiveBytes = await archiveSize(archive);
  const chosen = Object.entries(opts.limits ?? {}).filter(([, v]) => v !== undefined);
  const limits: ExtractLimits = { ...currentExtractLimits(), ...Object.fromEntries(chosen) };
  const created = await prepareDestination(destDir, archive);
  try {
    const writer = await TreeWriter.create(archive, destDir, strip, {
      signal,
      onProgress,
      limits,
      archiveBytes,
    });
    if (kind === "zip" || kind === "jar") await readZip(archive, writer);
    else await readTar(archive, kind, writer, signal);
    return { files: await writer.finish(), manifest: writer.manifest() };
  } catch (e) {
    await removePartial(destDir, created);
    if (signal?.aborted) throw signal.reason;
    if (e instanceof IvpmError) throw e;
    // A full or read-only disk is not a damaged archive.
    const disk = asDiskError(e, destDir);
    if (disk) throw disk;
    throw new IvpmError(`Failed to extract ${archive} (${kind}): ${(e as Error)?.message ?? String(e)}`, {
      hint: "the archive may be damaged, truncated or of another kind; download it again",
      cause: e,
    });
  }
}

/** The size of `archive`, a regular file. */
async function archiveSize(archive: string): Promise<number> {
  try {
    const info = await Deno.stat(archive);
    if (info.isFile) return info.size;
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  throw new IvpmError(`Cannot extract ${archive}: no such file`, {
    hint: "check that the download finished and the path is right",
  });
}

/** Creates `destDir` if needed; refuses a non-empty one. Returns whether it was created. */
async function prepareDestination(destDir: string, archive: string): Promise<boolean> {
  try {
    for await (const _ of Deno.readDir(destDir)) {
      throw new IvpmError(`Cannot extract ${archive} into ${destDir}: the directory is not empty`, {
        hint: "extract into a new, empty staging directory",
      });
    }
    return false;
  } catch (e) {
    if (e instanceof Deno.errors.NotADirectory) {
      throw new IvpmError(`Cannot extract ${archive} into ${destDir}: it is not a directory`, {
        hint: "extract into a new, empty staging directory",
      });
    }
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  await Deno.mkdir(destDir, { recursive: true });
  return true;
}

async function removePartial(destDir: string, created: boolean): Promise<void> {
  if (created) {
    await Deno.remove(destDir, { recursive: true }).catch(() => {});
    return;
  }
  // destDir was empty before: everything in it is ours.
  const names: string[] = [];
  for await (const child of Deno.readDir(destDir)) names.push(child.name);
  for (const name of names) {
    await Deno.remove(join(destDir, name), { recursive: true }).catch(() => {});
  }
}
