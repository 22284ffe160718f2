/**
 * Parsing of gh-rls `version:` specs and of release tags as versions.
 *
 * Tags are compared as loose numeric tuples, as the original does: an optional
 * `v`, then dot-separated numbers, with any `-…`/`+…` suffix dropped. Leading
 * zeros are tolerated (`5.049` → 5.49) because real projects tag that way.
 *
 * @module
 */

import semverModule from "semver";

/** The part of `npm:semver` used here (the package ships no types). */
interface SemverApi {
  validRange(range: string, options?: SemverOptions): string | null;
  satisfies(version: string, range: string, options?: SemverOptions): boolean;
  compare(a: string, b: string): -1 | 0 | 1;
  valid(version: string): string | null;
}
interface SemverOptions {
  loose?: boolean;
  includePrerelease?: boolean;
}
const semver = semverModule as SemverApi;

/** A single comparison as the original supports it: `>=1.2`, `<v2`, `> 1.2.3`. */
export interface CompareSpec {
  kind: "compare";
  op: ">" | ">=" | "<" | "<=";
  target: number[];
}

/** What a `version:` value asks for. */
export type VersionSpec =
  | { kind: "latest" }
  | CompareSpec
  /** Exact tag first, then (if `prefix` is set) newest tag whose version starts with `prefix`. */
  | { kind: "exact"; text: string; prefix?: number[] }
  /** A full semver range (`^1.2`, `>=1.0 <2.0`, `1.x`, `>=1.0,<2.0` with commas turned into spaces). */
  | { kind: "range"; text: string; range: string };

const COMPARE_RE = /^(>=|<=|>|<)\s*v?(\d+(?:\.\d+){0,2})$/;
const PREFIX_RE = /^v?\d+(?:\.\d+)*$/i;
const TAG_RE = /^[vV]?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\.\d+)*(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;

/** Classifies a `version:` value (default `latest`). */
export function parseVersionSpec(spec: string | undefined): VersionSpec {
  const text = (spec ?? "latest").trim();
  if (text === "" || text === "latest") return { kind: "latest" };
  const cmp = COMPARE_RE.exec(text);
  if (cmp) {
    return { kind: "compare", op: cmp[1] as CompareSpec["op"], target: versionTuple(cmp[2]) ?? [] };
  }
  if (PREFIX_RE.test(text)) return { kind: "exact", text, prefix: versionTuple(text) };
  const range = semver.validRange(text.replace(/,/g, " ").replace(/\s+/g, " "), { loose: true });
  if (range !== null) return { kind: "range", text, range };
  return { kind: "exact", text };
}

/**
 * Numeric components of a tag (`v5.3.1-rc1` → [5, 3, 1]); undefined when it does not start
 * with a number after an optional `v`.
 */
export function versionTuple(tag: string): number[] | undefined {
  let s = tag.trim();
  if (s.startsWith("v") || s.startsWith("V")) s = s.slice(1);
  s = s.split(/[-+]/, 1)[0];
  const parts: number[] = [];
  for (const comp of s.split(".")) {
    if (!/^\d+$/.test(comp)) break;
    parts.push(Number(comp));
  }
  return parts.length > 0 ? parts : undefined;
}

/** Compares two tuples, missing components counting as 0. */
export function compareTuples(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

/** Whether `tuple` satisfies a single comparison. */
export function satisfiesCompare(tuple: readonly number[], spec: CompareSpec): boolean {
  const c = compareTuples(tuple, spec.target);
  switch (spec.op) {
    case ">":
      return c > 0;
    case ">=":
      return c >= 0;
    case "<":
      return c < 0;
    case "<=":
      return c <= 0;
  }
}

/**
 * A tag as a semver string for range matching: `v1.2` → `1.2.0`, `1.2.3-rc.1` kept,
 * `5.049` → `5.49.0`; undefined for tags that are not versions (`nightly`).
 */
export function tagSemver(tag: string): string | undefined {
  const m = TAG_RE.exec(tag.trim());
  if (!m) return undefined;
  const core = `${Number(m[1])}.${Number(m[2] ?? 0)}.${Number(m[3] ?? 0)}`;
  const withPre = m[4] ? `${core}-${m[4]}` : core;
  return semver.valid(withPre) ?? semver.valid(core) ?? undefined;
}

/** Whether a semver string satisfies a range (prereleases only when allowed). */
export function satisfiesRange(version: string, range: string, includePrerelease: boolean): boolean {
  return semver.satisfies(version, range, { loose: true, includePrerelease });
}

/** Semver ordering of two versions from {@link tagSemver}. */
export function compareSemver(a: string, b: string): number {
  return semver.compare(a, b);
}
