/**
 * Building Python source packages. `ivpm update` installs each source package
 * from its directory, which runs its build backend (setup.py, a PEP 517
 * backend): {@link builtFromSource} names them before that happens. `ivpm build`
 * runs `python setup.py build_ext --inplace` in each source package with a
 * setup.py, dependencies first, with `DEBUG=1|0` (the original crashed here
 * with a NameError).
 *
 * @module
 */

import type { BuildInfo, PackageView } from "@ivpm/plugin";
import { classifyPackage } from "./classify.ts";
import { sourceLayers } from "./requirements.ts";
import { runTool, toolFailure } from "./tool.ts";
import { baseInterpreter, venvDir, venvPython, venvStatus } from "./venv.ts";

async function hasSetupPy(pkg: PackageView): Promise<boolean> {
  try {
    return (await Deno.stat(`${pkg.path}/setup.py`)).isFile;
  } catch {
    return false;
  }
}

/**
 * The note naming the source packages an install builds, in install order (dependencies first), or
 * `undefined` when there are none. pip and uv run the build backend of every package they install from a
 * directory, as they do for an sdist: that is code of the package's own choosing, so say whose.
 */
export function builtFromSource(sources: PackageView[]): string | undefined {
  const names = sourceLayers(sources).flat().map((p) => p.name);
  return names.length ? `building from source (runs their build backends): ${names.join(", ")}` : undefined;
}

/** Builds the extensions of source packages in place; returns the packages built, in order. */
export async function buildSourcePackages(
  info: BuildInfo,
  progress: (message: string, step: number, total: number) => void,
): Promise<string[]> {
  const sources: PackageView[] = [];
  for (const p of info.packages) {
    if ((await classifyPackage(p)) === "source" && (await hasSetupPy(p))) sources.push(p);
  }
  if (!sources.length) return [];
  const venv = venvDir(info.depsDir);
  const python = (await venvStatus(venv)) === "venv" ? venvPython(venv) : await baseInterpreter();
  const ordered = sourceLayers(sources).flat();
  for (const [i, p] of ordered.entries()) {
    progress(`${p.name}: setup.py build_ext --inplace`, i + 1, ordered.length);
    const r = await runTool(python, ["setup.py", "build_ext", "--inplace"], {
      cwd: p.path,
      env: { DEBUG: info.debug ? "1" : "0" },
    });
    if (r.code !== 0) {
      throw toolFailure(`'python setup.py build_ext --inplace' failed in package '${p.name}'`, r);
    }
  }
  return ordered.map((p) => p.name);
}
