/**
 * The small part of Python packaging standards the handler needs: PEP 503 name
 * normalisation, the name at the start of a PEP 508 requirement, and the
 * checks that keep text from a dependency's ivpm.yaml or pyproject.toml from
 * becoming anything but one requirement in a requirements file (pip reads
 * `--index-url …` on a line of its own, or after a space, as an option).
 *
 * @module
 */

/** PEP 503 normalised name: lower-case, runs of `-`, `_`, `.` become one `-`. */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, "-");
}

/** A PEP 508 distribution name or extra: letters, digits and `._-`, starting and ending alphanumeric. */
const NAME = "[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?";

/** The distribution name a PEP 508 requirement string starts with, or undefined. */
export function requirementName(spec: string): string | undefined {
  const m = new RegExp(`^\\s*(${NAME})`).exec(spec);
  return m?.[1];
}

// PEP 440 public and local versions (the canonical pattern of the `packaging` project).
const VERSION = "v?(?:[0-9]+!)?[0-9]+(?:\\.[0-9]+)*" +
  "(?:[-_.]?(?:a|b|c|rc|alpha|beta|pre|preview)[-_.]?[0-9]*)?" +
  "(?:-[0-9]+|[-_.]?(?:post|rev|r)[-_.]?[0-9]*)?" +
  "(?:[-_.]?dev[-_.]?[0-9]*)?" +
  "(?:\\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?";
// Only spaces and tabs: `\s` would let a line break through.
const WS = "[ \\t]*";
const CLAUSE = new RegExp(
  `^${WS}(?:(?:==|!=)${WS}${VERSION}(?:\\.\\*)?|(?:~=|<=|>=|<|>)${WS}${VERSION}|===${WS}[A-Za-z0-9][A-Za-z0-9._+!-]*)${WS}$`,
  "i",
);
const BARE = new RegExp(`^${VERSION}(?:\\.\\*)?$`, "i");
const NAME_RE = new RegExp(`^${NAME}$`);

/** Why `name` is not a PEP 508 distribution name, or undefined when it is one. */
export function distributionNameProblem(name: string): string | undefined {
  return NAME_RE.test(name)
    ? undefined
    : `'${printable(name)}' is not a Python distribution name (letters, digits and . _ -, ` +
      `starting and ending with a letter or digit)`;
}

/** Why `extra` is not a PEP 508 extra name, or undefined when it is one. */
export function extraProblem(extra: string): string | undefined {
  return NAME_RE.test(extra)
    ? undefined
    : `'${printable(extra)}' is not an extra name (letters, digits and . _ -, ` +
      `starting and ending with a letter or digit)`;
}

/**
 * Why `version` (the `version:` of a `src: pypi` package) is neither a PEP 440
 * version (`1.2`, `1.2.*`: installed as `==version`) nor a specifier list
 * (`>=1.0,<2`, `~=1.4`, `!=1.5.*`, `===x`), or undefined when it is fine.
 */
export function versionSpecProblem(version: string): string | undefined {
  const v = version.trim();
  if (v === "") return "the version is empty";
  if (BARE.test(v)) return undefined;
  if (/^[<>=!~]/.test(v) && v.split(",").every((c) => CLAUSE.test(c))) return undefined;
  return `'${printable(v)}' is not a PEP 440 version or version specifier ` +
    `(e.g. 1.2, 1.2.*, >=1.0,<2, ~=1.4, !=1.5, ===1.0)`;
}

/** The specifier text for a valid `version:`: operators kept as written, a bare version becomes `==version`. */
export function versionSpec(version: string): string {
  const v = version.trim();
  return /^[<>=!~]/.test(v) ? v : `==${v}`;
}

/** Characters Python's str.splitlines() (which pip uses on requirement files) breaks a line at. */
// deno-lint-ignore no-control-regex
export const LINE_BREAK = /[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]/;

/**
 * Why a requirement string taken from a pyproject.toml would be more than one
 * PEP 508 requirement in a requirements file, or undefined when it is safe:
 * it must be one line starting with a distribution name, carry no word
 * starting with `-` (pip options), no `${VAR}` (pip expands the environment)
 * and no trailing `\` (line continuation).
 */
export function requirementLineProblem(spec: string): string | undefined {
  const s = spec.trim();
  if (LINE_BREAK.test(s)) return "it spans more than one line";
  // deno-lint-ignore no-control-regex
  if (/[\x00-\x08\x0e-\x1f\x7f]/.test(s)) return "it contains control characters";
  const name = requirementName(s);
  if (!name || !/^[ \t]*(?:$|[[(@;<>=!~])/.test(s.slice(name.length))) {
    return "it does not start with a distribution name followed by extras, a version, '@ url' or '; marker'";
  }
  if (/(?:^|[ \t])-/.test(s)) return "a word starting with '-' would be read by pip as an option";
  if (s.includes("${")) return "pip would replace '${…}' with an environment variable";
  if (s.endsWith("\\")) return "a trailing backslash would join it with the next line";
  return undefined;
}

/** `text` with control characters and line breaks shown as escapes, for messages. */
export function printable(text: string): string {
  const shown = JSON.stringify(text).slice(1, -1).replace(
    /[\x85\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
  return shown.length > 120 ? `${shown.slice(0, 117)}...` : shown;
}
