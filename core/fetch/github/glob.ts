/**
 * Shell-style file-name patterns as Python's `fnmatch` reads them, used by the gh-rls `file:`
 * filter. (`node:path` `matchesGlob` exists in Deno 2.9.6 but needs env access to start.)
 *
 * @module
 */

/**
 * Compiles a pattern to an anchored RegExp: `*` any run of characters, `?` one character,
 * `[abc]`/`[a-z]` a set, `[!abc]` its complement; an unclosed `[` is literal. Case-sensitive.
 */
export function globToRegExp(glob: string): RegExp {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === "*") {
      re += ".*";
    } else if (c === "?") {
      re += ".";
    } else if (c === "[") {
      // A `]` right after `[` or `[!` belongs to the set, as in fnmatch.
      let j = i + 1;
      if (glob[j] === "!") j++;
      if (glob[j] === "]") j++;
      while (j < glob.length && glob[j] !== "]") j++;
      if (j >= glob.length) {
        re += "\\[";
        continue;
      }
      let body = glob.slice(i + 1, j);
      const negate = body.startsWith("!");
      if (negate) body = body.slice(1);
      body = body.replace(/[\\\]^]/g, "\\$&");
      re += `[${negate ? "^" : ""}${body}]`;
      i = j;
    } else {
      re += c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
    }
  }
  return new RegExp(`^${re}$`, "s");
}

/** Whether `name` matches the shell-style `glob`. */
export function matchesGlob(name: string, glob: string): boolean {
  return globToRegExp(glob).test(name);
}
