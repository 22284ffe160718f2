/**
 * Hardens the JavaScript realm of a worker that runs third-party plugin code, before that code is
 * imported: plugin output can never reach ivpm's stdout (which may be a `--json` stream), Deno's
 * internals (whose `core.print` writes to stdout) are out of reach, the plugin API classes cannot be
 * patched to tamper with other handlers' records, and file-system calls are checked against the
 * worker's grant *after* resolving symlinks (Deno checks the path as written, so a dependency's
 * `etc-link -> /etc` would otherwise lead a granted read of `packages/` to `/etc`).
 *
 * @module
 */

import { basename, dirname, isAbsolute, join, relative, resolve, sep as SEP } from "node:path";
import { PackageHandler } from "../plugin_api/handler.ts";
import { hasGitComponent, type WritePolicy, writeRefusal } from "./write_policy.ts";
import { isWithin } from "../util/path.ts";

type Printer = (...args: unknown[]) => void;

/** Console methods that print to stdout in Deno; each is sent to stderr instead. */
function stderrConsole(): Record<string, Printer> {
  const error: Printer = console.error.bind(console);
  const counts = new Map<string, number>();
  const timers = new Map<string, number>();
  const elapsed = (label: string) =>
    `${label}: ${(performance.now() - (timers.get(label) ?? 0)).toFixed(3)}ms`;
  const group = console.group.bind(console);
  return {
    log: error,
    info: error,
    debug: error,
    dirxml: error,
    dir: (obj: unknown, options?: unknown) => error(Deno.inspect(obj, options as Deno.InspectOptions)),
    table: (data: unknown) => error(Deno.inspect(data)),
    group: (...label: unknown[]) => {
      if (label.length) error(...label);
      group();
    },
    groupCollapsed: (...label: unknown[]) => {
      if (label.length) error(...label);
      group();
    },
    count: (label: unknown = "default") => {
      const key = String(label);
      counts.set(key, (counts.get(key) ?? 0) + 1);
      error(`${key}: ${counts.get(key)}`);
    },
    time: (label: unknown = "default") => void timers.set(String(label), performance.now()),
    timeLog: (label: unknown = "default", ...data: unknown[]) => error(elapsed(String(label)), ...data),
    timeEnd: (label: unknown = "default") => {
      error(elapsed(String(label)));
      timers.delete(String(label));
    },
    // Deno's clear writes escape sequences to stdout (a --json stream, a terminal the status line owns).
    clear: () => {},
  };
}

type PermissionName = "read" | "write";
/** How a call uses one path argument: which permission, and whether the last component is followed. */
type Use = [PermissionName, "follow" | "nofollow"];

/** Deno's file-system calls and how each uses its path arguments (by position). */
const FS_CALLS: Record<string, Use[]> = {
  readFile: [["read", "follow"]],
  readTextFile: [["read", "follow"]],
  readDir: [["read", "follow"]],
  stat: [["read", "follow"]],
  realPath: [["read", "follow"]],
  lstat: [["read", "nofollow"]],
  readLink: [["read", "nofollow"]],
  writeFile: [["write", "follow"]],
  writeTextFile: [["write", "follow"]],
  create: [["write", "follow"]],
  truncate: [["write", "follow"]],
  chmod: [["write", "follow"]],
  chown: [["write", "follow"]],
  utime: [["write", "follow"]],
  mkdir: [["write", "follow"]],
  copyFile: [["read", "follow"], ["write", "follow"]],
  remove: [["write", "nofollow"]],
  rename: [["write", "nofollow"], ["write", "nofollow"]],
  link: [["read", "follow"], ["write", "nofollow"]],
  watchFs: [["read", "follow"]],
  openKv: [["write", "follow"]],
};

/**
 * Calls a plugin never needs and whose effect the path checks cannot bound: a symlink is followed later by
 * trusted code (its target is not checked when it is made), `chdir` moves the whole process's working
 * directory (every relative path of ivpm's own code), `umask` changes the mode of every file ivpm creates.
 */
const REFUSED_CALLS = ["symlink", "chdir", "umask"];

function pathOf(p: unknown): string | undefined {
  if (typeof p === "string") return p;
  if (p instanceof URL && p.protocol === "file:") return decodeURIComponent(p.pathname);
  return undefined;
}

/** Every path an argument names (`watchFs` takes a list). */
function pathsOf(p: unknown): string[] {
  if (Array.isArray(p)) return p.flatMap(pathsOf);
  const one = pathOf(p);
  return one === undefined ? [] : [one];
}

/** The real location a call reaches: symlinks resolved (all, or all but the last component). */
function realTarget(path: string, follow: boolean, realPath: (p: string) => string): string {
  const abs = isAbsolute(path) ? path : resolve(path);
  if (follow) {
    try {
      return realPath(abs);
    } catch {
      // Does not exist yet (a file to create): its nearest existing ancestor decides.
    }
  }
  const parent = dirname(abs);
  if (parent === abs) return abs;
  return join(realTarget(parent, true, realPath), basename(abs));
}

/** The deps dir of the worker's project and the write policy, once known (see {@link setPackagesDir}). */
let packagesDir: string | undefined;
let policy: WritePolicy | undefined;
/** The same policy for paths as written (symlinks not resolved): a write must pass both. */
let lexicalPolicy: WritePolicy | undefined;
let projectReal: string | undefined;
const packageRoots = new Map<string, string>();
/** Real roots the host vouches for (packages whose root it placed as a link, e.g. a project's `dir` source). */
const vouchedRoots = new Map<string, string>();

/** Where the worker's packages live and what it may write under them. */
export interface GuardSetup {
  projectDir: string;
  depsDir: string;
  /** The worker's own output directories (`packages/.ivpm/out/<handler>`). */
  outputDirs?: string[];
  /** The grant's `allow-write` paths. */
  grantWrite?: string[];
}

function realOr(path: string): string {
  try {
    return Deno.realPathSync(path);
  } catch {
    return resolve(path);
  }
}

/**
 * Tells the guard where packages live, once per worker (a second call throws: plugin code in the realm
 * must not be able to move the boundary). A package's root may itself be a link ivpm made (a `dir` source,
 * a reused deps-source package); links *inside* a package must not lead out of that package.
 *
 * @example
 * ```ts ignore
 * setPackagesDir({ projectDir: "/work/proj", depsDir: "/work/proj/packages" });
 * ```
 */
export function setPackagesDir(setup: GuardSetup): void {
  if (packagesDir !== undefined) throw new Deno.errors.NotCapable("the plugin guard is set up once");
  packagesDir = resolve(setup.depsDir);
  projectReal = realOr(setup.projectDir);
  const both = (
    paths: string[] | undefined,
  ) => [...new Set((paths ?? []).flatMap((p) => [resolve(p), realOr(p)]))];
  policy = {
    depsDir: realOr(packagesDir),
    outputDirs: both(setup.outputDirs),
    grantWrite: both(setup.grantWrite),
  };
  lexicalPolicy = { ...policy, depsDir: packagesDir };
  packageRoots.clear();
}

/**
 * Records the real roots of packages as the host computed them (from the views it sends), so a package
 * the project itself links from elsewhere is still one package root. Roots already known keep their value.
 *
 * @example
 * ```ts ignore
 * vouchForRoots({ "/work/proj/packages/ip": "/src/ip" });
 * ```
 */
export function vouchForRoots(roots: Record<string, string> | undefined): void {
  for (const [path, real] of Object.entries(roots ?? {})) {
    if (!vouchedRoots.has(resolve(path))) vouchedRoots.set(resolve(path), real);
  }
}

/**
 * The real root of the package `path` (as written) is in, if it is under the deps dir. A top-level entry
 * that is a link is followed only when the host vouched for its target or the target stays inside the
 * project: a link to elsewhere that the host did not place is no package root.
 */
function packageRootOf(path: string, realPath: (p: string) => string): string | undefined {
  if (!packagesDir) return undefined;
  const abs = resolve(path);
  const rel = relative(packagesDir, abs);
  if (!rel || rel.startsWith("..") || isAbsolute(rel)) return undefined;
  const top = join(packagesDir, rel.split(SEP)[0]);
  let root = packageRoots.get(top);
  if (root === undefined) {
    const real = realTarget(top, true, realPath);
    const vouched = vouchedRoots.get(top);
    if (vouched !== undefined && real === vouched) root = real;
    else if (projectReal !== undefined && isWithin(real, projectReal)) root = real;
    else root = realTarget(top, false, realPath);
    packageRoots.set(top, root);
  }
  return root;
}

/**
 * Throws NotCapable unless what the call really reaches is allowed: inside the package the path is
 * written in (for paths under the deps dir), or covered by the worker's grant after resolving symlinks;
 * a write under the deps dir must also be one the plugin is entitled to (see `write_policy.ts`).
 */
function checkReal(call: string, path: string, [name, follow]: Use, realPath: (p: string) => string): void {
  const target = realTarget(path, follow === "follow", realPath);
  if (name === "write") {
    // A repository's control files decide what git runs there (hooks, fsmonitor, filters): never plugins'.
    // Compared in every spelling a case-insensitive or 8.3 file system maps to `.git`.
    if ([resolve(path), target].some(hasGitComponent)) {
      throw new Deno.errors.NotCapable(
        `Plugins may not write into a .git directory ("${target}", by ${call})`,
      );
    }
    // Checked where the path leads and where it is written: `packages/ip/x` is inside package `ip` even
    // when `ip` is a link to a directory elsewhere.
    const refusal = (policy && writeRefusal(target, policy)) ??
      (lexicalPolicy && writeRefusal(resolve(path), lexicalPolicy));
    if (refusal) {
      throw new Deno.errors.NotCapable(
        `Plugins may not write "${target}" (by ${call}): ${refusal}; a plugin writes under the deps dir ` +
          "only into its own output directory (info.outputDir) or a package path its allow-write names",
      );
    }
  }
  const root = packageRootOf(path, realPath);
  if (
    root !== undefined
      ? isWithin(target, root)
      : Deno.permissions.querySync({ name, path: target }).state === "granted"
  ) {
    return;
  }
  throw new Deno.errors.NotCapable(
    `Requires ${name} access to "${target}" (reached through a symbolic link from "${path}" by ${call}); ` +
      "a plugin's grant does not follow links out of a package or out of what was granted",
  );
}

/** Where `makeTempFile`/`makeTempDir` would create their entry: its options decide it. */
function checkTemp(call: string, options: unknown, realPath: (p: string) => string): void {
  const o = (options ?? {}) as Deno.MakeTempOptions;
  for (const part of [o.prefix, o.suffix]) {
    if (part !== undefined && /[/\\]|\.\./.test(String(part))) {
      throw new Deno.errors.NotCapable(`${call}: a prefix or suffix may not hold a path ("${part}")`);
    }
  }
  if (o.dir !== undefined) {
    const dir = pathOf(o.dir) ?? String(o.dir);
    checkReal(call, join(dir, `${o.prefix ?? ""}tmp${o.suffix ?? ""}`), ["write", "follow"], realPath);
  }
}

/** Wraps Deno's file-system calls (async and sync) and `fetch` of `file:` URLs with {@link checkReal}. */
function guardFileSystem(): void {
  const deno = Deno as unknown as Record<string, (...args: unknown[]) => unknown>;
  const realPath = Deno.realPathSync.bind(Deno);
  const guard =
    (call: string, uses: Use[], original: (...args: unknown[]) => unknown) => (...args: unknown[]) => {
      uses.forEach((use, i) => {
        for (const p of pathsOf(args[i])) checkReal(call, p, use, realPath);
      });
      if (call.startsWith("open")) {
        const o = args[1] as Deno.OpenOptions | undefined;
        const p = pathOf(args[0]);
        if (p && (o?.write || o?.append || o?.create || o?.createNew || o?.truncate)) {
          checkReal(call, p, ["write", "follow"], realPath);
        }
      }
      return original.apply(Deno, args);
    };
  const calls: [string, Use[]][] = [...Object.entries(FS_CALLS), ["open", [["read", "follow"]]]];
  for (const name of ["makeTempFile", "makeTempDir"]) {
    for (const call of [name, `${name}Sync`]) {
      const original = deno[call];
      if (typeof original !== "function") continue;
      const checked = (...args: unknown[]) => {
        checkTemp(call, args[0], realPath);
        return original.apply(Deno, args);
      };
      Object.defineProperty(Deno, call, { value: checked, writable: false, configurable: false });
    }
  }
  for (const name of REFUSED_CALLS) {
    for (const call of [name, `${name}Sync`]) {
      if (typeof deno[call] !== "function") continue;
      Object.defineProperty(Deno, call, {
        value: refused(`Deno.${call}`),
        writable: false,
        configurable: false,
      });
    }
  }
  for (const [name, uses] of calls) {
    for (const call of [name, `${name}Sync`]) {
      const original = deno[call];
      if (typeof original !== "function") continue;
      Object.defineProperty(Deno, call, {
        value: guard(call, uses, original),
        writable: false,
        configurable: false,
      });
    }
  }
  const originalFetch = globalThis.fetch;
  const guardedFetch: typeof fetch = (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    if (url.startsWith("file:")) {
      checkReal("fetch", decodeURIComponent(new URL(url).pathname), ["read", "follow"], realPath);
    }
    return originalFetch(input, init);
  };
  Object.defineProperty(globalThis, "fetch", { value: guardedFetch, writable: false, configurable: false });
}

function refused(what: string): () => never {
  return () => {
    throw new Deno.errors.NotCapable(`${what} is not available to plugins`);
  };
}

/**
 * Code that is not in the verified bundle must not run: no eval, no Function constructors (which could
 * build an `import("node:fs")` the bundler never saw), no nested workers (a fresh, unhardened realm).
 */
function closeCodeLoaders(): void {
  const constructors = [
    Function,
    (async () => {}).constructor,
    function* () {}.constructor,
    async function* () {}.constructor,
  ];
  for (const ctor of constructors) {
    Object.defineProperty(ctor.prototype, "constructor", {
      value: undefined,
      writable: false,
      configurable: false,
    });
  }
  for (const name of ["eval", "Function", "Worker", "SharedWorker"]) {
    Object.defineProperty(globalThis, name, { value: undefined, writable: false, configurable: false });
  }
}

/**
 * Call once at the top of a plugin worker, before any plugin module is imported.
 *
 * @example
 * ```ts ignore
 * hardenPluginRealm();
 * const ns = await import(pluginDataUrl);
 * ```
 */
export function hardenPluginRealm(): void {
  for (const [name, fn] of Object.entries(stderrConsole())) {
    Object.defineProperty(console, name, { value: fn, writable: false, configurable: false });
  }
  Object.defineProperty(Deno, "stdout", { value: Deno.stderr, writable: false, configurable: false });
  // Node's process.stdout is another way to fd 1.
  const proc = (globalThis as { process?: { stderr: unknown } }).process;
  if (proc) {
    Object.defineProperty(proc, "stdout", { get: () => proc.stderr, configurable: false });
    // Built-in modules (node:fs…) reached at run time would bypass the checked calls below.
    for (const name of ["getBuiltinModule", "binding", "_linkedBinding", "dlopen"]) {
      Object.defineProperty(proc, name, {
        value: refused(`process.${name}`),
        writable: false,
        configurable: false,
      });
    }
  }
  guardFileSystem();
  closeCodeLoaders();
  // `Deno[Deno.internal].core.print` writes to stdout without any permission.
  const internal = (Deno as unknown as { internal?: symbol }).internal;
  if (internal) delete (Deno as unknown as Record<symbol, unknown>)[internal];
  // Methods only: subclasses still set their own statics (`MyHandler.phase = …` keeps working).
  Object.freeze(PackageHandler.prototype);
}
