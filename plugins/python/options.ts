/**
 * The python handler's configuration: `package.with.python` in ivpm.yaml, the
 * `--py-*` command-line options, and how they combine.
 *
 * @module
 */

import { type CliOption, type ObjectSchema, s } from "@ivpm/plugin";

/** Schema of `package.with.python`. */
export const pythonOptions: ObjectSchema = s.object({
  venv: s.union(
    [s.boolean(), s.enum(["uv", "pip"])],
    "Create the venv even without Python packages (true), never (false), or with this tool (uv | pip)",
  ),
  "system-site-packages": s.boolean("Create the venv with access to the system site-packages"),
  "pre-release": s.boolean("Allow pre-release versions (pip/uv --pre)"),
  "index-url": s.string("Package index URL (e.g. a site mirror), passed to pip/uv as --index-url"),
  "extra-index-url": s.array(s.string(), "Further package index URLs (pip/uv --extra-index-url)"),
  "find-links": s.array(s.string(), "Directories or URLs of wheels and sdists (pip/uv --find-links)"),
});

const flags: [string, string][] = [
  ["--py-uv", "use uv to create the Python venv and install packages"],
  ["--py-pip", "use python -m venv and pip (not uv)"],
  ["--py-system-site-packages", "create the Python venv with access to the system site-packages"],
  ["--py-prerls-packages", "allow pre-release Python packages (--pre)"],
  ["--skip-py-install", "do not create the venv or install Python packages"],
  ["--py-skip-install", "same as --skip-py-install"],
  ["--force-py-install", "re-install Python packages even when nothing changed"],
  ["--py-force-install", "same as --force-py-install"],
];

/** The `--py-*` options, on `update` and on `clone` (which runs an update). */
export const pythonCliOptions: CliOption[] = ["update", "clone"].flatMap((command) =>
  flags.map(([flag, description]) => ({ command, flags: flag, description }))
);

/** Which tool creates the venv and installs: `auto` = uv when on PATH, else pip. */
export type VenvMode = "auto" | "uv" | "pip";

/** The effective settings of one run. */
export interface PythonSettings {
  /** Why nothing is installed this run (`undefined`: install). */
  skip?: string;
  mode: VenvMode;
  systemSitePackages: boolean;
  pre: boolean;
  force: boolean;
  /** `with.python.venv` asks for a venv even without Python packages. */
  venvRequested: boolean;
}

/**
 * Combines `with.python` and the CLI flags. Precedence: a skip flag, then
 * `venv: false`, then `--py-uv` / `--py-pip`, then `venv: uv|pip`, else auto.
 */
export function resolveSettings(
  config: Record<string, unknown>,
  args: Record<string, unknown>,
): PythonSettings {
  const venv = config.venv;
  const settings: PythonSettings = {
    mode: "auto",
    systemSitePackages: config["system-site-packages"] === true || args.pySystemSitePackages === true,
    pre: config["pre-release"] === true || args.pyPrerlsPackages === true,
    force: args.forcePyInstall === true || args.pyForceInstall === true,
    venvRequested: venv === true || venv === "uv" || venv === "pip",
  };
  if (args.skipPyInstall === true || args.pySkipInstall === true) {
    settings.skip = "--skip-py-install given";
  } else if (venv === false) settings.skip = "package.with.python.venv is false";
  if (args.pyUv === true) settings.mode = "uv";
  else if (args.pyPip === true) settings.mode = "pip";
  else if (venv === "uv" || venv === "pip") settings.mode = venv;
  return settings;
}
