/**
 * The project's own ivpm.yaml, parsed once and remembered in `packages/ivpm.json`:
 * a large ivpm.yaml takes tens of milliseconds to parse, most of a no-op update.
 * The parsed form is reused while every file it was read from (the ivpm.yaml and its
 * includes) has the same size/mtime/ctime/inode and the same content (SHA-256 of the
 * text parsed), and everything else it depends on — `-D` values, `IVPM_VAR_*`, the
 * persisted variables, the registered sources, types and handler options, ivpm's
 * version — is the same.
 *
 * The remembered parse must never say something ivpm.yaml does not: `ivpm.json` is
 * sealed (see `state_seal.ts`), and what comes back is checked again here — its shape,
 * package names, and a deps dir that is the one ivpm.yaml names (the state was read
 * from there). Anything wrong means the file is parsed again.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { isAbsolute, resolve } from "node:path";
import type { LoadOptions } from "../config/load.ts";
import type { ProjectConfig } from "../config/model.ts";
import { readTextOrUndefined } from "../config/read_text.ts";
import { fileStamp, hashOf, plausibleConfig } from "./known_packages.ts";

/** What `ivpm.json` keeps of the project's ivpm.yaml. */
export interface RememberedConfig {
  key: string;
  /** Absolute path → stamp of every file read. */
  files: Record<string, string>;
  /** Absolute path → SHA-256 (hex) of the text parsed from it. */
  texts: Record<string, string>;
  config: ProjectConfig;
}

/** What the remembered parse is checked against. */
export interface RememberedCheck {
  /** The deps dir as ivpm.yaml names it (see `peekDepsDir`): where the state was read from. */
  depsDir: string;
  /** Told why a remembered parse is not used, when it is not merely out of date. */
  note?: (message: string) => void;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
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
  check: RememberedCheck,
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
  const main = resolve(projectDir, "ivpm.yaml");
  if (isObject(remembered) && remembered.key === key) {
    const problem = rememberedProblem(remembered, main, projectDir, check.depsDir);
    if (problem) {
      check.note?.(`ignoring the remembered parse of ${main}: ${problem}; parsing the file again`);
    } else if (sameFiles(remembered as unknown as RememberedConfig)) {
      return {
        config: remembered.config as unknown as ProjectConfig,
        remember: remembered as unknown as RememberedConfig,
        reused: true,
      };
    }
  }
  const before = fileStamp(main);
  const read = opts.read ?? readTextOrUndefined;
  const texts: Record<string, string> = {};
  // Loaded only now: a remembered config needs no YAML parser (the npm package costs ~25 ms of start-up).
  const { loadProject } = await import("../config/load.ts");
  const config = loadProject(projectDir, {
    ...opts,
    read: (p) => {
      const t = read(p);
      if (t !== undefined) texts[p] = sha256(t);
      return t;
    },
  });
  const files: Record<string, string> = {};
  for (const f of config.files) files[f] = fileStamp(f);
  // Edited while being read: do not remember a parse that may not match the stamp.
  const settled = files[main] === before && config.files.every((f) => texts[f] !== undefined);
  const onlyRead = Object.fromEntries(config.files.map((f) => [f, texts[f]]));
  return { config, remember: settled ? { key, files, texts: onlyRead, config } : undefined, reused: false };
}

/** Why a deps dir taken from state is not one ivpm.yaml could name (relative, inside the project). */
function depsDirProblem(d: unknown): string | undefined {
  if (typeof d !== "string" || d.trim() === "") return "it is not a name";
  if (isAbsolute(d) || /^[\\/]/.test(d) || /^[A-Za-z]:/.test(d)) return "it is an absolute path";
  if (d.split(/[\\/]/).includes("..")) return "it leaves the project ('..')";
  // deno-lint-ignore no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(d)) return "it contains a control character";
  return undefined;
}

/** Why `r` cannot be the remembered parse of `main`, or undefined when its shape holds. */
function rememberedProblem(
  r: Record<string, unknown>,
  main: string,
  projectDir: string,
  depsDir: string,
): string | undefined {
  const c = r.config;
  if (!isObject(r.files) || !isObject(r.texts) || !isObject(c)) return "it is not a parsed configuration";
  if (c.file !== main || c.dir !== projectDir) return "it is the configuration of another project";
  const dd = depsDirProblem(c.depsDir);
  if (dd) return `its deps-dir '${String(c.depsDir)}' is not valid: ${dd}`;
  if (c.depsDir !== depsDir) {
    return `its deps-dir '${c.depsDir}' is not the one ivpm.yaml names ('${depsDir}')`;
  }
  const read = c.files;
  if (!Array.isArray(read) || read[0] !== main || !read.every((f) => typeof f === "string")) {
    return "its list of files read is not valid";
  }
  const listed = (m: Record<string, unknown>) =>
    Object.keys(m).length === read.length && read.every((f: string) => typeof m[f] === "string");
  if (!listed(r.files) || !listed(r.texts)) return "its file stamps do not match its list of files";
  if (!plausibleConfig(c)) return "its dependencies are not valid (a name that is not a package name)";
  for (const ds of c.depSets as unknown as Record<string, unknown>[]) {
    if (typeof ds.name !== "string") return "a dep-set has no name";
    for (const d of ds.deps as Record<string, unknown>[]) {
      if (typeof d.src !== "string" || (d.url !== undefined && typeof d.url !== "string")) {
        return `dependency '${d.name}' has no valid src or url`;
      }
    }
  }
  const arrays = ["env", "envSets", "setupDeps", "plugins", "warnings"];
  if (
    typeof c.name !== "string" || !isObject(c.vars) || !isObject(c.paths) ||
    arrays.some((k) => !Array.isArray(c[k]))
  ) {
    return "it is not a parsed configuration";
  }
  return undefined;
}

/** Every file still has its stamp and the content that was parsed. */
function sameFiles(r: RememberedConfig): boolean {
  for (const [path, s] of Object.entries(r.files)) {
    // Only a regular file's content is read again (never a FIFO or device put in its place).
    if (!s.startsWith("f:") || fileStamp(path) !== s) return false;
  }
  for (const [path, h] of Object.entries(r.texts)) {
    let text: string | undefined;
    try {
      text = readTextOrUndefined(path);
    } catch {
      return false;
    }
    if (text === undefined || sha256(text) !== h) return false;
  }
  return true;
}
