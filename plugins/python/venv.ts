/**
 * The project venv `packages/python`: where its interpreter is, which Python
 * and tool create it, and creating it (§5.1 step 5).
 *
 * @module
 */

import { HandlerFatalError } from "@ivpm/plugin";
import { findOnPath, runTool, toolFailure } from "./tool.ts";

const WINDOWS = Deno.build.os === "windows";

/** The venv directory under the deps dir. */
export function venvDir(depsDir: string): string {
  return `${depsDir}/python`;
}

/** The venv's own interpreter. */
export function venvPython(venv: string): string {
  return WINDOWS ? `${venv}\\Scripts\\python.exe` : `${venv}/bin/python`;
}

/** Whether `dir` is missing, a venv (has `pyvenv.cfg`), or something else. */
export async function venvStatus(dir: string): Promise<"missing" | "venv" | "other"> {
  try {
    await Deno.lstat(dir);
  } catch {
    return "missing";
  }
  try {
    return (await Deno.stat(`${dir}/pyvenv.cfg`)).isFile ? "venv" : "other";
  } catch {
    return "other";
  }
}

/** The Python that creates the venv: `$IVPM_PYTHON`, else `python3` (`python` on Windows) on PATH. */
export async function baseInterpreter(): Promise<string> {
  const env = Deno.env.get("IVPM_PYTHON");
  if (env) return env;
  const name = WINDOWS ? "python" : "python3";
  const found = await findOnPath(name);
  if (!found) {
    throw new HandlerFatalError(
      `'${name}' was not found on PATH, so the Python venv cannot be created (install Python 3 or set IVPM_PYTHON)`,
    );
  }
  return found;
}

/** Options of {@link createVenv}. */
export interface CreateVenvOptions {
  dir: string;
  tool: "uv" | "pip";
  /** uv's path (tool `uv`). */
  uv?: string;
  python: string;
  systemSitePackages: boolean;
  /** ivpm's self-install arguments (may be empty). */
  selfInstall: string[];
  /** Progress text. */
  progress: (message: string) => void;
  /** A problem that does not stop the update. */
  warn: (message: string) => void;
}

/**
 * Creates the venv and seeds it with setuptools and wheel (and ivpm, unless
 * `selfInstall` is empty). With pip the seeding is best effort, as in the
 * original (an offline machine still gets a working venv); with uv it must work.
 */
export async function createVenv(o: CreateVenvOptions): Promise<void> {
  const site = o.systemSitePackages ? ["--system-site-packages"] : [];
  if (o.tool === "uv") {
    const seed = [...o.selfInstall, "setuptools", "wheel"];
    o.progress(`uv venv --python ${o.python}`);
    const made = await runTool(o.uv!, ["venv", "--python", o.python, ...site, o.dir]);
    if (made.code !== 0) throw toolFailure(`Failed to create virtual environment ${o.dir} with uv`, made);
    const seeded = await runTool(o.uv!, ["pip", "install", ...seed], { env: { VIRTUAL_ENV: o.dir } });
    if (seeded.code !== 0) {
      throw toolFailure(`Installation of ${seed.join(", ")} into ${o.dir} failed (uv pip install)`, seeded);
    }
    return;
  }
  o.progress(`${o.python} -m venv`);
  const made = await runTool(o.python, ["-m", "venv", ...site, o.dir]);
  if (made.code !== 0) throw toolFailure(`'${o.python} -m venv' could not create ${o.dir}`, made);
  const py = venvPython(o.dir);
  // Seed only what the venv lacks (Python's ensurepip already brings setuptools on many versions), and
  // do not upgrade pip itself: on a machine without index access each attempt costs half a minute of retries.
  const probe = await runTool(py, [
    "-c",
    "import importlib.util as u; print(' '.join(m for m in ('setuptools', 'wheel') if u.find_spec(m) is None))",
  ]);
  const missing = probe.code === 0
    ? probe.output.trim().split(/\s+/).filter(Boolean)
    : ["setuptools", "wheel"];
  const want = [...o.selfInstall, ...missing];
  if (!want.length) return;
  o.progress(`pip install ${want.join(" ")}`);
  const r = await runTool(py, ["-m", "pip", "install", "--retries", "1", "--timeout", "15", ...want], {
    cwd: o.dir,
    env: { PIP_DISABLE_PIP_VERSION_CHECK: "1" },
  });
  if (r.code !== 0) {
    const last = r.output.trim().split("\n").pop()?.trim() ?? "";
    o.warn(`'pip install ${want.join(" ")}' failed in the new venv (exit ${r.code}): ${last}; continuing`);
  }
}
