/**
 * Writes ivpm.yaml projects (and their include files) into temp dirs and loads
 * them with the real loader, for tests that check what a user sees.
 *
 * @module
 */

import { join } from "node:path";
import { loadConfigFile, type LoadOptions } from "../../core/config/load.ts";
import type { ProjectConfig } from "../../core/config/model.ts";
import { ConfigError } from "../../core/base/errors.ts";
import type { Diagnostic } from "../../core/base/diagnostics.ts";
import { tempTree } from "./temp.ts";

/**
 * Removes the common leading indentation and the first newline, so YAML can be
 * written indented inside a test: `yaml\`\n  package:\n    name: x\n\``.
 */
export function yaml(strings: TemplateStringsArray, ...values: unknown[]): string {
  const text = String.raw({ raw: strings }, ...values).replace(/^\n/, "");
  const lines = text.split("\n");
  const indents = lines.filter((l) => l.trim() !== "").map((l) => /^ */.exec(l)![0].length);
  const cut = indents.length ? Math.min(...indents) : 0;
  return lines.map((l) => l.slice(cut)).join("\n").replace(/[ ]+$/, "");
}

/** A temp project; `file` is its ivpm.yaml. Dispose it with `await using`. */
export interface TempProject extends AsyncDisposable {
  dir: string;
  file: string;
  /** Absolute path of a file in the project. */
  path(rel: string): string;
}

/** Creates a temp dir holding `files` (relative path → text; parent dirs are created). */
export async function tempProject(files: Record<string, string | Uint8Array>): Promise<TempProject> {
  const { path: dir, dispose } = await tempTree("ivpm-cfg-", files);
  return {
    dir,
    file: join(dir, "ivpm.yaml"),
    path: (rel) => join(dir, rel),
    [Symbol.asyncDispose]: dispose,
  };
}

/** Loads a project written from `files`; the temp dir is removed afterwards. */
export async function loadFiles(
  files: Record<string, string>,
  opts: LoadOptions = {},
): Promise<ProjectConfig> {
  await using p = await tempProject(files);
  return loadConfigFile(p.file, opts);
}

/** Runs `fn` and returns the ConfigError it throws; fails on success or any other error. */
export function catchConfigError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error("expected a ConfigError, but loading succeeded");
}

/** Loads `files` expecting failure; returns every diagnostic and the project dir (already removed). */
export async function loadErrors(
  files: Record<string, string>,
  opts: LoadOptions = {},
): Promise<{ diagnostics: Diagnostic[]; dir: string }> {
  await using p = await tempProject(files);
  const e = catchConfigError(() => loadConfigFile(p.file, opts));
  return { diagnostics: e.diagnostics, dir: p.dir };
}
