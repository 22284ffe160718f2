/**
 * The small part of Python packaging standards the handler needs: PEP 503 name
 * normalisation and the name at the start of a PEP 508 requirement.
 *
 * @module
 */

/** PEP 503 normalised name: lower-case, runs of `-`, `_`, `.` become one `-`. */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, "-");
}

/** The distribution name a PEP 508 requirement string starts with, or undefined. */
export function requirementName(spec: string): string | undefined {
  const m = /^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)/.exec(spec);
  return m?.[1];
}
