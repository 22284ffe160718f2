/**
 * Tells which kind of archive a file or URL holds, from its name alone.
 *
 * @module
 */

/** The archive formats ivpm can unpack, plus `"file"` for anything that is not an archive. */
export type ArchiveKind = "tar" | "tar.gz" | "tar.xz" | "tar.bz2" | "zip" | "jar" | "file";

/** Suffix → kind; no suffix here ends another, so the order does not matter. */
const SUFFIXES: ReadonlyArray<readonly [string, ArchiveKind]> = [
  [".tar.gz", "tar.gz"],
  [".tgz", "tar.gz"],
  [".tar.xz", "tar.xz"],
  [".txz", "tar.xz"],
  [".tar.bz2", "tar.bz2"],
  [".tbz2", "tar.bz2"],
  [".tbz", "tar.bz2"],
  [".tar", "tar"],
  [".zip", "zip"],
  [".jar", "jar"],
];

/**
 * Returns the archive kind a file name or URL ends with (case-insensitive):
 * `.tar.gz`/`.tgz`, `.tar.xz`/`.txz`, `.tar.bz2`/`.tbz2`/`.tbz`, `.tar`, `.zip`,
 * `.jar`; anything else is `"file"`. A URL's `?query` and `#fragment` are ignored.
 *
 * @example
 * ```ts
 * archiveKindFromName("https://example.com/tool-1.0.tgz?raw=1"); // "tar.gz"
 * archiveKindFromName("README.md"); // "file"
 * ```
 */
export function archiveKindFromName(nameOrUrl: string): ArchiveKind {
  const name = nameOrUrl.replace(/[?#].*$/s, "").toLowerCase();
  for (const [suffix, kind] of SUFFIXES) {
    if (name.endsWith(suffix)) return kind;
  }
  return "file";
}
