/**
 * Installing requirement files into the venv with pip or uv,
 * failing loudly (the original ignored pip's exit code), and listing what is
 * installed for the lock file.
 *
 * @module
 */

import { HandlerFatalError } from "@ivpm/plugin";
import { normalizeName } from "./pep508.ts";
import type { RequirementSet } from "./requirements.ts";
import { indexUnreachable, OFFLINE_HINT, PIP_FAIL_FAST_ENV } from "./index_args.ts";
import { installWithDevelop, setupPyOnlyEditables, venvHasWheel } from "./legacy_develop.ts";
import { runTool, toolFailure } from "./tool.ts";
import { venvPython } from "./venv.ts";

/** The tool that installs into the venv. */
export interface Installer {
  tool: "uv" | "pip";
  /** uv's path, for tool `uv`. */
  uv?: string;
  /** The venv directory. */
  venv: string;
  /** Package-source arguments (`--index-url` …) from `with.python`; may be empty. */
  indexArgs?: string[];
  /** Seeding the venv found that no package index answers (pip's plain output does not say so). */
  indexUnreachable?: boolean;
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Which package of `set` the installer output is about when it failed: the one
 * mentioned last (pip and uv name each requirement as they process it).
 */
export function failingPackage(output: string, set: RequirementSet["packages"]): string | undefined {
  if (set.length === 1) return set[0].name;
  const tests = set.map((p) => {
    if (p.marker.includes("/") || p.marker.includes("\\")) {
      return { name: p.name, hit: (l: string) => l.includes(p.marker) };
    }
    const re = new RegExp(
      `(^|[^A-Za-z0-9._-])${normalizeName(p.marker).split("-").map(escape).join("[-_.]+")}($|[^A-Za-z0-9_])`,
      "i",
    );
    return { name: p.name, hit: (l: string) => re.test(l) };
  });
  const lines = output.split(/\r?\n/);
  for (let i = lines.length - 1; i >= 0; i--) {
    for (const t of tests) if (t.hit(lines[i])) return t.name;
  }
  return undefined;
}

/** Installs one requirement file; a failure throws, naming the file, the package and the tool's last lines. */
export async function installFile(
  inst: Installer,
  file: string,
  set: RequirementSet,
  pre: boolean,
  onLine?: (line: string) => void,
): Promise<void> {
  const preArg = [...(pre ? ["--pre"] : []), ...(inst.indexArgs ?? [])];
  const legacy = inst.tool === "pip" && !(await venvHasWheel(inst.venv))
    ? await setupPyOnlyEditables(set)
    : [];
  const r = legacy.length
    ? await installWithDevelop(inst.venv, set, legacy, preArg, onLine)
    : inst.tool === "uv"
    ? await runTool(
      inst.uv!,
      ["pip", "install", "--verbose", "--no-build-isolation", "-r", file, ...preArg],
      {
        env: { VIRTUAL_ENV: inst.venv },
        onLine,
      },
    )
    : await runTool(venvPython(inst.venv), ["-m", "pip", "install", "-r", file, ...preArg], {
      cwd: inst.venv,
      env: PIP_FAIL_FAST_ENV,
      onLine,
    });
  if (r.code === 0) return;
  const pkg = failingPackage(r.output, set.packages);
  const name = file.split(/[\\/]/).pop();
  const offline = inst.indexUnreachable || indexUnreachable(r.output) ? `; ${OFFLINE_HINT}` : "";
  throw toolFailure(
    `${inst.tool} could not install ${name}${pkg ? ` (package '${pkg}')` : ` (${set.label})`}${offline}`,
    r,
  );
}

/** `{name: version}` of every distribution installed in the venv, sorted by name. */
export async function installedPackages(inst: Installer): Promise<Record<string, string>> {
  const r = inst.tool === "uv"
    ? await runTool(inst.uv!, ["pip", "list", "--format", "json"], { env: { VIRTUAL_ENV: inst.venv } })
    : await runTool(venvPython(inst.venv), ["-m", "pip", "list", "--format=json"], { cwd: inst.venv });
  if (r.code !== 0) {
    throw toolFailure(`${inst.tool} could not list the packages installed in ${inst.venv}`, r);
  }
  let list: unknown;
  try {
    list = JSON.parse(r.stdout.trim() || "[]");
  } catch {
    throw new HandlerFatalError(
      `${inst.tool} list printed something other than JSON: ${r.stdout.slice(0, 200)}`,
    );
  }
  const out: Record<string, string> = {};
  if (Array.isArray(list)) {
    const entries = list
      .filter((e): e is { name: string; version: string } =>
        typeof e?.name === "string" && typeof e?.version === "string"
      )
      .sort((a, b) => (a.name.toLowerCase() < b.name.toLowerCase() ? -1 : 1));
    for (const e of entries) out[e.name] = e.version;
  }
  return out;
}
