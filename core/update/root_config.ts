/**
 * The project's own ivpm.yaml, parsed once and remembered in `packages/ivpm.json`:
 * a large ivpm.yaml takes tens of milliseconds to parse, most of a no-op update.
 * The parsed form is reused while every file it was read from (the ivpm.yaml and its
 * includes) has the same size/mtime/ctime/inode and everything else it depends on —
 * `-D` values, `IVPM_VAR_*`, the persisted variables, the registered sources, types and
 * handler options, ivpm's version — is the same.
 *
 * @module
 */

import { resolve } from "node:path";
import type { LoadOptions } from "../config/load.ts";
import type { ProjectConfig } from "../config/model.ts";
import { fileStamp, hashOf } from "./known_packages.ts";

/** What `ivpm.json` keeps of the project's ivpm.yaml. */
export interface RememberedConfig {
  key: string;
  /** Absolute path → stamp of every file read. */
  files: Record<string, string>;
  config: ProjectConfig;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Loads `<projectDir>/ivpm.yaml` (see {@link loadProject}), or takes it from `remembered` when
 * nothing it depends on changed. `inputsHash` identifies `opts.inputs` and ivpm's version.
 */
export async function loadRootConfig(
  projectDir: string,
  opts: LoadOptions,
  inputsHash: string,
  remembered: unknown,
): Promise<{ config: ProjectConfig; remember?: RememberedConfig; reused: boolean }> {
  const overrides = Object.fromEntries(
    Object.entries(opts.env ?? {}).filter(([k]) => k.startsWith("IVPM_VAR_")).sort(),
  );
  const key = hashOf({
    projectDir,
    inputsHash,
    definitions: opts.definitions ?? {},
    overrides,
    persisted: opts.persisted ?? {},
  });
  if (
    isObject(remembered) && remembered.key === key && isObject(remembered.files) &&
    isObject(remembered.config) && Object.keys(remembered.files).length &&
    sameFiles(remembered.files)
  ) {
    return {
      config: remembered.config as unknown as ProjectConfig,
      remember: remembered as unknown as RememberedConfig,
      reused: true,
    };
  }
  const main = resolve(projectDir, "ivpm.yaml");
  const before = fileStamp(main);
  // Loaded only now: a remembered config needs no YAML parser (the npm package costs ~25 ms of start-up).
  const { loadProject } = await import("../config/load.ts");
  const config = loadProject(projectDir, opts);
  const files: Record<string, string> = {};
  for (const f of config.files) files[f] = fileStamp(f);
  // Edited while being read: do not remember a parse that may not match the stamp.
  const settled = files[main] === before;
  return { config, remember: settled ? { key, files, config } : undefined, reused: false };
}

function sameFiles(files: Record<string, unknown>): boolean {
  for (const [path, s] of Object.entries(files)) {
    if (typeof s !== "string" || fileStamp(path) !== s) return false;
  }
  return true;
}
