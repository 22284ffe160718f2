/**
 * Editable installs of setup.py-only projects in a venv without `wheel` and
 * without an index (air-gapped sites): pip (23.x) then wants to download
 * setuptools and wheel for build isolation, and refuses `--no-use-pep517`
 * without wheel. setuptools' own `setup.py develop` needs neither, so those
 * projects are linked with it and pip only resolves their dependencies.
 *
 * @module
 */

import { PIP_FAIL_FAST_ENV } from "./index_args.ts";
import type { RequirementSet } from "./requirements.ts";
import { runTool, toolFailure, type ToolResult } from "./tool.ts";
import { venvPython } from "./venv.ts";

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

/** Whether the venv's Python can import `wheel` (a failed probe counts as "has it": use pip as usual). */
export async function venvHasWheel(venv: string): Promise<boolean> {
  const r = await runTool(venvPython(venv), [
    "-c",
    "import importlib.util as u, sys; sys.exit(0 if u.find_spec('wheel') else 3)",
  ]);
  return r.code !== 3;
}

/** The editable lines of `set` whose project has a setup.py and no pyproject.toml, by index. */
export async function setupPyOnlyEditables(set: RequirementSet): Promise<number[]> {
  const out: number[] = [];
  for (const [i, line] of set.lines.entries()) {
    const dir = set.packages[i]?.marker;
    if (!dir || !line.startsWith(`-e ${dir}`)) continue;
    if ((await isFile(`${dir}/setup.py`)) && !(await isFile(`${dir}/pyproject.toml`))) out.push(i);
  }
  return out;
}

/**
 * Installs `set` with `setup.py develop --no-deps` for the lines at `legacy`,
 * then one pip run for the other lines and the developed distributions (so
 * their dependencies are installed). Returns pip's result; a develop failure throws.
 */
export async function installWithDevelop(
  venv: string,
  set: RequirementSet,
  legacy: number[],
  pipArgs: string[],
  onLine?: (line: string) => void,
): Promise<ToolResult> {
  const py = venvPython(venv);
  const names: string[] = [];
  const rest: string[] = [];
  for (const [i, line] of set.lines.entries()) {
    if (!legacy.includes(i)) {
      // Lines were checked when the set was built; `-e path` is two arguments.
      rest.push(...(line.startsWith("-e ") ? ["-e", line.slice(3)] : [line]));
      continue;
    }
    const dir = set.packages[i].marker;
    const extras = line.slice(`-e ${dir}`.length); // "" or "[a,b]"
    onLine?.(`Installing ${dir} (setup.py develop: no wheel in the venv)`);
    const dev = await runTool(py, ["setup.py", "develop", "--no-deps"], {
      cwd: dir,
      env: { ...PIP_FAIL_FAST_ENV, SETUPTOOLS_USE_DISTUTILS: "local" },
      onLine,
    });
    if (dev.code !== 0) throw toolFailure(`'setup.py develop' could not install ${dir}`, dev);
    const name = await runTool(py, ["setup.py", "--name"], { cwd: dir });
    const dist = name.stdout.trim().split(/\r?\n/).pop()?.trim() ?? "";
    // The name printed by the project's own setup.py is used as one argument only if it looks like one.
    if (name.code === 0 && /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(dist)) names.push(`${dist}${extras}`);
  }
  if (!rest.length && !names.length) return { code: 0, output: "", stdout: "" };
  return await runTool(py, ["-m", "pip", "install", ...pipArgs, ...rest, ...names], {
    cwd: venv,
    env: PIP_FAIL_FAST_ENV,
    onLine,
  });
}
