/**
 * Reads a zip (or jar) archive entry by entry into a {@link TreeWriter}.
 *
 * Uses `yauzl` rather than `fflate`: yauzl reads the central directory with
 * random access to the file and streams each entry, so the archive is never
 * loaded whole, and it exposes each entry's "version made by" and external
 * attributes, which carry Unix modes (executable bits) and mark symlinks.
 * fflate's `unzip` needs the whole archive in memory and its streaming `Unzip`
 * does not report external attributes.
 *
 * Sizes: the central directory's entry count and each entry's declared size are
 * checked against the caps before anything is read, and the inflated bytes are
 * counted by the writer as they come; an entry that inflates to more than it
 * declares is refused on the first byte too many (ivpm's own check rather than
 * yauzl's, for a message that says what happened).
 *
 * @module
 */

import type { Readable } from "node:stream";
import yauzlModule from "yauzl";
import { IvpmError } from "../../base/errors.ts";
import type { TreeWriter } from "./tree_writer.ts";
import { concatBytes } from "../../util/bytes.ts";
import { sizeLie } from "./limits.ts";

/** The parts of yauzl's `Entry` used here (yauzl ships no types). */
interface ZipEntry {
  fileNameRaw: Uint8Array;
  extraFields: { id: number; data: Uint8Array }[];
  generalPurposeBitFlag: number;
  versionMadeBy: number;
  externalFileAttributes: number;
  uncompressedSize: number;
  isEncrypted(): boolean;
}

/** The parts of yauzl's `ZipFile` used here. */
interface ZipFile {
  /** From the end of central directory record. */
  entryCount: number;
  readEntry(): void;
  close(): void;
  once(event: "entry", listener: (entry: ZipEntry) => void): void;
  once(event: "end", listener: () => void): void;
  once(event: "error", listener: (error: Error) => void): void;
  removeAllListeners(event: string): void;
  openReadStream(entry: ZipEntry, callback: (error: Error | null, stream: Readable) => void): void;
}

interface Yauzl {
  open(
    path: string,
    options: {
      lazyEntries: boolean;
      decodeStrings: boolean;
      autoClose: boolean;
      validateEntrySizes: boolean;
    },
    callback: (error: Error | null, zip: ZipFile) => void,
  ): void;
  getFileNameLowLevel(
    flags: number,
    raw: Uint8Array,
    extraFields: ZipEntry["extraFields"],
    strict: boolean,
  ): string;
}

const yauzl = yauzlModule as unknown as Yauzl;

/** Unix file-type bits of a mode. */
const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const S_IFDIR = 0o040000;
/** MS-DOS "directory" attribute in the low byte of the external attributes. */
const DOS_DIRECTORY = 0x10;
/** Hosts ("version made by" high byte) whose external attributes hold a Unix mode: Unix, macOS. */
const UNIX_HOSTS = new Set([3, 19]);
/** A symlink target longer than this is not a symlink target. */
const MAX_LINK_TARGET = 4096;

/** Reads every entry of the zip file `archive` and hands it to `writer`. */
export async function readZip(archive: string, writer: TreeWriter): Promise<void> {
  // decodeStrings: false — yauzl would reject unsafe names with its own message; the writer does it with ours.
  const zip = await new Promise<ZipFile>((resolve, reject) =>
    yauzl.open(
      archive,
      // validateEntrySizes: false — inflated sizes are checked here, see `declaredBytes`.
      { lazyEntries: true, decodeStrings: false, autoClose: false, validateEntrySizes: false },
      (error, zip) => error ? reject(error) : resolve(zip),
    )
  );
  try {
    writer.declared({ entries: zip.entryCount });
    for (let entry = await nextEntry(zip); entry; entry = await nextEntry(zip)) {
      const name = yauzl.getFileNameLowLevel(
        entry.generalPurposeBitFlag,
        entry.fileNameRaw,
        entry.extraFields,
        false, // lets Windows-made zips use '\' as separator
      );
      if (entry.isEncrypted()) {
        throw new IvpmError(`Cannot extract ${archive}: entry '${name}' is encrypted`, {
          hint: "ivpm cannot unpack password-protected zip files",
        });
      }
      const unixMode = UNIX_HOSTS.has(entry.versionMadeBy >> 8) ? entry.externalFileAttributes >>> 16 : 0;
      const type = unixMode & S_IFMT;
      if (type === S_IFLNK) {
        writer.symlink(name, await readLinkTarget(zip, entry, archive, name));
      } else if (
        type === S_IFDIR || name.endsWith("/") || (entry.externalFileAttributes & DOS_DIRECTORY) !== 0
      ) {
        writer.directory(name, unixMode ? unixMode & 0o7777 : undefined);
      } else {
        writer.declared({ bytes: entry.uncompressedSize });
        const body = declaredBytes(await openEntry(zip, entry), entry.uncompressedSize, archive, name);
        await writer.file(name, unixMode & 0o7777, body);
      }
    }
  } finally {
    zip.close();
  }
}

function nextEntry(zip: ZipFile): Promise<ZipEntry | null> {
  return new Promise((resolve, reject) => {
    const settle = () => ["entry", "end", "error"].forEach((event) => zip.removeAllListeners(event));
    zip.once("entry", (entry) => (settle(), resolve(entry)));
    zip.once("end", () => (settle(), resolve(null)));
    zip.once("error", (error) => (settle(), reject(error)));
    zip.readEntry();
  });
}

/** `stream`, refused on the first byte past `declared` and when it ends short of it. */
async function* declaredBytes(
  stream: Readable,
  declared: number,
  archive: string,
  name: string,
): AsyncGenerator<Uint8Array> {
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Uint8Array).length;
    if (size > declared) throw sizeLie(archive, name, declared);
    yield chunk as Uint8Array;
  }
  if (size < declared) throw new Error(`entry '${name}' ends after ${size} of its ${declared} bytes`);
}

function openEntry(zip: ZipFile, entry: ZipEntry): Promise<Readable> {
  return new Promise((resolve, reject) =>
    zip.openReadStream(entry, (error, stream) => error ? reject(error) : resolve(stream))
  );
}

async function readLinkTarget(zip: ZipFile, entry: ZipEntry, archive: string, name: string): Promise<string> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of await openEntry(zip, entry)) {
    size += (chunk as Uint8Array).length;
    if (size > MAX_LINK_TARGET) {
      throw new IvpmError(
        `Refusing to extract ${archive}: entry '${name}' is a symlink with an oversized target`,
        {
          hint: "the archive is unsafe or damaged; check where it comes from, nothing was extracted",
        },
      );
    }
    chunks.push(chunk as Uint8Array);
  }
  return new TextDecoder().decode(concatBytes(chunks));
}
