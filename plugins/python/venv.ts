/**
 * The project venv `packages/python`: where its interpreter is, which Python
 * and tool create it, and creating it.
 *
 * @module
 */

import { HandlerFatalError } from "@ivpm/plugin";
import { indexUnreachable, OFFLINE_HINT, PIP_FAIL_FAST_ENV } from "./index_args.ts";
import { findOnPath, runTool, toolEnvVar, toolFailure } from "./tool.ts";

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

/**
 * Written into the venv last, once it is created and seeded: a venv without it
 * was cut short (ivpm killed mid-creation) or made by something else, and is
 * checked with {@link venvProblem} before it is used.
 */
export const VENV_READY_FILE = ".ivpm-venv-ready";

/**
 * Whether the venv in `dir` was completed by ivpm for use with `tool` (its
 * ready marker exists; a venv made by uv has no pip, so it is not ready for pip).
 */
export async function venvMarkedReady(dir: string, tool: "uv" | "pip"): Promise<boolean> {
  let made: string;
  try {
    made = (await Deno.readTextFile(`${dir}/${VENV_READY_FILE}`)).trim();
  } catch {
    return false;
  }
  return tool === "uv" || made === tool;
}

/** Marks the venv in `dir` complete (the last step of creating it). */
export async function markVenvReady(dir: string, tool: "uv" | "pip"): Promise<void> {
  await Deno.writeTextFile(`${dir}/${VENV_READY_FILE}`, `${tool}\n`);
}

/**
 * What stops the existing venv in `dir` from being used with `tool`, or
 * undefined when it works: its interpreter must run and, for pip, import pip
 * (a venv cut short by a kill has no pip, and every install would fail).
 */
export async function venvProblem(dir: string, tool: "uv" | "pip"): Promise<string | undefined> {
  const code = tool === "pip" ? "import pip" : "import sys";
  let r;
  try {
    r = await runTool(venvPython(dir), ["-c", code], { cwd: dir });
  } catch {
    return "its Python interpreter is missing";
  }
  if (r.code === 0) return undefined;
  return /No module named ['"]?pip/.test(r.output)
    ? "pip is missing from it"
    : "its Python interpreter does not run";
}

/** The Python that creates the venv: `$IVPM_PYTHON`, else `python3` (`python` on Windows) on PATH. */
export async function baseInterpreter(): Promise<string> {
  const env = toolEnvVar("IVPM_PYTHON");
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
  /** Package-source arguments (`--index-url` …) from `with.python`; may be empty. */
  indexArgs?: string[];
  /** Called when seeding found that no package index answers. */
  onIndexUnreachable?: () => void;
  /** Progress text. */
  progress: (message: string) => void;
  /** A problem that does not stop the update. */
  warn: (message: string) => void;
}

/**
 * Creates the venv and seeds it with setuptools and wheel (and ivpm, unless
 * `selfInstall` is empty). With pip the seeding is best effort, as in the
 * original (an offline machine still gets a working venv); with uv it must work.
 * The ready marker is written last, so a venv cut short is recognised later.
 */
export async function createVenv(o: CreateVenvOptions): Promise<void> {
  const site = o.systemSitePackages ? ["--system-site-packages"] : [];
  if (o.tool === "uv") {
    const seed = [...o.selfInstall, "setuptools", "wheel"];
    o.progress(`uv venv --python ${o.python}`);
    const made = await runTool(o.uv!, ["venv", "--python", o.python, ...site, o.dir]);
    if (made.code !== 0) throw toolFailure(`Failed to create virtual environment ${o.dir} with uv`, made);
    const seeded = await runTool(o.uv!, ["pip", "install", ...(o.indexArgs ?? []), ...seed], {
      env: { VIRTUAL_ENV: o.dir },
    });
    if (seeded.code !== 0) {
      throw toolFailure(`Installation of ${seed.join(", ")} into ${o.dir} failed (uv pip install)`, seeded);
    }
    await markVenvReady(o.dir, "uv");
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
  if (!want.length) return await markVenvReady(o.dir, "pip");
  o.progress(`pip install ${want.join(" ")}`);
  // One attempt, no retries: offline, pip would otherwise retry each request for half a minute.
  const r = await runTool(
    py,
    // -vv: only pip's debug output tells a refused connection from a package the index lacks.
    ["-m", "pip", "install", "-vv", "--retries", "0", "--timeout", "10", ...(o.indexArgs ?? []), ...want],
    { cwd: o.dir, env: { PIP_DISABLE_PIP_VERSION_CHECK: "1", ...PIP_FAIL_FAST_ENV } },
  );
  if (r.code !== 0) {
    const errors = r.output.split(/\r?\n/).filter((l) => l.startsWith("ERROR:"));
    const last = (errors.at(-1) ?? r.output.trim().split("\n").pop() ?? "").trim();
    const offline = indexUnreachable(r.output);
    if (offline) o.onIndexUnreachable?.();
    const cause = offline ? "the package index is not reachable" : `exit ${r.code}`;
    o.warn(
      `'pip install ${
        want.join(" ")
      }' failed in the new venv (${cause}): ${last}; continuing (${OFFLINE_HINT})`,
    );
  }
  await markVenvReady(o.dir, "pip");
}
