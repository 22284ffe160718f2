/**
 * A {@link PackageView} for handler and plugin-API unit tests, with the
 * defaults of a plain root-level `dir` package; pass only what a test is about.
 *
 * @module
 */

import type { PackageView } from "../../core/plugin_api/package_view.ts";

/** A package view named `fields.name` at `/p/packages/<name>`, overridden by `fields`. */
export function packageView(fields: Partial<PackageView> & { name: string }): PackageView {
  return {
    path: `/p/packages/${fields.name}`,
    srcType: "dir",
    options: {},
    typeData: [],
    resolvedBy: "root",
    depSet: "default",
    virtual: false,
    ownWith: {},
    extra: {},
    ...fields,
  };
}
