/**
 * The `node` built-in handler: a project-local Node environment in
 * `packages/node`. `src: npm` packages (and the dependencies of `src: package.json`
 * files) go into a generated `package.json` installed with npm, pnpm or yarn —
 * only when that file changed — and Node source packages are linked into it.
 *
 * @module
 */

import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  type DestroyInfo,
  ENVRC_HEADER,
  envrcSection,
  HandlerFatalError,
  HandlerPhase,
  type HandlerPhaseName,
  type ObjectSchema,
  PackageHandler,
  type PackageView,
  removeEnvrcSection,
  type RootInfo,
  s,
  updateEnvrcFile,
} from "@ivpm/plugin";
import {
  exists,
  isDir,
  isLinkTo,
  NODE_ENVRC_SECTION,
  NODE_EXPORT_ENVRC,
  readManifest,
  readTextOrUndefined,
  removeIfPresent,
  sha256Hex,
  writeIfChanged,
} from "./files.ts";
import {
  commandText,
  installCommand,
  linkCommand,
  NODE_MANAGERS,
  type NodeManager,
  outputTail,
  runTool,
  ToolNotFoundError,
} from "./manager.ts";
import {
  harvestPackageJson,
  type NpmDep,
  npmDepKind,
  npmDepVersion,
  renderPackageJson,
} from "./package_json.ts";
import { type Say, sayFor } from "./report.ts";
import { allowedScripts, describeScripted, rebuildCommand, scriptedPackages } from "./scripts.ts";

/** Source types whose packages count as Node packages when they hold a package.json. */
const AUTO_SOURCES: ReadonlySet<string> = new Set(["git", "dir", "http", "file", "gh-rls"]);

/** What a leaf callback hands the root pass about a Node source package. */
export interface NodeSourceRecord {
  /** Link it into the environment (`type: {node: {link: false}}` turns this off). */
  link: boolean;
  /** Detected by its package.json rather than declared `type: node`. */
  auto: boolean;
}

/** `handlers.node` in `packages/ivpm.json`. */
export interface NodeState {
  /** The manager that installed the environment. */
  manager: NodeManager;
  /** npm packages and Node source packages of the last update, sorted. */
  installed: string[];
  /** SHA-256 of the `packages/node/package.json` last installed. */
  package_json_hash: string;
  /** npm name → path of each source package linked into `node_modules`. */
  linked: Record<string, string>;
  /** The update created `packages/packages.envrc` for the node section. */
  envrc_created?: boolean;
}

/** An error whose message names the fix; `hint` is there for ivpm to show on its own line. */
class NodeToolError extends HandlerFatalError {
  constructor(message: string, readonly hint: string) {
    super(`${message} — ${hint}`);
  }
}

function codeOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function managerOf(config: Record<string, unknown>): NodeManager {
  const m = config.manager ?? "npm";
  if (typeof m !== "string" || !NODE_MANAGERS.includes(m as NodeManager)) {
    throw new HandlerFatalError(
      `Invalid manager '${String(m)}' in package.with.node. Valid values: ${NODE_MANAGERS.join(", ")}`,
    );
  }
  return m as NodeManager;
}

function notFound(tool: string): NodeToolError {
  return new NodeToolError(
    `'${tool}' not found on PATH`,
    `install Node.js and ${tool} (https://nodejs.org), or pick another manager in package.with.node.manager`,
  );
}

function listDeps(deps: NpmDep[]): string {
  const shown = deps.slice(0, 8).map((d) => `${d.name}@${d.version}`);
  return deps.length > 8 ? `${shown.join(", ")} and ${deps.length - 8} more` : shown.join(", ");
}

/** The file a `src: package.json` entry names, resolved against the package that declared it. */
function harvestFile(pkg: PackageView, info: RootInfo, byName: Map<string, PackageView>): string | undefined {
  const base = pkg.resolvedBy === "root"
    ? info.projectDir
    : byName.get(pkg.resolvedBy)?.path ?? info.projectDir;
  if (pkg.url) {
    if (pkg.url.startsWith("file://")) {
      try {
        return resolve(base, fileURLToPath(pkg.url));
      } catch {
        return resolve(base, decodeURIComponent(pkg.url.slice("file://".length))); // file://rel/path
      }
    }
    return /^[a-z][a-z0-9+.-]*:/i.test(pkg.url) ? undefined : resolve(base, pkg.url);
  }
  return resolve(base, typeof pkg.options.path === "string" ? pkg.options.path : "package.json");
}

/**
 * Removes the `node` section of packages.envrc; the file goes too when this handler
 * created it and nothing else is left in it. Returns the file's path if it was removed.
 */
async function dropEnvrcSection(
  depsDir: string,
  created: boolean,
  dryRun: boolean,
): Promise<string | undefined> {
  const envrc = join(depsDir, "packages.envrc");
  const text = await readTextOrUndefined(envrc);
  if (text === undefined || !envrcSection(text, "node")) return undefined;
  const rest = removeEnvrcSection(text, "node");
  if (created && (rest.trim() === "" || rest.trim() === ENVRC_HEADER)) {
    if (!dryRun) await Deno.remove(envrc);
    return envrc;
  }
  if (!dryRun) await Deno.writeTextFile(envrc, rest);
  return undefined;
}

/** Installs npm packages into `packages/node` and links Node source packages there. */
export class NodeHandler extends PackageHandler {
  /** Handler name: `package.with.node`, `handlers.node` state, messages. */
  static override name = "node";
  /** Shown by `ivpm show handler`. */
  static override description: string =
    "Installs src: npm / package.json dependencies into packages/node (npm, pnpm or yarn) and links Node source packages";
  /** The original's phase 6: after the Python venv (install), next to agents. */
  static override phase: HandlerPhaseName = HandlerPhase.INTEGRATE;
  /** `package.with.node`: `manager`, `version`, `env`, `allow-scripts`. */
  static override options: ObjectSchema = s.object({
    manager: s.enum(NODE_MANAGERS, "Package manager: npm (default), pnpm or yarn"),
    version: s.scalar("Node version written to packages/node/.nvmrc"),
    env: s.boolean("Write packages/node/export.envrc and source it from packages.envrc (default true)"),
    "allow-scripts": s.array(
      s.string(),
      "npm packages whose install scripts may run (npm only); other dependencies' scripts are skipped with a warning",
    ),
  });

  #active = false;
  #state?: Record<string, unknown>;
  #lockNames: string[] = [];

  /** Forgets the previous run (the root instance is reused only within one run). */
  override reset(): void {
    this.#active = false;
    this.#state = undefined;
    this.#lockNames = [];
  }

  /**
   * Classifies on-disk packages (virtual `npm` / `package.json` ones are read in the
   * root pass): `type: node`, or a package.json at the root of a package with no
   * declared or detected type. Runs before the python handler, as in the original.
   */
  override async onLeafPostLoad(pkg: PackageView): Promise<void> {
    if (pkg.virtual) return;
    const declared = pkg.typeData.find((t) => t.name === "node");
    if (declared) {
      this.collect({ link: declared.options.link !== false, auto: false } satisfies NodeSourceRecord);
      return;
    }
    if (pkg.pkgType || pkg.typeData.length || !AUTO_SOURCES.has(pkg.srcType)) return;
    const st = await Deno.stat(join(pkg.path, "package.json")).catch(() => undefined);
    if (st?.isFile) this.collect({ link: true, auto: true } satisfies NodeSourceRecord);
  }

  /**
   * Writes `packages/node/package.json`, installs it when it changed (a failure
   * fails the update), links source packages, writes the envrc files.
   */
  override async onRootPostLoad(info: RootInfo): Promise<void> {
    const say = sayFor(info);
    const previous = info.state as Partial<NodeState> | undefined;
    const byName = new Map(info.packages.map((p) => [p.name, p]));

    const explicit = new Map<string, NpmDep>();
    for (const p of info.packages) {
      if (p.srcType !== "npm" || explicit.has(p.name)) continue;
      explicit.set(p.name, { name: p.name, version: npmDepVersion(p.options), kind: npmDepKind(p.options) });
    }
    const deps = [...explicit.values()];
    const taken = new Set(explicit.keys());
    for (const p of info.packages) {
      if (p.srcType !== "package.json") continue;
      for (const d of await this.#harvest(p, info, byName, taken, say)) {
        taken.add(d.name);
        deps.push(d);
      }
    }
    const sources = info.records.flatMap((r) => {
      const pkg = byName.get(r.package);
      return pkg ? [{ pkg, ...(r.record as NodeSourceRecord) }] : [];
    });

    if (!deps.length && !sources.length && !Object.keys(info.config).length) {
      this.#state = info.state; // nothing to do; keep the record of an earlier environment for destroy
      return;
    }
    this.#active = true;
    const manager = managerOf(info.config);
    const allow = allowedScripts(info.config);
    const nodeDir = join(info.depsDir, "node");
    await Deno.mkdir(nodeDir, { recursive: true });

    const version = info.config.version;
    if (version !== undefined && version !== null && String(version) !== "") {
      await writeIfChanged(join(nodeDir, ".nvmrc"), `${String(version)}\n`);
    } else await removeIfPresent(join(nodeDir, ".nvmrc"));

    const text = renderPackageJson(deps, manager === "npm" ? allow : []);
    await writeIfChanged(join(nodeDir, "package.json"), text);
    const hash = sha256Hex(text);
    const nodeModules = join(nodeDir, "node_modules");
    let installed = false;
    if (
      hash !== previous?.package_json_hash || previous?.manager !== manager || !(await isDir(nodeModules))
    ) {
      await this.#install(info, manager, nodeDir, deps);
      await Deno.mkdir(nodeModules, { recursive: true }); // npm creates none for an empty manifest
      installed = true;
    } else say.note(`Node packages unchanged — skipping ${manager} install`);

    const justLinked: string[] = [];
    const linked = await this.#link(info, manager, nodeDir, sources, say, justLinked);
    await this.#unlinkStale(nodeDir, previous?.linked ?? {}, linked);
    if (manager === "npm" && (installed || justLinked.length)) {
      // After an install every package is new; after links alone, only the linked ones.
      await this.#runAllowedScripts(info, nodeDir, allow, installed ? undefined : justLinked, say);
    } else if (manager !== "npm" && allow.length && installed) {
      say.warn(
        `package.with.node.allow-scripts applies to npm only; ${manager} runs dependency scripts by its own rules`,
      );
    }

    const envrc = join(info.depsDir, "packages.envrc");
    const envrcExisted = await exists(envrc);
    let envrcCreated = false;
    if (info.config.env !== false) {
      await writeIfChanged(join(nodeDir, "export.envrc"), NODE_EXPORT_ENVRC);
      await updateEnvrcFile(info.depsDir, "node", [...NODE_ENVRC_SECTION], { createIfMissing: true });
      envrcCreated = !envrcExisted || previous?.envrc_created === true;
    } else {
      await removeIfPresent(join(nodeDir, "export.envrc"));
      await dropEnvrcSection(info.depsDir, previous?.envrc_created === true, false);
    }

    await this.#checkLockfileIgnored(info, manager, nodeDir, say);

    this.#lockNames = [...new Set([...deps.map((d) => d.name), ...Object.keys(linked)])];
    const state: NodeState = {
      manager,
      installed: [...new Set([...deps.map((d) => d.name), ...sources.map((s) => s.pkg.name)])].sort(
        codeOrder,
      ),
      package_json_hash: hash,
      linked,
      ...(envrcCreated ? { envrc_created: true } : {}),
    };
    this.#state = state as unknown as Record<string, unknown>;
  }

  async #harvest(
    pkg: PackageView,
    info: RootInfo,
    byName: Map<string, PackageView>,
    taken: ReadonlySet<string>,
    say: Say,
  ): Promise<NpmDep[]> {
    const file = harvestFile(pkg, info, byName);
    if (file === undefined) {
      say.warn(`package.json source '${pkg.name}': only file:// URLs are supported, not ${pkg.url}; skipped`);
      return [];
    }
    const text = await readTextOrUndefined(file);
    if (text === undefined) {
      say.warn(`package.json source '${pkg.name}': cannot read ${file}; its dependencies are not installed`);
      return [];
    }
    const h = harvestPackageJson(text, taken);
    if (h.problem) {
      say.warn(`package.json source '${pkg.name}': ${file} is unusable (${h.problem}); skipped`);
    }
    return h.deps;
  }

  async #install(info: RootInfo, manager: NodeManager, nodeDir: string, deps: NpmDep[]): Promise<void> {
    const cmd = installCommand(manager, nodeDir);
    const task = this.taskContext(info, "node-install", "Installing Node.js packages");
    try {
      const run = await runTool(cmd, undefined, info.env).catch((e) => {
        throw e instanceof ToolNotFoundError ? notFound(e.tool) : e;
      });
      if (run.code !== 0) {
        const what = deps.length ? ` installing ${listDeps(deps)}` : "";
        throw new HandlerFatalError(
          `Node package install failed (exit ${run.code})${what}: ${commandText(cmd)}\n${
            outputTail(run.lines)
          }`,
        );
      }
      task.end();
    } catch (e) {
      task.fail(e);
      throw e;
    }
  }

  /**
   * Links each source package not linked yet (their npm names go to `made`); a failure is a warning.
   * Returns npm name → path.
   */
  async #link(
    info: RootInfo,
    manager: NodeManager,
    nodeDir: string,
    sources: ({ pkg: PackageView } & NodeSourceRecord)[],
    say: Say,
    made: string[],
  ): Promise<Record<string, string>> {
    const linked: Record<string, string> = {};
    for (const { pkg, link } of sources) {
      if (!link) continue;
      const manifest = await readManifest(pkg.path);
      if (!manifest) {
        say.warn(`node package '${pkg.name}' has no package.json at ${pkg.path}; not linked`);
        continue;
      }
      const npmName = manifest.name ?? pkg.name;
      if (!(await isLinkTo(join(nodeDir, "node_modules", npmName), pkg.path))) {
        // `npm link <dir> --prefix D` also links globally, i.e. under D/lib, which must exist.
        if (manager === "npm" && Deno.build.os !== "windows") {
          await Deno.mkdir(join(nodeDir, "lib"), { recursive: true });
        }
        const cmd = linkCommand(manager, nodeDir, pkg.path);
        const task = this.taskContext(info, `node-link-${pkg.name}`, `Linking ${pkg.name}`);
        const run = await runTool(cmd, undefined, info.env).catch((e) =>
          e instanceof Error ? e : new Error(String(e))
        );
        if (run instanceof Error || run.code !== 0) {
          task.fail(run instanceof Error ? run : new Error(`exit ${run.code}`));
          const why = run instanceof Error ? run.message : `exit ${run.code}`;
          const tail = run instanceof Error ? "" : `\n${outputTail(run.lines)}`;
          say.warn(`could not link node package '${pkg.name}' (${why}): ${commandText(cmd)}${tail}`);
          continue;
        }
        task.end();
        made.push(npmName);
      }
      linked[npmName] = pkg.path;
    }
    return linked;
  }

  /**
   * Runs the install scripts npm skipped (`--ignore-scripts`) for the packages the project allows, and
   * warns naming the others. `only`: the top-level names to look at (default: the whole tree).
   */
  async #runAllowedScripts(
    info: RootInfo,
    nodeDir: string,
    allow: string[],
    only: string[] | undefined,
    say: Say,
  ): Promise<void> {
    const found = (await scriptedPackages(join(nodeDir, "node_modules")))
      .filter((p) => only === undefined || (p.linked && only.includes(p.name)));
    const run = found.filter((p) => allow.includes(p.name));
    const skipped = found.filter((p) => !allow.includes(p.name));
    if (run.length) {
      const names = [...new Set(run.map((p) => p.name))];
      const cmd = rebuildCommand(nodeDir, names);
      const task = this.taskContext(info, "node-scripts", `Running install scripts of ${names.join(", ")}`);
      try {
        const r = await runTool(cmd, undefined, info.env).catch((e) => {
          throw e instanceof ToolNotFoundError ? notFound(e.tool) : e;
        });
        if (r.code !== 0) {
          throw new HandlerFatalError(
            `Install scripts of ${names.join(", ")} failed (exit ${r.code}): ${commandText(cmd)}\n${
              outputTail(r.lines)
            }`,
          );
        }
        task.end();
      } catch (e) {
        task.fail(e);
        throw e;
      }
    }
    if (skipped.length) {
      say.warn(
        `install scripts of dependencies not run: ${describeScripted(skipped)}. ` +
          "To run them, list the packages you trust in package.with.node.allow-scripts",
      );
    }
  }

  /** Removes the links of source packages that are no longer linked (only symlinks). */
  async #unlinkStale(
    nodeDir: string,
    before: Record<string, string>,
    now: Record<string, string>,
  ): Promise<void> {
    for (const npmName of Object.keys(before)) {
      if (npmName in now) continue;
      for (
        const link of [join(nodeDir, "node_modules", npmName), join(nodeDir, "lib", "node_modules", npmName)]
      ) {
        const st = await Deno.lstat(link).catch(() => undefined);
        if (st?.isSymlink) await Deno.remove(link);
      }
    }
  }

  async #checkLockfileIgnored(
    info: RootInfo,
    manager: NodeManager,
    nodeDir: string,
    say: Say,
  ): Promise<void> {
    const lockfile = join(nodeDir, "package-lock.json");
    if (manager !== "npm" || !(await exists(lockfile))) return;
    const r = await new Deno.Command("git", {
      args: ["check-ignore", "-q", lockfile],
      cwd: info.projectDir,
      ...(info.env ? { env: { ...info.env }, clearEnv: true } : {}),
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).output().catch(() => undefined);
    if (r?.code === 0) {
      say.note(
        `WARNING: ${relative(info.projectDir, lockfile)} is gitignored. ` +
          "Consider committing it for reproducible builds.",
      );
    }
  }

  /** `node_packages`: the version of each npm and linked package as installed in node_modules. */
  override async getLockEntries(depsDir: string): Promise<Record<string, unknown>> {
    if (!this.#active) return {};
    const nodeModules = join(depsDir, "node", "node_modules");
    const installed: Record<string, string> = {};
    for (const name of [...this.#lockNames].sort(codeOrder)) {
      const v = (await readManifest(join(nodeModules, name)))?.version;
      if (v !== undefined) installed[name] = v;
    }
    return { node_packages: installed };
  }

  /** {@link NodeState} of this run (or of the last active run when nothing is Node now). */
  override getStateEntries(): Record<string, unknown> | undefined {
    return this.#state;
  }

  /** Removes `packages/node` and the `node` section of packages.envrc (the file too, if it created it). */
  override async onDestroy(info: DestroyInfo): Promise<string[]> {
    const nodeDir = join(info.depsDir, "node");
    const state = info.state as Partial<NodeState> | undefined;
    const removed: string[] = [];
    // packages/node is ours when the state says so, or when it holds our generated manifest.
    const ours = state !== undefined || (await readManifest(nodeDir))?.name === "ivpm-node-env";
    if (ours && (await exists(nodeDir))) {
      removed.push(nodeDir);
      if (!info.dryRun) await Deno.remove(nodeDir, { recursive: true }); // symlinks are unlinked, not followed
    }
    const envrc = await dropEnvrcSection(info.depsDir, state?.envrc_created === true, info.dryRun);
    if (envrc) removed.push(envrc);
    return removed;
  }
}
