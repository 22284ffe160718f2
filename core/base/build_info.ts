/**
 * Facts about the build, written by `scripts/compile.ts` while it compiles a release binary and restored
 * afterwards; a source checkout keeps `undefined` (the commit is then read from `.git`).
 *
 * @module
 */

/** The commit the binary was built from. */
export const BUILD_COMMIT: string | undefined = undefined;
