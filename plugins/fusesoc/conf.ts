/**
 * Editing `fusesoc.conf` (an INI file) line by line: ivpm owns the
 * `[library.ivpm.*]` sections and nothing else, so every other section, comment
 * and blank line stays byte-for-byte (a configparser round trip would drop the
 * user's comments).
 *
 * @module
 */

/** One library section ivpm writes. */
export interface ConfLibrary {
  /** Section suffix: `[library.ivpm.<name>]`. */
  name: string;
  /** Absolute directory holding cores. */
  location: string;
}

/** Result of {@link setIvpmLibraries}. */
export interface ConfEdit {
  /** The new file text. */
  text: string;
  /** What was put between the user's text and ivpm's sections (removed again with them). */
  separator: string;
}

const HEADER = /^\[(.+)\][ \t]*\r?$/;
const IVPM_PREFIX = "library.ivpm.";

/** Splits keeping line endings. */
function lines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

/** Whether a line is a section header of an ivpm library. */
function isIvpmHeader(line: string): boolean {
  const m = HEADER.exec(line.replace(/\n$/, ""));
  return !!m && m[1].trim().startsWith(IVPM_PREFIX);
}

/** Names (`library.ivpm.x`) of the ivpm sections in `text`. */
export function ivpmSections(text: string): string[] {
  return lines(text).filter(isIvpmHeader).map((l) => HEADER.exec(l.replace(/\n$/, ""))![1].trim());
}

/**
 * `text` without its `[library.ivpm.*]` sections. A section runs to the next
 * header; comment lines after its last key (with the blank lines between them)
 * introduce what follows, so they stay. When the removed sections ended the file,
 * `separator` (what {@link setIvpmLibraries} inserted before them) is removed too.
 */
export function removeIvpmLibraries(text: string, separator = ""): string {
  const all = lines(text);
  const out: string[] = [];
  let inIvpm = false;
  let block: string[] = [];
  let endedWithIvpm = false;
  const flush = () => {
    if (!inIvpm) return;
    // Keep the trailing comment group (and blank lines inside it): the user's, for the next section.
    let keepFrom = block.length;
    for (let i = block.length - 1; i >= 1; i--) {
      const t = block[i].trim();
      if (t === "") continue;
      if (t.startsWith("#") || t.startsWith(";")) keepFrom = i;
      else break;
    }
    while (keepFrom < block.length && block[keepFrom].trim() === "") keepFrom++;
    out.push(...block.slice(keepFrom));
    endedWithIvpm = keepFrom >= block.length;
    block = [];
  };
  for (const line of all) {
    if (HEADER.test(line.replace(/\n$/, ""))) {
      flush();
      inIvpm = isIvpmHeader(line);
      if (inIvpm) {
        block = [line];
        continue;
      }
      endedWithIvpm = false;
    }
    if (inIvpm) block.push(line);
    else {
      out.push(line);
      if (line.trim() !== "") endedWithIvpm = false;
    }
  }
  flush();
  let result = out.join("");
  if (endedWithIvpm && separator && result.endsWith(separator)) {
    result = result.slice(0, result.length - separator.length);
  }
  return result;
}

/** The text of ivpm's sections. */
export function librarySections(libs: readonly ConfLibrary[]): string {
  return libs.map((l) => `[${IVPM_PREFIX}${l.name}]\nlocation = ${l.location}\nsync-type = local\n`).join(
    "\n",
  );
}

/**
 * Replaces every `[library.ivpm.*]` section of `text` with `libs`, appended at the
 * end after a blank line. `previousSeparator` is what the last edit inserted (from
 * the handler's state), so re-running gives the same text.
 */
export function setIvpmLibraries(
  text: string,
  libs: readonly ConfLibrary[],
  previousSeparator = "",
): ConfEdit {
  const base = removeIvpmLibraries(text, previousSeparator);
  if (!libs.length) return { text: base, separator: "" };
  const separator = base === "" || base.endsWith("\n\n") || base.endsWith("\r\n\r\n")
    ? ""
    : base.endsWith("\n")
    ? "\n"
    : "\n\n";
  return { text: base + separator + librarySections(libs), separator };
}

/**
 * Section names for the core directories: `<owner>` for an owner's only
 * directory, `<owner>-<i>` (from 0) when it owns several. A directory shared by
 * several packages is listed once, under its first owner.
 */
export function libraryNames(dirs: readonly { dir: string; owners: readonly string[] }[]): ConfLibrary[] {
  const byOwner = new Map<string, string[]>();
  for (const d of dirs) {
    const owner = d.owners[0];
    byOwner.set(owner, [...(byOwner.get(owner) ?? []), d.dir]);
  }
  const out: ConfLibrary[] = [];
  for (const [owner, list] of byOwner) {
    list.forEach((location, i) => out.push({ name: list.length > 1 ? `${owner}-${i}` : owner, location }));
  }
  return out;
}
