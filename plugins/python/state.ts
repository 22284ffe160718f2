/**
 * What the python handler remembers between runs (`handlers.python` in
 * `packages/ivpm.json`): what it created, for `destroy`, and what it installed,
 * so an unchanged project re-runs no installer.
 *
 * @module
 */

import { removeEnvrcSection } from "@ivpm/plugin";
import { PYTHON_HEADER, windowsActivateFiles } from "./envrc_files.ts";
import { REQUIREMENT_FILE } from "./requirements.ts";

/** The handler's state. */
export interface PythonState {
  /** `packages/python` is the handler's venv. */
  venv?: boolean;
  /** The tool that last installed into it. */
  tool?: "uv" | "pip";
  /** Requirement files written, by name (relative to the deps dir). */
  files?: string[];
  /** The `python` section of packages.envrc was written. */
  envrc?: boolean;
  /** packages.envrc did not exist when the handler first wrote its section. */
  createdPackagesEnvrc?: boolean;
  /** Windows activation files written (relative to the deps dir). */
  windowsFiles?: string[];
  /** Hash of what was last installed successfully (requirement files, tool, --pre). */
  installHash?: string;
  /** `{name: version}` installed in the venv after the last install. */
  packages?: Record<string, string>;
  /** Skill directories found in the venv's entry points after the last install. */
  skillDirs?: string[];
}

const strings = (v: unknown): string[] | undefined =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : undefined;

/**
 * Reads state left by a previous run. It comes from ivpm.json, which people and programs may edit: unknown
 * or malformed fields are dropped, and every name of a file to remove must be one the handler writes
 * (requirement files, the activation scripts), never a path of someone else's choosing.
 */
export function readState(raw: Record<string, unknown> | undefined): PythonState {
  if (!raw) return {};
  const st: PythonState = {};
  if (raw.venv === true) st.venv = true;
  if (raw.tool === "uv" || raw.tool === "pip") st.tool = raw.tool;
  const files = strings(raw.files);
  if (files) st.files = files.filter((f) => REQUIREMENT_FILE.test(f));
  if (raw.envrc === true) st.envrc = true;
  if (raw.createdPackagesEnvrc === true) st.createdPackagesEnvrc = true;
  const win = strings(raw.windowsFiles);
  if (win) {
    const ours = new Set(Object.keys(windowsActivateFiles()));
    st.windowsFiles = win.filter((f) => ours.has(f));
  }
  if (typeof raw.installHash === "string") st.installHash = raw.installHash;
  if (raw.packages && typeof raw.packages === "object" && !Array.isArray(raw.packages)) {
    st.packages = Object.fromEntries(
      Object.entries(raw.packages as Record<string, unknown>).filter(([, v]) => typeof v === "string"),
    ) as Record<string, string>;
  }
  const skills = strings(raw.skillDirs);
  // Absolute paths only; the handler re-checks where they lead before publishing them.
  // deno-lint-ignore no-control-regex
  if (skills) st.skillDirs = skills.filter((d) => d.startsWith("/") && !/[\u0000-\u001f]/.test(d));
  return st;
}

/**
 * Without state (an update that failed before writing it), recognises what the
 * handler made by its own marks: export.envrc with the handler's header, the
 * `python_pkgs_<N>.txt` names, and the `python` section.
 */
export async function detectState(depsDir: string): Promise<PythonState> {
  const st: PythonState = {};
  try {
    if ((await Deno.readTextFile(`${depsDir}/python/export.envrc`)).startsWith(PYTHON_HEADER)) st.venv = true;
  } catch {
    // not ours, or absent
  }
  try {
    const files: string[] = [];
    for await (const e of Deno.readDir(depsDir)) if (REQUIREMENT_FILE.test(e.name)) files.push(e.name);
    if (files.length) st.files = files.sort();
  } catch {
    // no deps dir
  }
  try {
    const text = await Deno.readTextFile(`${depsDir}/packages.envrc`);
    if (removeEnvrcSection(text, "python") !== text) {
      st.envrc = true;
      st.createdPackagesEnvrc = true; // removed only if nothing but the header is left
    }
  } catch {
    // absent
  }
  return st;
}
