/**
 * Finding an updated workspace: the project, its deps dir and the lock that
 * `ivpm update` wrote there. Shared by `status`, `sync` and `snapshot`, which
 * all work from the lock (the record of what is in `packages/`).
 *
 * @module
 */

import { join, resolve } from "node:path";
import { peekDepsDir } from "../../config/deps_dir.ts";
import { loadRootConfig } from "../../update/root_config.ts";
import { parseInputs } from "../../update/load_update_config.ts";
import type { ProjectConfig } from "../../config/model.ts";
import { IvpmError } from "../../base/errors.ts";
import { LOCK_FILE, type LockFile, readLock } from "../../update/lock/lock_file.ts";
import { readProjectState } from "../../update/project_state.ts";
import { registries } from "../../plugin_host/registries.ts";

/** A project with its lock. */
export interface Workspace {
  /** Absolute project directory. */
  projectDir: string;
  /** The project's configuration (ivpm.yaml). */
  config: ProjectConfig;
  /** Absolute deps dir (`<project>/packages` unless `deps-dir` says otherwise). */
  depsDir: string;
  /** Absolute path of the lock file. */
  lockPath: string;
  /** The lock as read. */
  lock: LockFile;
  /** The lock's checksum does not match its content (edited by hand). */
  checksumMismatch: boolean;
}

/**
 * Opens the workspace of the project at `projectDir`.
 *
 * @throws {IvpmError} when there is no ivpm.yaml, or no lock (the project was never updated).
 */
export async function openWorkspace(projectDir: string): Promise<Workspace> {
  const dir = resolve(projectDir);
  // Variables given with -D at update time are persisted in ivpm.json; deps-dir may use them.
  const depsDirName = peekDepsDir(dir);
  const state = await readProjectState(join(dir, depsDirName), undefined, undefined, dir);
  // The parse the last update remembered, while the files and everything else it depends on are the same
  // (a remembered parse that does not hold up is ignored: the file is parsed again).
  const { inputs, inputsHash } = parseInputs();
  const { config } = await loadRootConfig(dir, { persisted: state.vars, inputs }, inputsHash, state.root, {
    depsDir: depsDirName,
  });
  const depsDir = join(config.dir, config.depsDir);
  const lockPath = join(depsDir, LOCK_FILE);
  const read = await readLock(lockPath);
  if (!read) {
    throw new IvpmError(`${LOCK_FILE} not found in ${depsDir}`, { hint: "run 'ivpm update' first" });
  }
  return {
    projectDir: config.dir,
    config,
    depsDir,
    lockPath,
    lock: read.lock,
    checksumMismatch: read.checksumMismatch,
  };
}

/** Sources known to create no `packages/<name>` directory, for when the registry does not know a name. */
const VIRTUAL_FALLBACK = new Set(["pypi", "npm", "package.json", "pyproject.toml", "ivpm.yaml", "module"]);

/** Whether packages of source `src` have no directory of their own (handled by a handler, or external). */
export function isVirtualSource(src: string): boolean {
  const source = registries().sources.get(src);
  return source ? !!source.virtual : VIRTUAL_FALLBACK.has(src);
}
