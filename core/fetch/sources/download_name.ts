/**
 * The file name a download is saved as. It comes from untrusted input (a URL,
 * a release asset's name), so it is checked to be one plain file name before
 * it is ever joined to a path: `..%2F..%2Fx` must not write outside the package.
 *
 * @module
 */

import { IvpmError } from "../../base/errors.ts";
import { isGitDirName, segmentProblem } from "../../util/path.ts";
import { escapeInline } from "../../util/terminal_text.ts";

/**
 * Returns `name` when it is one plain file name.
 *
 * @param from where the name came from (`the URL https://…`, `an asset of release …`), for the hint
 * @throws {IvpmError} naming the bad name (the update names the package).
 */
export function checkDownloadName(name: string, from: string): string {
  // A file named `.git` (or `.GIT`, `GIT~1`…) in a package would make git read it as a repository link.
  const problem = segmentProblem(name) ??
    (isGitDirName(name)
      ? "it is '.git' on some file systems, which git would read as a repository"
      : undefined);
  if (problem === undefined) return name;
  throw new IvpmError(
    `refusing to save a download as ${JSON.stringify(name)} (${problem})`,
    {
      // `from` holds the URL or tag as declared: on one line, so a line break in it cannot forge a line.
      hint: `the name comes from ${escapeInline(from)}; a download must be named by one plain file name ` +
        "(no '/', '\\', '..'): fix or remove the dependency that declares it",
    },
  );
}

/**
 * The checked file name of a download from `url`: its last path segment,
 * percent-decoded (`download` when the path has none).
 *
 * @throws {IvpmError} when the decoded name is not one plain file name.
 */
export function urlFileName(url: string): string {
  // URL parsers read `\` as `/` in http(s) URLs; local paths may use it too.
  const last = url.replace(/[?#].*$/, "").replace(/[/\\]+$/, "").split(/[/\\]/).pop() ?? "";
  let name: string;
  try {
    name = decodeURIComponent(last);
  } catch {
    name = last; // malformed %-escape: keep it as written (still checked below)
  }
  return checkDownloadName(name || "download", `the URL ${url}`);
}
