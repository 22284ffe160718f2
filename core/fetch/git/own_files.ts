/**
 * Files ivpm itself adds to a checkout (a catalog's FuseSoC core): hidden from `git status` through
 * `.git/info/exclude`, with a marker so the unsaved-work check knows they are not the user's.
 *
 * @module
 */

import { join } from "node:path";

/** Marks the `.git/info/exclude` line after it as a file ivpm itself added to the checkout. */
const OWN_MARK = "# ivpm: added by ivpm, not part of the repository";

/**
 * Hides `name` (a file ivpm wrote into the checkout at `dir`, e.g. a catalog's
 * FuseSoC core) from `git status`, marked so that {@link findLocalWork} does not
 * count it as the user's ignored file.
 */
export async function excludeOwnFile(dir: string, name: string): Promise<void> {
  await Deno.mkdir(join(dir, ".git", "info"), { recursive: true });
  const exclude = join(dir, ".git", "info", "exclude");
  const prev = await Deno.readTextFile(exclude).catch(() => "");
  await Deno.writeTextFile(
    exclude,
    `${prev}${prev && !prev.endsWith("\n") ? "\n" : ""}${OWN_MARK}\n/${name}\n`,
  );
}

/** The files marked as ivpm's own in the checkout at `dir`. */
export async function ownFiles(dir: string): Promise<Set<string>> {
  const lines = (await Deno.readTextFile(join(dir, ".git", "info", "exclude")).catch(() => "")).split("\n");
  const own = new Set<string>();
  lines.forEach((l, i) => {
    if (l === OWN_MARK && lines[i + 1]?.startsWith("/")) own.add(lines[i + 1].slice(1));
  });
  return own;
}
