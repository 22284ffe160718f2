/**
 * Writes archive entries into a target directory, enforcing the safety rules
 * every archive format shares: no absolute or escaping paths, no hard link to
 * anything but a file extracted earlier, no symlink that resolves outside the
 * target. Format readers (tar, zip) only decode entries and hand them here.
 *
 * Symlinks are created last, after every file and directory is written, so no
 * entry can ever be written *through* a symlink planted by an earlier entry
 * (the classic `link -> /etc` then `link/passwd` attack); each one is checked
 * against the tree as it stands on disk, following the links already made.
 *
 * @module
 */

import { dirname, join } from "node:path";
import { IvpmError } from "../errors.ts";
import { isAbsoluteEntryName, isInside, normaliseEntryName, resolvePhysical } from "./entry_path.ts";

/** How many leading path components to drop: a count, or `"auto"` (see {@link TreeWriter.finish}). */
export type StripMode = "auto" | number;

interface PendingSymlink {
  entry: string;
  parts: string[];
  target: string;
}

/** Collects the entries of one archive into one directory. */
export class TreeWriter {
  readonly #archive: string;
  readonly #root: string;
  readonly #strip: StripMode;
  readonly #umask: number;
  /** Regular files written so far (keys are parts joined by `/`): the only valid hard-link targets. */
  readonly #files = new Set<string>();
  readonly #madeDirs = new Set<string>();
  /** Directory entries and their archive modes, applied at the end so a read-only dir cannot block its children. */
  readonly #dirModes = new Map<string, number>();
  readonly #symlinks: PendingSymlink[] = [];
  readonly #topNames = new Set<string>();
  #topHasNonDirectory = false;
  #count = 0;

  private constructor(archive: string, root: string, strip: StripMode) {
    this.#archive = archive;
    this.#root = root;
    this.#strip = strip;
    this.#umask = Deno.umask();
  }

  /** Starts writing into `root`, an existing, empty directory. */
  static async create(archive: string, root: string, strip: StripMode): Promise<TreeWriter> {
    return new TreeWriter(archive, await Deno.realPath(root), strip);
  }

  /** Writes a regular file; `body` is always consumed, even when the entry is skipped. */
  async file(name: string, mode: number | undefined, body: AsyncIterable<Uint8Array>): Promise<void> {
    const parts = this.#place(name, false);
    if (!parts) {
      for await (const _ of body) { /* drain: the reader needs the next entry */ }
      return;
    }
    const key = parts.join("/");
    const path = join(this.#root, ...parts);
    await this.#mkdirs(dirname(path), name);
    // A repeated entry replaces the earlier one; unlinking first keeps a hard link to it intact.
    if (this.#files.has(key)) await Deno.remove(path);
    let file: Deno.FsFile;
    try {
      file = await Deno.open(path, { write: true, createNew: true, mode: 0o600 });
    } catch (e) {
      if (e instanceof Deno.errors.AlreadyExists) throw this.#conflict(name);
      throw e;
    }
    await ReadableStream.from(body).pipeTo(file.writable);
    await Deno.chmod(path, this.#fileMode(mode));
    this.#files.add(key);
    this.#count++;
  }

  /** Creates a directory (its mode is applied by {@link finish}). */
  async directory(name: string, mode: number | undefined): Promise<void> {
    const parts = this.#place(name, true);
    if (!parts || parts.length === 0) return;
    await this.#mkdirs(join(this.#root, ...parts), name);
    if (mode !== undefined) this.#dirModes.set(parts.join("/"), mode);
  }

  /** Records a symlink; it is checked and created by {@link finish}. */
  symlink(name: string, target: string): void {
    const parts = this.#place(name, false);
    if (!parts) return;
    if (target === "") throw this.#refuse(name, "is a symlink with an empty target");
    if (isAbsoluteEntryName(target)) {
      throw this.#refuse(name, `is a symlink to '${target}', outside the target directory`);
    }
    this.#symlinks.push({ entry: name, parts, target });
  }

  /** Creates a hard link to a file this archive already extracted (its `target` is archive-relative). */
  async hardlink(name: string, target: string): Promise<void> {
    const parts = this.#place(name, false);
    if (!parts) return;
    const normalised = normaliseEntryName(target);
    if (!normalised.ok) {
      throw this.#refuse(name, `is a hard link to '${target}', outside the target directory`);
    }
    const targetParts = typeof this.#strip === "number"
      ? normalised.parts.slice(this.#strip)
      : normalised.parts;
    const targetKey = targetParts.join("/");
    if (targetParts.length === 0 || !this.#files.has(targetKey)) {
      throw this.#refuse(name, `is a hard link to '${target}', which is not a file extracted before it`);
    }
    const key = parts.join("/");
    const path = join(this.#root, ...parts);
    await this.#mkdirs(dirname(path), name);
    if (this.#files.has(key)) await Deno.remove(path);
    try {
      await Deno.link(join(this.#root, ...targetParts), path);
    } catch (e) {
      if (e instanceof Deno.errors.AlreadyExists) throw this.#conflict(name);
      throw e;
    }
    this.#files.add(key);
    this.#count++;
  }

  /**
   * Completes the tree: with strip `"auto"`, when every entry lives under one
   * single top-level directory its contents are moved up one level (GitHub
   * tarballs, `tool-1.0/…` release archives); then symlinks are checked and
   * created, and directory modes applied. Returns the number of files and
   * links written (directories not counted).
   */
  async finish(): Promise<number> {
    let dropTop = false;
    if (this.#strip === "auto" && this.#topNames.size === 1 && !this.#topHasNonDirectory) {
      await this.#hoist([...this.#topNames][0]);
      dropTop = true;
    }
    for (const link of this.#symlinks) {
      const parts = dropTop ? link.parts.slice(1) : link.parts;
      if (parts.length > 0) await this.#createSymlink(link.entry, parts, link.target);
    }
    for (const [key, mode] of this.#dirModes) {
      const parts = key.split("/").slice(dropTop ? 1 : 0);
      if (parts.length === 0) continue;
      // Owner keeps rwx so the caller can still move or delete the tree.
      await Deno.chmod(join(this.#root, ...parts), ((mode & 0o777) & ~this.#umask) | 0o700);
    }
    return this.#count;
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
    this.#madeDirs.clear(); // paths below the old top moved
    for await (const child of Deno.readDir(aside)) {
      await Deno.rename(join(aside, child.name), join(this.#root, child.name));
    }
    await Deno.remove(aside);
  }

  async #createSymlink(entry: string, parts: string[], target: string): Promise<void> {
    const outside = () => this.#refuse(entry, `is a symlink to '${target}', outside the target directory`);
    let parent: string;
    let resolved: string;
    try {
      parent = await resolvePhysical(this.#root, parts.slice(0, -1).join("/"));
      resolved = await resolvePhysical(parent, target);
    } catch (e) {
      throw this.#refuse(entry, `is a symlink that cannot be resolved (${(e as Error).message})`);
    }
    if (!isInside(this.#root, parent) || !isInside(this.#root, resolved)) throw outside();
    const path = join(parent, parts[parts.length - 1]);
    await this.#mkdirs(parent, entry);
    try {
      const existing = await Deno.lstat(path);
      if (existing.isDirectory) throw this.#conflict(entry);
      await Deno.remove(path);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
    await Deno.symlink(target, path);
    this.#count++;
  }

  async #mkdirs(dir: string, entry: string): Promise<void> {
    if (this.#madeDirs.has(dir)) return;
    try {
      await Deno.mkdir(dir, { recursive: true });
    } catch (e) {
      if (e instanceof Deno.errors.AlreadyExists || e instanceof Deno.errors.NotADirectory) {
        throw this.#conflict(entry);
      }
      throw e;
    }
    this.#madeDirs.add(dir);
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
