/**
 * ivpm's version and what `ivpm --version` prints about the build.
 *
 * @module
 */

import { BUILD_COMMIT } from "./build_info.ts";

/** The ivpm version (kept in step with deno.json's "version"). */
export const VERSION = "0.1.0";

/** Where ivpm's sources, releases and docs live. */
export const REPOSITORY = "https://github.com/ivpm-dev/ivpm";

/** The JSON Schema of ivpm.yaml for this version, as editors can load it (the file at the release tag). */
export const SCHEMA_URL = `https://raw.githubusercontent.com/ivpm-dev/ivpm/v${VERSION}/docs/ivpm.schema.json`;

/** The commit of a source checkout, read from `.git` beside the sources (no git process). */
function checkoutCommit(): string | undefined {
  if (!import.meta.url.startsWith("file:")) return undefined;
  try {
    const git = new URL("../../.git/", import.meta.url);
    const head = Deno.readTextFileSync(new URL("HEAD", git)).trim();
    if (!head.startsWith("ref: ")) return head.slice(0, 12);
    const ref = head.slice(5);
    try {
      return Deno.readTextFileSync(new URL(ref, git)).trim().slice(0, 12);
    } catch {
      const packed = Deno.readTextFileSync(new URL("packed-refs", git));
      return packed.split("\n").find((l) => l.endsWith(` ${ref}`))?.slice(0, 12);
    }
  } catch {
    return undefined;
  }
}

/**
 * `ivpm 0.1.0 (commit 1a2b3c4d5e6f, deno 2.9.6, x86_64-unknown-linux-gnu)`: what a bug report needs.
 *
 * @example
 * ```ts
 * import { versionText } from "./version.ts";
 * console.log(versionText());
 * ```
 */
export function versionText(): string {
  const commit = BUILD_COMMIT ?? checkoutCommit() ?? "unknown";
  return `ivpm ${VERSION} (commit ${commit}, deno ${Deno.version.deno}, ${Deno.build.target})`;
}
