/**
 * Sources that fetch nothing into packages/: their declarations are handed to
 * the handlers that install them (pypi → python, npm/package.json → node,
 * pyproject.toml → python), and `url` (a package already in place).
 *
 * @module
 */

import { infoOf } from "../../config/source_info.ts";
import type { FetchOutcome, Source } from "./types.ts";
import type { DependencySpec } from "../../config/model.ts";

const none = (): Promise<FetchOutcome> => Promise.resolve({ placement: { kind: "none" }, lock: {} });

/** `src: pypi`. */
export const pypiSource: Source = {
  ...infoOf("pypi"),
  reproducible: true,
  spec: (dep: DependencySpec) => ({
    version_requested: dep.options.version === undefined ? null : String(dep.options.version),
  }),
  fetch: () =>
    Promise.resolve({
      placement: { kind: "none" },
      // Filled in by the python handler once it has installed the package.
      lock: { version_resolved: null },
    }),
  fromLock: (e) => {
    const v = e.version_resolved ?? e.version_requested;
    return { options: v == null ? {} : { version: v } };
  },
};

/** `src: npm`. */
export const npmSource: Source = {
  ...infoOf("npm"),
  reproducible: true,
  spec: (dep) => ({
    version_requested: dep.options.version === undefined ? null : String(dep.options.version),
    dev: dep.options.dev === true,
  }),
  fetch: () => Promise.resolve({ placement: { kind: "none" }, lock: { version_resolved: null } }),
  fromLock: (e) => {
    const v = e.version_resolved ?? e.version_requested;
    return { options: { ...(v == null ? {} : { version: v }), ...(e.dev ? { dev: true } : {}) } };
  },
};

/** `src: package.json`. */
export const packageJsonSource: Source = {
  ...infoOf("package.json"),
  live: true,
  reproducible: false,
  spec: (dep) => ({ url: dep.url ?? null, path: dep.options.path ?? null }),
  fetch: none,
};

/** `src: pyproject.toml`. */
export const pyprojectSource: Source = {
  ...infoOf("pyproject.toml"),
  live: true,
  reproducible: false,
  spec: (dep) => ({
    url: dep.url ?? null,
    path: dep.options.path ?? null,
    include: dep.options.include ?? null,
  }),
  fetch: none,
};

/** `src: url` — nothing is fetched; an existing packages/<name> is used as is. */
export const urlSource: Source = {
  ...infoOf("url"),
  live: true,
  inPlace: true,
  reproducible: false,
  spec: (dep) => ({ url: dep.url ?? null }),
  fetch: () => Promise.resolve({ placement: { kind: "kept" }, lock: {} }),
};
