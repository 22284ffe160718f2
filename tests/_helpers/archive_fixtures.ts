/**
 * Builds archives for tests: real ones with the `tar` and `zip` command-line
 * tools, and hand-crafted (possibly malicious) ones entry by entry with
 * `tar-stream` and `fflate`, which write whatever names they are given.
 *
 * @module
 */

import { gzipSync } from "node:zlib";
import { type Zippable, zipSync } from "fflate";
import tarStream from "tar-stream";
import { concatBytes } from "../../core/util/bytes.ts";

/** One entry of a hand-crafted tar. */
export interface TarEntrySpec {
  name: string;
  type?: "file" | "directory" | "symlink" | "link" | "fifo" | "character-device";
  /** For symlinks and hard links. */
  linkname?: string;
  content?: string;
  mode?: number;
}

/** Writes a tar (gzip-compressed when `path` ends in `.gz`/`.tgz`) with exactly these entries. */
export async function writeTar(path: string, entries: TarEntrySpec[]): Promise<void> {
  const pack = tarStream.pack();
  const chunks: Uint8Array[] = [];
  const collected = (async () => {
    for await (const chunk of pack) chunks.push(chunk as Uint8Array);
  })();
  for (const entry of entries) {
    const type = entry.type ?? "file";
    const header = {
      name: entry.name,
      type,
      linkname: entry.linkname,
      mode: entry.mode ?? (type === "directory" ? 0o755 : 0o644),
    };
    await new Promise<void>((resolve, reject) => {
      const callback = (error?: Error | null) => error ? reject(error) : resolve();
      pack.entry(header, type === "file" ? entry.content ?? "" : "", callback);
    });
  }
  pack.finalize();
  await collected;
  const tar = concatBytes(chunks);
  await Deno.writeFile(path, /\.(tgz|gz)$/.test(path) ? gzipSync(tar) : tar);
}

/** Writes a zip with exactly these file names and contents (names are stored verbatim). */
export async function writeZip(path: string, files: Record<string, string>): Promise<void> {
  const encoded: Record<string, Uint8Array> = {};
  for (const [name, content] of Object.entries(files)) encoded[name] = new TextEncoder().encode(content);
  await Deno.writeFile(path, zipSync(encoded));
}

/** One entry of a hand-crafted zip: a file, or a symlink when `symlink` (its target) is set. */
export interface ZipEntrySpec {
  name: string;
  content?: string;
  symlink?: string;
}

/**
 * Writes a zip with exactly these entries, in order. Symlinks are stored the way
 * Info-ZIP stores them: made on Unix, mode `S_IFLNK` in the external attributes,
 * the target as content.
 */
export async function writeZipEntries(path: string, entries: ZipEntrySpec[]): Promise<void> {
  const encoded: Zippable = {};
  for (const entry of entries) {
    const data = new TextEncoder().encode(entry.symlink ?? entry.content ?? "");
    encoded[entry.name] = entry.symlink === undefined
      ? data
      : [data, { os: 3, attrs: (0o120777 << 16) >>> 0, level: 0 }];
  }
  await Deno.writeFile(path, zipSync(encoded));
}

/** Runs a command in `cwd`, throwing with its stderr if it fails. */
export async function run(cwd: string, command: string, ...args: string[]): Promise<void> {
  const output = await new Deno.Command(command, { args, cwd, stdout: "piped", stderr: "piped" }).output();
  if (!output.success) {
    throw new Error(`${command} ${args.join(" ")} failed: ${new TextDecoder().decode(output.stderr)}`);
  }
}
