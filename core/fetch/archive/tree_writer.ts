/**
 * Writes archive entries into a target directory, enforcing the safety rules
 * every archive format shares: no absolute or escaping paths, no hard link to
 * anything but a file extracted earlier, no symlink that resolves outside the
 * target. Format readers (tar, zip) only decode entries and hand them here.
 *
 * Symlinks are only recorded while entries stream in; {@link TreeWriter.finish}
 * checks them all against the tree as it will be (every file, directory and
 * link of the archive, whatever their order: `a -> b/../x` is harmless until
 * `b -> .` arrives) before creating any. So nothing is ever written *through* a
 * link (the classic `link -> /etc` then `link/passwd` attack), and an entry
 * below a symlink is refused outright.
 *
 * Limits ({@link ExtractLimits}): the bytes of file content are counted as they
 * are decompressed (never taken from a header, which may lie), across all
 * entries, and entries are counted; the entry or chunk that goes over a cap
 * stops the extraction at once.
 *
 * Speed: a small file is buffered and written with one synchronous call (the
 * per-entry async hops used to cost more than the write), directories made are
 * remembered, and nothing is stat'ed or resolved on disk per entry. Each file is
 * hashed as its chunks go by (for the {@link ExtractedManifest}), never read back.
 *
 * @module
 */

import { join } from "node:path";
import { IvpmError } from "../../base/errors.ts";
import {
  gitDirReason,
  gitDirSegment,
  isAbsoluteEntryName,
  normaliseEntryName,
  resolveInTree,
} from "./entry_path.ts";
import { DEFAULT_EXTRACT_LIMITS, type ExtractLimits, limitExceeded } from "./limits.ts";
import { concatBytes } from "../../util/bytes.ts";
import { contentHash, type ExtractedManifest, safeRelativePath } from "./manifest.ts";

/** How many leading path components to drop: a count, or `"auto"` (see {@link TreeWriter.finish}). */
export type StripMode = "auto" | number;

/** What {@link WriterOptions.onProgress} reports. */
export interface ExtractProgress {
  /** Archive entries handled so far (skipped ones included). */
  entries: number;
  /** File content bytes written so far. */
  bytes: number;
}

/** Options of {@link TreeWriter.create}. */
export interface WriterOptions {
  /** Checked before each entry and between the chunks of a large file. */
  signal?: AbortSignal;
  /** Called after each entry and after each chunk of a large file. */
  onProgress?: (progress: ExtractProgress) => void;
  /** Caps on what the archive unpacks to (default {@link DEFAULT_EXTRACT_LIMITS}). */
  limits?: ExtractLimits;
  /** Size of the archive file, for the expansion ratio (no ratio check without it). */
  archiveBytes?: number;
}

/** Files up to this size are collected in memory and written with a single call. */
const BUFFERED_FILE_LIMIT = 1 << 20;

/** Collects the entries of one archive into one directory. */
export class TreeWriter {
  readonly #archive: string;
  readonly #root: string;
  readonly #strip: StripMode;
  readonly #umask: number;
  readonly #signal?: AbortSignal;
  readonly #onProgress?: (progress: ExtractProgress) => void;
  readonly #limits: ExtractLimits;
  readonly #archiveBytes?: number;
  /** Bytes of entry content decompressed so far (skipped entries too): what the size caps count. */
  #unpacked = 0;
  /** Regular files on disk (keys are parts joined by `/`): the only valid hard-link targets. */
  readonly #files = new Set<string>();
  /** sha256 of each file's content (keys as above). */
  readonly #hashes = new Map<string, string>();
  #manifest: ExtractedManifest = { files: new Map(), links: new Map() };
  /** Files still on disk whose path a later symlink entry took over (removed when the link is made). */
  readonly #shadowed = new Set<string>();
  /** Every directory of the tree, made explicitly or as a parent (keys as above). */
  readonly #dirs = new Set<string>();
  /** Directory entries and their archive modes, applied at the end so a read-only dir cannot block its children. */
  readonly #dirModes = new Map<string, number>();
  /** Symlinks to create at the end: key → entry name and target. A later entry of the same path replaces one. */
  readonly #symlinks = new Map<string, { entry: string; target: string }>();
  readonly #topNames = new Set<string>();
  #topHasNonDirectory = false;
  #count = 0;
  #entries = 0;
  #bytes = 0;

  private constructor(archive: string, root: string, strip: StripMode, opts: WriterOptions) {
    this.#archive = archive;
    this.#root = root;
    this.#strip = strip;
    this.#umask = Deno.umask();
    this.#signal = opts.signal;
    this.#onProgress = opts.onProgress;
    this.#limits = opts.limits ?? DEFAULT_EXTRACT_LIMITS;
    this.#archiveBytes = opts.archiveBytes;
  }

  /** Starts writing into `root`, an existing, empty directory. */
  static async create(
    archive: string,
    root: string,
    strip: StripMode,
    opts: WriterOptions = {},
  ): Promise<TreeWriter> {
    return new TreeWriter(archive, await Deno.realPath(root), strip, opts);
  }

  /** Writes a regular file; `body` is always consumed, even when the entry is skipped. */
  async file(name: string, mode: number | undefined, body: AsyncIterable<Uint8Array>): Promise<void> {
    this.#beginEntry();
    const parts = this.#place(name, false);
    if (!parts) {
      // Drained (the reader needs the next entry), and counted: decompressing it costs as much.
      for await (const chunk of body) this.#account(chunk.length);
      return this.#entryDone();
    }
    const key = parts.join("/");
    const path = join(this.#root, ...parts);
    this.#mkdirs(parts.slice(0, -1), name);
    this.#makeRoom(key, path);
    const fileMode = this.#fileMode(mode);
    const chunks: Uint8Array[] = [];
    const hash = contentHash();
    let size = 0;
    let file: Deno.FsFile | undefined;
    try {
      for await (const chunk of body) {
        this.#signal?.throwIfAborted();
        this.#account(chunk.length);
        hash.update(chunk);
        chunks.push(chunk);
        size += chunk.length;
        if (size <= BUFFERED_FILE_LIMIT) continue;
        // A large file: written as it comes, so memory stays flat.
        file ??= this.#createFile(path, name, 0o600);
        for (const c of chunks) writeAll(file, c);
        this.#bytes += size;
        size = 0;
        chunks.length = 0;
        this.#onProgress?.({ entries: this.#entries, bytes: this.#bytes });
      }
      if (file) {
        for (const c of chunks) writeAll(file, c);
        Deno.chmodSync(path, fileMode);
      } else {
        try {
          Deno.writeFileSync(path, concatBytes(chunks), { createNew: true, mode: fileMode });
        } catch (e) {
          if (e instanceof Deno.errors.AlreadyExists) throw this.#conflict(name);
          throw e;
        }
      }
    } finally {
      file?.close();
    }
    this.#bytes += size;
    this.#files.add(key);
    this.#hashes.set(key, hash.digest());
    this.#count++;
    this.#entryDone();
  }

  /** Creates a directory (its mode is applied by {@link finish}). */
  directory(name: string, mode: number | undefined): void {
    this.#beginEntry();
    const parts = this.#place(name, true);
    if (parts && parts.length > 0) {
      this.#mkdirs(parts, name);
      if (mode !== undefined) this.#dirModes.set(parts.join("/"), mode);
    }
    this.#entryDone();
  }

  /** Records a symlink; it is checked and created by {@link finish}. */
  symlink(name: string, target: string): void {
    this.#beginEntry();
    const parts = this.#place(name, false);
    if (parts) {
      if (target === "") throw this.#refuse(name, "is a symlink with an empty target");
      if (isAbsoluteEntryName(target)) {
        throw this.#refuse(name, `is a symlink to '${target}', outside the target directory`);
      }
      const git = gitDirSegment(target);
      if (git !== undefined) {
        throw this.#refuse(name, `is a symlink to '${target}', which ${gitDirReason(git)}`);
      }
      const key = parts.join("/");
      // It replaces a file of the same path (removed on disk by finish): no hard link may target it now.
      if (this.#files.delete(key)) this.#shadowed.add(key);
      this.#symlinks.delete(key);
      this.#symlinks.set(key, { entry: name, target });
    }
    this.#entryDone();
  }

  /** Creates a hard link to a file this archive already extracted (its `target` is archive-relative). */
  hardlink(name: string, target: string): void {
    this.#beginEntry();
    const parts = this.#place(name, false);
    if (!parts) return this.#entryDone();
    const normalised = normaliseEntryName(target);
    if (!normalised.ok) {
      throw this.#refuse(name, `is a hard link to '${target}', outside the target directory`);
    }
    const targetParts = typeof this.#strip === "number"
      ? normalised.parts.slice(this.#strip)
      : normalised.parts;
    // Only files written by this archive count: no symlink exists on disk yet, so the path is exactly that file.
    if (targetParts.length === 0 || !this.#files.has(targetParts.join("/"))) {
      throw this.#refuse(name, `is a hard link to '${target}', which is not a file extracted before it`);
    }
    const key = parts.join("/");
    const path = join(this.#root, ...parts);
    this.#mkdirs(parts.slice(0, -1), name);
    this.#makeRoom(key, path);
    try {
      Deno.linkSync(join(this.#root, ...targetParts), path);
    } catch (e) {
      if (e instanceof Deno.errors.AlreadyExists) throw this.#conflict(name);
      throw e;
    }
    this.#files.add(key);
    this.#hashes.set(key, this.#hashes.get(targetParts.join("/"))!);
    this.#count++;
    this.#entryDone();
  }

  /** Counts an entry the reader skips (a device, a FIFO, an unknown type): it counts towards the cap. */
  skipped(): void {
    this.#beginEntry();
    this.#entryDone();
  }

  /**
   * Checks what the archive's own headers declare before anything of it is
   * read: `entries` in all (a zip's central directory), or the next entry's
   * `bytes`. A bomb is refused up front; a header that understates is caught by
   * the counting as the bytes come.
   */
  declared(declared: { entries?: number; bytes?: number }): void {
    if (declared.entries !== undefined && declared.entries > this.#limits.maxEntries) {
      throw limitExceeded(this.#archive, { kind: "entries", limit: this.#limits.maxEntries });
    }
    if (declared.bytes !== undefined) this.#checkSize(this.#unpacked + declared.bytes);
  }

  /**
   * Completes the tree: with strip `"auto"`, when every entry lives under one
   * single top-level directory its contents are moved up one level (GitHub
   * tarballs, `tool-1.0/…` release archives); then symlinks are checked and
   * created, and directory modes applied. Returns the number of files and
   * links written (directories not counted).
   */
  async finish(): Promise<number> {
    this.#signal?.throwIfAborted();
    let dropTop = false;
    if (this.#strip === "auto" && this.#topNames.size === 1 && !this.#topHasNonDirectory) {
      await this.#hoist([...this.#topNames][0]);
      dropTop = true;
    }
    const rekey = (key: string) => dropTop ? key.slice(key.indexOf("/") + 1) : key;
    const dirs = new Set<string>();
    for (const key of this.#dirs) if (!dropTop || key.includes("/")) dirs.add(rekey(key));
    const links = new Map<string, { entry: string; target: string }>();
    for (const [key, link] of this.#symlinks) links.set(rekey(key), link);
    this.#dirs.clear(); // from here on, keys are those of the final tree
    for (const key of dirs) this.#dirs.add(key);
    this.#createSymlinks(links, dirs);
    for (const [key, mode] of this.#dirModes) {
      if (dropTop && !key.includes("/")) continue;
      // Owner keeps rwx so the caller can still move or delete the tree.
      Deno.chmodSync(join(this.#root, rekey(key)), ((mode & 0o777) & ~this.#umask) | 0o700);
    }
    // A name no manifest may hold (a control character) stays out: the file then counts as added.
    for (const key of this.#files) {
      const path = rekey(key);
      if (safeRelativePath(path)) this.#manifest.files.set(path, this.#hashes.get(key)!);
    }
    for (const [path, { target }] of links) {
      if (safeRelativePath(path)) this.#manifest.links.set(path, target);
    }
    return this.#count;
  }

  /** What {@link finish} wrote: each file's sha256 and each link's target (empty before it). */
  manifest(): ExtractedManifest {
    return this.#manifest;
  }

  /** Normalises, refuses unsafe names, applies a numeric strip; `null` means "skip this entry". */
  #place(name: string, isDirectory: boolean): string[] | null {
    const normalised = normaliseEntryName(name);
    if (!normalised.ok) throw this.#refuse(name, normalised.reason);
    let parts = normalised.parts;
    if (typeof this.#strip === "number") {
      // Like `tar --strip-components`: entries with nothing left after stripping are skipped.
      if (parts.length <= this.#strip) return null;
      parts = parts.slice(this.#strip);
    } else if (parts.length > 0) {
      this.#topNames.add(parts[0]);
      if (parts.length === 1 && !isDirectory) this.#topHasNonDirectory = true;
    }
    return parts;
  }

  /** Clears the way for a file or hard link at `key`: a repeated entry replaces the earlier one. */
  #makeRoom(key: string, path: string): void {
    // Unlinking first keeps a hard link to the earlier file intact.
    if (this.#files.delete(key) || this.#shadowed.delete(key)) Deno.removeSync(path);
    this.#symlinks.delete(key);
  }

  #createFile(path: string, entry: string, mode: number): Deno.FsFile {
    try {
      return Deno.openSync(path, { write: true, createNew: true, mode });
    } catch (e) {
      if (e instanceof Deno.errors.AlreadyExists) throw this.#conflict(entry);
      throw e;
    }
  }

  /** Starts an entry: checks the signal and the entry cap. */
  #beginEntry(): void {
    this.#signal?.throwIfAborted();
    if (this.#entries >= this.#limits.maxEntries) {
      throw limitExceeded(this.#archive, { kind: "entries", limit: this.#limits.maxEntries });
    }
  }

  /** Counts `n` more bytes decompressed, stopping at once past a cap. */
  #account(n: number): void {
    this.#unpacked += n;
    this.#checkSize(this.#unpacked);
  }

  #checkSize(unpacked: number): void {
    const { maxUnpackedBytes, maxExpansionRatio, ratioFloorBytes } = this.#limits;
    if (unpacked > maxUnpackedBytes) {
      throw limitExceeded(this.#archive, { kind: "size", limit: maxUnpackedBytes });
    }
    const archiveBytes = this.#archiveBytes;
    if (
      archiveBytes !== undefined && unpacked > ratioFloorBytes &&
      unpacked > maxExpansionRatio * Math.max(archiveBytes, 1)
    ) {
      throw limitExceeded(this.#archive, {
        kind: "ratio",
        limit: maxExpansionRatio,
        unpacked,
        archiveBytes,
      });
    }
  }

  #entryDone(): void {
    this.#entries++;
    this.#onProgress?.({ entries: this.#entries, bytes: this.#bytes });
  }

  async #hoist(top: string): Promise<void> {
    // Rename the top dir aside first: it may itself contain an entry named like it.
    const aside = join(this.#root, `.ivpm-strip-${crypto.randomUUID()}`);
    try {
      await Deno.rename(join(this.#root, top), aside);
    } catch (e) {
      // Only deferred symlinks live under it: nothing on disk to move yet.
      if (e instanceof Deno.errors.NotFound) return;
      throw e;
    }
    for await (const child of Deno.readDir(aside)) {
      await Deno.rename(join(aside, child.name), join(this.#root, child.name));
    }
    await Deno.remove(aside);
  }

  /**
   * Checks every link against the final tree (`links` and `dirs` keyed after
   * any hoist), then creates them. Nothing is created unless all pass.
   */
  #createSymlinks(links: Map<string, { entry: string; target: string }>, dirs: Set<string>): void {
    const targets = new Map<string, string>();
    for (const [key, link] of links) targets.set(key, link.target);
    for (const [key, { entry, target }] of links) {
      // Entries below it would have to be written through it: refused, whatever their order.
      if (dirs.has(key)) {
        throw this.#refuse(entry, "is a symlink, but other entries of the archive lie below it");
      }
      const parts = key.split("/");
      for (let i = 1; i < parts.length; i++) {
        const above = parts.slice(0, i).join("/");
        if (targets.has(above)) {
          throw this.#refuse(entry, `lies below the symlink '${links.get(above)!.entry}'`);
        }
      }
      const resolved = resolveInTree(targets, parts.slice(0, -1), target);
      if (!resolved.ok) {
        throw this.#refuse(
          entry,
          resolved.reason === "loop"
            ? `is a symlink to '${target}' that cannot be resolved (too many levels of symbolic links)`
            : `is a symlink to '${target}', outside the target directory`,
        );
      }
    }
    for (const [key, { entry, target }] of links) {
      this.#signal?.throwIfAborted();
      const parts = key.split("/");
      this.#mkdirs(parts.slice(0, -1), entry); // no part of it is a link: checked above
      const path = join(this.#root, key);
      try {
        Deno.symlinkSync(target, path);
      } catch (e) {
        if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
        // A file entry of the same path came earlier: the later link replaces it.
        Deno.removeSync(path);
        Deno.symlinkSync(target, path);
      }
      this.#count++;
    }
  }

  /** Makes the directory `parts` (and its parents) unless this writer already did. */
  #mkdirs(parts: string[], entry: string): void {
    if (parts.length === 0) return;
    const key = parts.join("/");
    if (this.#dirs.has(key)) return;
    try {
      Deno.mkdirSync(join(this.#root, key), { recursive: true });
    } catch (e) {
      if (e instanceof Deno.errors.AlreadyExists || e instanceof Deno.errors.NotADirectory) {
        throw this.#conflict(entry);
      }
      throw e;
    }
    for (let i = parts.length; i > 0; i--) {
      const above = parts.slice(0, i).join("/");
      if (this.#dirs.has(above)) break;
      this.#dirs.add(above);
    }
  }

  #fileMode(mode: number | undefined): number {
    // No mode (0 or missing) means the archiver did not record one: use the usual default.
    const bits = mode ? mode & 0o777 : 0o644;
    return (bits & ~this.#umask) | 0o400;
  }

  #refuse(entry: string, reason: string): IvpmError {
    return new IvpmError(`Refusing to extract ${this.#archive}: entry '${entry}' ${reason}`, {
      hint: "the archive is unsafe or damaged; check where it comes from, nothing was extracted",
    });
  }

  #conflict(entry: string): IvpmError {
    return new IvpmError(
      `Cannot extract ${this.#archive}: entry '${entry}' conflicts with an earlier entry of another type`,
      { hint: "the archive is damaged or not meant to be unpacked; nothing was extracted" },
    );
  }
}

function writeAll(file: Deno.FsFile, bytes: Uint8Array): void {
  for (let done = 0; done < bytes.length;) done += file.writeSync(bytes.subarray(done));
}
