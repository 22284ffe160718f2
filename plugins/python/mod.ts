/**
 * The built-in `python` handler: a lazily created project venv in
 * `packages/python`, the project's PyPI and source packages installed into it
 * (pip or uv), its direnv wiring, the installed versions in the lock file, and
 * agent skills found in installed distributions.
 *
 * @module
 */

import {
  type BuildInfo,
  type CliOption,
  type DestroyInfo,
  HandlerFatalError,
  HandlerPhase,
  type HandlerPhaseName,
  type ObjectSchema,
  PackageHandler,
  type PackageView,
  realPathInside,
  removeEnvrcSection,
  type RootInfo,
  type SiteSettings,
  type TaskHandle,
  updateEnvrcFile,
} from "@ivpm/plugin";
import { buildSourcePackages, builtFromSource } from "./build.ts";
import { classifyPackage, type PythonKind } from "./classify.ts";
import { ENVRC_HEADER_ONLY, writeEnvrcFiles, writeIfChanged } from "./envrc_files.ts";
import { indexArgs, indexSettings } from "./index_args.ts";
import { installedPackages, type Installer, installFile } from "./install.ts";
import { pythonCliOptions, pythonOptions, resolveSettings } from "./options.ts";
import { normalizeName } from "./pep508.ts";
import { type HarvestedRequirement, harvestPyproject } from "./pyproject.ts";
import { requirementFileName, requirementSets, requirementText } from "./requirements.ts";
import { discoverSkills } from "./skills.ts";
import { detectState, type PythonState, readState } from "./state.ts";
import { type Say, sayFor } from "./report.ts";
import { findOnPath, toolEnvVar, withToolEnv } from "./tool.ts";
import {
  baseInterpreter,
  createVenv,
  type CreateVenvOptions,
  markVenvReady,
  venvDir,
  venvMarkedReady,
  venvProblem,
  venvPython,
  venvStatus,
} from "./venv.ts";

/** What the leaf pass hands to the root pass for one package. */
interface PythonRecord {
  kind: PythonKind;
}

/** Key of `info.exchange` holding the skill directories found in the venv (for the agents handler). */
export const SKILL_DIRS_EXCHANGE_KEY = "pythonSkillDirs";

/** Set to `1` to never install ivpm itself into the venv (offline machines, tests). */
export const NO_SELF_INSTALL_ENV = "IVPM_PYTHON_NO_SELF_INSTALL";

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** ivpm's own install arguments: the site's (default: none), unless disabled or ivpm is a declared package. */
export function selfInstallArgs(
  site: SiteSettings | undefined,
  declared: string[],
  env: string | undefined = toolEnvVar(NO_SELF_INSTALL_ENV),
): string[] {
  if (env === "1") return [];
  if (declared.some((n) => normalizeName(n) === "ivpm")) return [];
  return [...(site?.installArgs ?? [])];
}

/** Creates and fills the project's Python venv. */
export class PythonHandler extends PackageHandler {
  static override name = "python";
  static override description = "Python venv in packages/python: PyPI and source packages (pip or uv)";
  static override phase: HandlerPhaseName = HandlerPhase.INSTALL;
  static override options: ObjectSchema = pythonOptions;
  static override cliOptions: CliOption[] = pythonCliOptions;

  #state: PythonState = {};

  override reset(): void {
    this.#state = {};
  }

  override onRootPreLoad(info: RootInfo): void {
    super.onRootPreLoad(info);
    // Carried forward unless this run changes it: a run with nothing to do keeps what destroy must remove.
    this.#state = readState(info.state);
  }

  override async onLeafPostLoad(pkg: PackageView): Promise<void> {
    const kind = await classifyPackage(pkg);
    if (!kind) return;
    if (kind !== "pyproject") pkg.pkgType = "python";
    this.collect({ kind } satisfies PythonRecord);
  }

  override onRootPostLoad(info: RootInfo): Promise<void> {
    // Tools are found and run in the update's environment, not the process's.
    return withToolEnv(info.env, () => this.#postLoad(info));
  }

  async #postLoad(info: RootInfo): Promise<void> {
    const prev = readState(info.state);
    this.#state = { ...prev };
    const settings = resolveSettings(info.config, info.args);
    const kinds = new Map(info.records.map((r) => [r.package, (r.record as PythonRecord).kind]));
    const of = (k: PythonKind) => info.packages.filter((p) => kinds.get(p.name) === k);
    const pypi = of("pypi"), sources = of("source");
    const harvested = await this.#harvest(of("pyproject"), pypi, info.projectDir);

    const hasPackages = pypi.length + sources.length + harvested.length > 0;
    if (!hasPackages && !settings.venvRequested) return; // lazy venv: nothing asks for one
    const venv = venvDir(info.depsDir);
    const task = this.taskContext(info, "python", "Python environment");
    const say = sayFor(info);
    const note = (m: string) => {
      say.note(m);
      task.progress(m);
    };
    try {
      if (settings.skip) {
        note(`Skipping Python package installation (${settings.skip})`);
        if (prev.venv && (await venvStatus(venv)) === "venv") {
          await this.#publishRemembered(info, prev.skillDirs);
        }
        task.end();
        return;
      }
      const site = (info as RootInfo & { site?: SiteSettings }).site;
      const selfInstall = selfInstallArgs(site, [
        ...pypi.map((p) => p.name),
        ...harvested.map((h) => h.name),
      ]);
      const uv = settings.mode === "pip" ? undefined : await findOnPath("uv");
      const tool = settings.mode === "pip" ? "pip" : settings.mode === "uv" || uv ? "uv" : "pip";
      if (tool === "uv" && !uv) {
        throw new HandlerFatalError(
          "uv was asked for (--py-uv or package.with.python.venv: uv) but 'uv' is not on PATH; install uv or use pip",
        );
      }
      // Built (and so checked) before the venv exists: a bad requirement fails the update without side effects.
      const pkgIndex = indexArgs(indexSettings(info.config, info.site?.pythonIndex));
      const sets = requirementSets({ selfInstall, pypi, harvested, sources, depsDir: info.depsDir });
      const files = sets.map((_, i) => requirementFileName(i + 1));
      const texts = sets.map(requirementText);
      let offline = false;
      const created = await this.#ensureVenv(task, say, {
        dir: venv,
        tool,
        uv,
        systemSitePackages: settings.systemSitePackages,
        selfInstall,
        indexArgs: pkgIndex,
        onIndexUnreachable: () => offline = true,
      });
      this.#state.venv = true;

      const env = await writeEnvrcFiles(info.depsDir);
      this.#state.envrc = true;
      if (env.createdPackagesEnvrc) this.#state.createdPackagesEnvrc = true;
      if (env.windowsFiles.length) this.#state.windowsFiles = env.windowsFiles;

      for (const [i, name] of files.entries()) await writeIfChanged(`${info.depsDir}/${name}`, texts[i]);
      for (const old of prev.files ?? []) {
        if (!files.includes(old)) await Deno.remove(`${info.depsDir}/${old}`).catch(() => {});
      }
      this.#state.files = files;

      const hash = await sha256(
        JSON.stringify({ tool, pre: settings.pre, files, texts, ...(pkgIndex.length ? { pkgIndex } : {}) }),
      );
      if (!created && !settings.force && prev.installHash === hash && prev.packages) {
        note("Python packages already installed. Use --force-py-install to force re-install");
        await this.#publishRemembered(info, prev.skillDirs);
        task.end();
        return;
      }
      delete this.#state.installHash; // set again only once everything installed
      const built = builtFromSource(sources);
      if (built) note(built);
      const inst: Installer = { tool, uv, venv, indexArgs: pkgIndex, indexUnreachable: offline };
      for (const [i, set] of sets.entries()) {
        task.progress(`Installing package set ${i + 1}/${sets.length}: ${set.label}`, i + 1, sets.length);
        await installFile(inst, `${info.depsDir}/${files[i]}`, set, settings.pre, (line) => {
          // The installer's milestones, not its every line.
          const l = line.trim();
          if (
            /^(Collecting|Obtaining|Processing|Building|Installing|Successfully|Installed|Resolved)\b/.test(l)
          ) {
            task.progress(l, i + 1, sets.length);
          }
        });
      }
      this.#state.packages = await installedPackages(inst);
      this.#state.tool = tool;
      const skills = await discoverSkills(venvPython(venv));
      for (const e of skills.errors) say.warn(e);
      this.#state.skillDirs = skills.dirs;
      this.#state.installHash = hash;
      this.#publishSkills(info, skills.dirs);
      task.end();
    } catch (e) {
      task.fail(e);
      throw e;
    }
  }

  /** Requirements of `src: pyproject.toml` packages; declared pypi packages and earlier files win. */
  async #harvest(pyprojects: PackageView[], pypi: PackageView[], projectDir: string) {
    const taken = new Set(pypi.map((p) => normalizeName(p.name)));
    const out: HarvestedRequirement[] = [];
    for (const p of pyprojects) {
      for (const r of await harvestPyproject(p, projectDir)) {
        if (taken.has(r.name)) continue;
        taken.add(r.name);
        out.push(r);
      }
    }
    return out;
  }

  /** Creates the venv unless it exists; returns whether it was created. */
  async #ensureVenv(
    task: TaskHandle,
    say: Say,
    o: Omit<CreateVenvOptions, "python" | "progress" | "warn">,
  ): Promise<boolean> {
    const status = await venvStatus(o.dir);
    if (status === "venv") {
      if (await venvMarkedReady(o.dir, o.tool)) {
        say.note("python virtual environment already exists");
        return false;
      }
      // Not marked ready: cut short by a kill, made by an older ivpm, by hand or by uv. Keep it if it works.
      const problem = await venvProblem(o.dir, o.tool);
      if (!problem) {
        await markVenvReady(o.dir, o.tool);
        say.note("python virtual environment already exists");
        return false;
      }
      // A warning, not a note: whatever was installed in it is discarded.
      say.warn(
        `${o.dir} cannot be used (${problem}: an earlier run was probably interrupted while creating it, ` +
          `or another tool made it); re-creating it`,
      );
      await Deno.remove(o.dir, { recursive: true });
    } else if (status === "other") {
      throw new HandlerFatalError(
        `${o.dir} exists but is not a Python virtual environment (no pyvenv.cfg); move it away and re-run`,
      );
    }
    const sub = task.taskContext("python-venv-create", "Creating Python virtual environment");
    try {
      await createVenv({
        ...o,
        python: await baseInterpreter(),
        progress: (m) => sub.progress(m),
        warn: say.warn,
      });
      sub.end();
    } catch (e) {
      sub.fail(e);
      // A half-made venv would be taken for a good one next time.
      await Deno.remove(o.dir, { recursive: true }).catch(() => {});
      throw e;
    }
    return true;
  }

  #publishSkills(info: RootInfo, dirs: string[] | undefined): void {
    if (dirs?.length) info.exchange[SKILL_DIRS_EXCHANGE_KEY] = [...dirs];
  }

  /**
   * Publishes skill dirs remembered in ivpm.json, which anyone may have edited: only those inside the
   * venv, the project or a package (links resolved), as discovery finds them.
   */
  async #publishRemembered(info: RootInfo, dirs: string[] | undefined): Promise<void> {
    const roots = [venvDir(info.depsDir), info.projectDir, ...info.packages.map((p) => p.path)];
    const kept: string[] = [];
    for (const dir of dirs ?? []) {
      for (const root of roots) {
        if (await realPathInside(root, dir)) {
          kept.push(dir);
          break;
        }
      }
    }
    this.#publishSkills(info, kept);
  }

  override getLockEntries(): Record<string, unknown> {
    return this.#state.packages ? { python_packages: { ...this.#state.packages } } : {};
  }

  override getStateEntries(): Record<string, unknown> | undefined {
    return Object.keys(this.#state).length ? { ...this.#state } : undefined;
  }

  override async onDestroy(info: DestroyInfo): Promise<string[]> {
    const st = info.state ? readState(info.state) : await detectState(info.depsDir);
    const paths: string[] = [];
    const targets = [
      ...(st.venv ? ["python"] : []),
      ...(st.files ?? []),
      ...(st.windowsFiles ?? []).filter((f) => !f.startsWith("python/")),
    ];
    for (const rel of targets) {
      const path = `${info.depsDir}/${rel}`;
      if (!(await exists(path))) continue;
      if (!info.dryRun) await Deno.remove(path, { recursive: true });
      paths.push(path);
    }
    if (st.envrc) {
      const file = `${info.depsDir}/packages.envrc`;
      let text: string | undefined;
      try {
        text = await Deno.readTextFile(file);
      } catch {
        text = undefined;
      }
      if (text !== undefined) {
        const left = removeEnvrcSection(text, "python");
        const empty = ENVRC_HEADER_ONLY.test(left);
        if (st.createdPackagesEnvrc && empty) {
          if (!info.dryRun) await Deno.remove(file);
          paths.push(file);
        } else if (!info.dryRun) await updateEnvrcFile(info.depsDir, "python", undefined);
      }
    }
    return paths;
  }

  override build(info: BuildInfo): Promise<void> {
    return withToolEnv(info.env, () => this.#build(info));
  }

  async #build(info: BuildInfo): Promise<void> {
    const task = this.taskContext(info, "python-build", "Building Python extensions");
    try {
      await buildSourcePackages(info, (m, i, n) => task.progress(m, i, n));
      task.end();
    } catch (e) {
      task.fail(e);
      throw e;
    }
  }
}
