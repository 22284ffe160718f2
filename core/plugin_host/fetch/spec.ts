/**
 * Plugin specs as users write them (`jsr:@acme/fusesoc@^1.2`, `https://…/mod.ts`,
 * `./tools/my_handler.ts`, `npm:pkg@1`), parsed into a {@link PluginSpec}.
 *
 * @module
 */

import { isAbsolute, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import semverModule from "semver";
import { IvpmError } from "../../base/errors.ts";
import { checkRemoteUrl } from "./remote.ts";

/** The part of `npm:semver` used here (the package ships no types). */
interface SemverApi {
  validRange(range: string): string | null;
}
const semver = semverModule as SemverApi;

/** Where a plugin comes from. */
export type PluginSpec =
  /** A JSR package: `scope` and `name` without the `@` (`@acme/fusesoc` → `acme`, `fusesoc`). */
  | { kind: "jsr"; scope: string; name: string; range: string; subpath?: string }
  /** An `https:` module (or `http:` on the loopback interface). */
  | { kind: "url"; url: string }
  /** A file on disk (absolute path). */
  | { kind: "local"; path: string }
  /** An npm package (`name` includes any `@scope/`). */
  | { kind: "npm"; name: string; range: string; subpath?: string };

const FORMS_HINT =
  "write jsr:@scope/name[@range][/subpath], https://host/path/mod.ts, npm:name[@range] or a path like ./tools/plugin.ts";

/** JSR scope and package names: lower-case letters, digits and dashes. */
const JSR_PART = /^[a-z0-9][a-z0-9-]*$/;
/** npm package names (lower-case, URL-safe), optionally scoped. */
const NPM_NAME = /^(?:@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/;

/**
 * Parses `spec`; a relative path is resolved against `baseDir` (normally the
 * directory of the file that names the plugin). Throws an {@link IvpmError}
 * with a hint showing the accepted forms when `spec` is not one of them.
 */
export function parsePluginSpec(spec: string, baseDir: string): PluginSpec {
  const text = spec.trim();
  if (text === "") throw new IvpmError("Empty plugin spec", { hint: FORMS_HINT });
  if (text.startsWith("jsr:")) return parseRegistrySpec(text, "jsr");
  if (text.startsWith("npm:")) return parseRegistrySpec(text, "npm");
  if (text.startsWith("file:")) {
    let path: string;
    try {
      path = fileURLToPath(text);
    } catch {
      throw new IvpmError(`Invalid file URL in plugin spec '${spec}'`, { hint: FORMS_HINT });
    }
    return { kind: "local", path };
  }
  if (/^https?:/i.test(text)) {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new IvpmError(`Invalid URL in plugin spec '${spec}'`, { hint: FORMS_HINT });
    }
    checkRemoteUrl(url, "plugin");
    return { kind: "url", url: url.href };
  }
  // Two or more letters before a colon is a URL scheme; one letter is a Windows drive (`C:\…`).
  const scheme = /^([a-z][a-z0-9+.-]+):/i.exec(text);
  if (scheme) {
    throw new IvpmError(`Unsupported plugin spec '${spec}': unknown scheme '${scheme[1]}:'`, {
      hint: FORMS_HINT,
    });
  }
  if (text.startsWith("@")) {
    throw new IvpmError(`Ambiguous plugin spec '${spec}'`, {
      hint: `say which registry: jsr:${text} or npm:${text}`,
    });
  }
  if (text.startsWith("~")) {
    throw new IvpmError(`Plugin path '${spec}' starts with '~', which ivpm does not expand`, {
      hint: "write the path relative to the project or as an absolute path",
    });
  }
  if (!looksLikePath(text)) {
    throw new IvpmError(`Plugin spec '${spec}' is neither a package, a URL nor a path`, {
      hint: `for a file in this directory write ./${text}; for a package, jsr:@scope/${text}`,
    });
  }
  return { kind: "local", path: isAbsolute(text) ? resolve(text) : resolve(baseDir, text) };
}

/** Paths start with `.`/`/`/`\`/a drive letter, or name a module file. */
function looksLikePath(text: string): boolean {
  return /^(?:\.{1,2}[\\/]|[\\/]|[a-z]:[\\/])/i.test(text) || /[\\/]/.test(text) ||
    /\.(?:[mc]?[jt]s|[jt]sx)$/i.test(text);
}

function parseRegistrySpec(text: string, kind: "jsr" | "npm"): PluginSpec {
  // Deno also accepts `jsr:/@scope/name`.
  const body = text.slice(4).replace(/^\//, "");
  const bad = (why: string, hint = FORMS_HINT): never => {
    throw new IvpmError(`Invalid plugin spec '${text}': ${why}`, { hint });
  };
  let nameEnd: number;
  if (body.startsWith("@")) {
    const slash = body.indexOf("/");
    if (slash < 0) bad("a scoped name needs '@scope/name'");
    nameEnd = indexOfEither(body, "@", "/", slash + 1);
  } else {
    if (kind === "jsr") bad("JSR package names look like '@scope/name'", `write jsr:@<scope>/${body}`);
    nameEnd = indexOfEither(body, "@", "/", 0);
  }
  const name = body.slice(0, nameEnd);
  let rest = body.slice(nameEnd);
  let range = "*";
  if (rest.startsWith("@")) {
    const slash = rest.indexOf("/");
    range = (slash < 0 ? rest.slice(1) : rest.slice(1, slash)).trim();
    rest = slash < 0 ? "" : rest.slice(slash);
    if (range === "") bad("empty version range after '@'");
    if (semver.validRange(range) === null) {
      bad(
        `'${range}' is not a version range`,
        "use a version (1.2.3) or a range such as ^1.2, ~1.1, >=1 <2 or *",
      );
    }
  }
  let subpath: string | undefined;
  if (rest !== "") {
    const sub = rest.slice(1);
    if (sub === "" || sub.endsWith("/") || sub.split("/").some((s) => s === "" || s === "." || s === "..")) {
      bad(`invalid subpath '${rest}'`);
    }
    subpath = `./${sub}`;
  }
  if (kind === "jsr") {
    const [scope, pkg] = name.slice(1).split("/");
    if (!JSR_PART.test(scope) || !JSR_PART.test(pkg ?? "")) {
      bad(
        `'${name}' is not a JSR package name`,
        "JSR names are '@scope/name' in lower-case letters, digits and '-'",
      );
    }
    return subpath ? { kind, scope, name: pkg, range, subpath } : { kind, scope, name: pkg, range };
  }
  if (!NPM_NAME.test(name)) bad(`'${name}' is not an npm package name`);
  return subpath ? { kind, name, range, subpath } : { kind, name, range };
}

/** First index of `a` or `b` in `s` at or after `from`, or `s.length`. */
function indexOfEither(s: string, a: string, b: string, from: number): number {
  const ia = s.indexOf(a, from), ib = s.indexOf(b, from);
  const hits = [ia, ib].filter((x) => x >= 0);
  return hits.length ? Math.min(...hits) : s.length;
}

/** The spec written back in its canonical text form (for messages and lock keys). */
export function formatPluginSpec(spec: PluginSpec): string {
  switch (spec.kind) {
    case "jsr":
      return `jsr:@${spec.scope}/${spec.name}${spec.range === "*" ? "" : `@${spec.range}`}${
        spec.subpath ? spec.subpath.slice(1) : ""
      }`;
    case "npm":
      return `npm:${spec.name}${spec.range === "*" ? "" : `@${spec.range}`}${
        spec.subpath ? spec.subpath.slice(1) : ""
      }`;
    case "url":
      return spec.url;
    case "local":
      return spec.path;
  }
}
