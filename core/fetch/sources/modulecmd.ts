/**
 * The Environment Modules interface behind `src: module`: finds the module
 * system (Lmod, Environment Modules 4.x+, or 3.x), runs its command as
 * `<cmd> python <args>` and parses what it prints. The output is only ever
 * parsed, never evaluated.
 *
 * What the real tools print (the parsers below rely on exactly this):
 * - Modules 4.x/5.x `modulecmd.tcl python path gcc/15.2.0`: stdout `import os` /
 *   `_mlstatus = '/opt/modulefiles/gcc/15.2.0'`; an unknown module gives
 *   `_mlstatus = ''` and `ERROR: Unable to locate a modulefile for 'gcc/15.2.0'` on stderr.
 * - `show` (all flavours) prints the modulefile path and its commands on stderr:
 *   Modules `setenv\t\tGCC_HOME /opt/gcc`, Lmod `setenv("GCC_HOME","/opt/gcc")`.
 * - `python --version` prints `Modules Release 4.8.0 (…)` (Modules) or
 *   `Modules based on Lua: Version 8.6.19 …` (Lmod) on stderr.
 *
 * @module
 */

import { basename, delimiter, dirname, isAbsolute, join } from "node:path";
import { IvpmError } from "../../base/errors.ts";

/** Flavour of the module system (the values of `with.modules.variant`, less `auto`). */
export type ModulesVariant = "modules-3x" | "modules-4x" | "lmod";

/** A detected module system: how to run its command. */
export interface ModulesInterface {
  /** Its flavour (decides the sub-commands and how output is parsed). */
  variant: ModulesVariant;
  /** `modulecmd.tcl`, `modulecmd` or `$LMOD_CMD`. */
  cmd: string;
  /** Program that runs `cmd` when it is a Tcl script without execute permission. */
  tclsh?: string;
  /** How it was found, for messages (`$LMOD_CMD`, `$MODULESHOME`, `PATH`, `with.modules`). */
  foundBy: string;
  /** Environment the command runs with (MODULEPATH matters). */
  env: Record<string, string>;
}

/** Options of {@link detectModules}. */
export interface DetectOptions {
  /** Environment to look in (`LMOD_CMD`, `MODULESHOME`, `PATH`) and to run the command with. */
  env: Record<string, string>;
  /** `with.modules.variant` (`auto` or absent = detect). */
  variant?: string;
  /** `with.modules.modulecmd`: an explicit command (absolute path or a name on PATH). */
  modulecmd?: string;
  /** Cancels the version probe. */
  signal?: AbortSignal;
}

/** What one command printed. */
export interface ModuleCmdResult {
  /** Exit code. */
  code: number;
  /** Standard output (Python code the original would have eval'd; only parsed here). */
  stdout: string;
  /** Standard error (messages, `show` output). */
  stderr: string;
}

/** Longest a modulecmd call may take (the original's limit). */
const TIMEOUT_MS = 30_000;

async function isFile(path: string): Promise<boolean> {
  return await Deno.stat(path).then((s) => s.isFile, () => false);
}

async function isExecutable(path: string): Promise<boolean> {
  const st = await Deno.stat(path).catch(() => undefined);
  return !!st?.isFile && ((st.mode ?? 0o755) & 0o111) !== 0;
}

/** Finds an executable `name` on `env.PATH` (or checks it when it is a path). */
export async function which(name: string, env: Record<string, string>): Promise<string | undefined> {
  if (name.includes("/")) return await isFile(name) ? name : undefined;
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, name);
    if (await isExecutable(p)) return p;
  }
  return undefined;
}

/** tclsh, when `cmd` is a Tcl script without execute permission (it is then run through tclsh). */
async function tclshFor(cmd: string, env: Record<string, string>): Promise<string | undefined> {
  return cmd.endsWith(".tcl") && !(await isExecutable(cmd)) ? await which("tclsh", env) : undefined;
}

/** Runs `<cmd> python <args>` with the interface's environment; never throws for a non-zero exit. */
export async function runModuleCmd(
  mi: Pick<ModulesInterface, "cmd" | "tclsh" | "env">,
  args: string[],
  signal?: AbortSignal,
  timeoutMs = TIMEOUT_MS,
): Promise<ModuleCmdResult> {
  const argv = mi.tclsh ? [mi.tclsh, mi.cmd] : [mi.cmd];
  const timeout = AbortSignal.timeout(timeoutMs);
  const sig = signal ? AbortSignal.any([signal, timeout]) : timeout;
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command(argv[0], {
      args: [...argv.slice(1), "python", ...args],
      env: mi.env,
      clearEnv: true,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal: sig,
    }).output();
  } catch (e) {
    if (signal?.aborted) throw signal.reason;
    if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.PermissionDenied) {
      throw new IvpmError(`cannot run the module command ${mi.cmd}: ${(e as Error).message}`, {
        hint: "check package.with.modules.modulecmd, $LMOD_CMD or $MODULESHOME",
        cause: e,
      });
    }
    throw e;
  }
  if (signal?.aborted) throw signal.reason;
  if (timeout.aborted) {
    throw new IvpmError(`'${mi.cmd} python ${args.join(" ")}' did not finish within ${timeoutMs / 1000} s`, {
      hint: "check that the module system works: run 'module " + args.join(" ") + "' in a shell",
    });
  }
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** Classifies `python --version` output; undefined when it names no known flavour. */
export function variantFromVersion(output: string): ModulesVariant | undefined {
  if (/Modules based on Lua/i.test(output)) return "lmod";
  if (/Modules\s+Release\s+[4-9]/.test(output)) return "modules-4x";
  if (/VERSION\s*=\s*3|Tcl\s+3|Modules\s+Release\s+3/.test(output)) return "modules-3x";
  return undefined;
}

async function probe(
  cmd: string,
  env: Record<string, string>,
  foundBy: string,
  signal?: AbortSignal,
): Promise<ModulesInterface> {
  const tclsh = await tclshFor(cmd, env);
  let output = "";
  try {
    const r = await runModuleCmd({ cmd, tclsh, env }, ["--version"], signal, 10_000);
    output = r.stdout + r.stderr;
  } catch (e) {
    if (signal?.aborted) throw e;
    // A command that cannot even report its version is classified by its name below.
  }
  const variant = variantFromVersion(output) ??
    (cmd.endsWith(".tcl") && tclsh ? "modules-3x" : "modules-4x");
  return { variant, cmd, tclsh, foundBy, env };
}

const VARIANTS: readonly string[] = ["modules-3x", "modules-4x", "lmod"];

/**
 * Finds the module system: `with.modules` (variant and/or modulecmd) first, then `$LMOD_CMD` (Lmod),
 * `$MODULESHOME/{modulecmd.tcl,libexec/modulecmd.tcl}`, then `modulecmd.tcl` / `modulecmd` on PATH;
 * Modules flavours are told apart by `python --version`. Undefined when there is none.
 */
export async function detectModules(opts: DetectOptions): Promise<ModulesInterface | undefined> {
  const { env, signal } = opts;
  const variant = opts.variant && opts.variant !== "auto" ? opts.variant : undefined;
  if (variant !== undefined && !VARIANTS.includes(variant)) {
    throw new IvpmError(`with.modules.variant '${variant}' is not known`, {
      hint: `use one of: auto, ${VARIANTS.join(", ")}`,
    });
  }
  let explicit: string | undefined;
  if (opts.modulecmd) {
    explicit = await which(opts.modulecmd, env);
    if (!explicit) {
      throw new IvpmError(`with.modules.modulecmd '${opts.modulecmd}' was not found`, {
        hint: "give the absolute path of modulecmd.tcl (or of Lmod's 'lmod'), or a command on PATH",
      });
    }
  }
  if (variant) {
    let cmd = explicit;
    if (!cmd && variant === "lmod" && env.LMOD_CMD && await isFile(env.LMOD_CMD)) cmd = env.LMOD_CMD;
    if (!cmd && variant !== "lmod") cmd = await findModulecmd(env);
    if (!cmd) {
      throw new IvpmError(`with.modules.variant is '${variant}' but no module command was found`, {
        hint: variant === "lmod"
          ? "set $LMOD_CMD or with.modules.modulecmd"
          : "set $MODULESHOME, put modulecmd.tcl on PATH, or set with.modules.modulecmd",
      });
    }
    const tclsh = await tclshFor(cmd, env);
    return { variant: variant as ModulesVariant, cmd, tclsh, foundBy: "with.modules", env };
  }
  // An explicit command is trusted and identified by what it says it is.
  if (explicit) return await probe(explicit, env, "with.modules.modulecmd", signal);
  if (env.LMOD_CMD && await isFile(env.LMOD_CMD)) {
    return { variant: "lmod", cmd: env.LMOD_CMD, foundBy: "$LMOD_CMD", env };
  }
  const inHome = await inModulesHome(env);
  if (inHome) return await probe(inHome, env, "$MODULESHOME", signal);
  const onPath = await onPathModulecmd(env);
  return onPath ? await probe(onPath, env, "PATH", signal) : undefined;
}

/** `$MODULESHOME/modulecmd.tcl` or `$MODULESHOME/libexec/modulecmd.tcl`. */
async function inModulesHome(env: Record<string, string>): Promise<string | undefined> {
  if (!env.MODULESHOME) return undefined;
  for (const rel of ["modulecmd.tcl", "libexec/modulecmd.tcl"]) {
    const p = join(env.MODULESHOME, rel);
    if (await isFile(p)) return p;
  }
  return undefined;
}

async function onPathModulecmd(env: Record<string, string>): Promise<string | undefined> {
  return await which("modulecmd.tcl", env) ?? await which("modulecmd", env);
}

async function findModulecmd(env: Record<string, string>): Promise<string | undefined> {
  return await inModulesHome(env) ?? await onPathModulecmd(env);
}

/** Un-escapes a single- or double-quoted Python string body. */
function unquote(body: string): string {
  return body.replace(/\\(.)/g, "$1");
}

/**
 * The modulefile path in `python path` stdout: `_mlstatus = '<path>'` (Modules 4.x+),
 * else the first quoted absolute path or bare absolute path on a line (older flavours).
 */
export function parsePathOutput(stdout: string): string | undefined {
  const ml = /^_mlstatus\s*=\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")\s*;?\s*$/m.exec(stdout);
  if (ml) {
    const p = unquote(ml[1] ?? ml[2] ?? "");
    return p || undefined;
  }
  for (const raw of stdout.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("import ") || line.startsWith("#")) continue;
    const q = /'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"/.exec(line);
    const candidate = q ? unquote(q[1] ?? q[2] ?? "") : line;
    if (candidate.startsWith("/")) return candidate;
  }
  return undefined;
}

/** The first line of `show` output that names an existing file (the modulefile). */
async function pathFromShow(text: string): Promise<string | undefined> {
  for (const raw of text.split("\n")) {
    const line = raw.trim().replace(/:$/, "");
    if (line.startsWith("/") && await Deno.stat(line).then(() => true, () => false)) return line;
  }
  return undefined;
}

/** Reads an old `modulescript_*` temp script for `result.append('<modulefile>')`. */
async function pathFromModulescript(script: string): Promise<string | undefined> {
  const text = await Deno.readTextFile(script).catch(() => "");
  for (const m of text.matchAll(/result\.append\(\s*['"](.*?)['"]\s*\)/g)) {
    if (await Deno.stat(m[1]).then(() => true, () => false)) return m[1];
  }
  return undefined;
}

/** The last non-empty lines of a tool's output, joined for a one-line message. */
export function lastLines(text: string, n = 3): string {
  return text.split("\n").map((l) => l.trim()).filter((l) => l).slice(-n).join(" / ");
}

/**
 * The tool's own explanation in `stderr`: the paragraph starting at its first `ERROR` /
 * `Warning` line (Lmod wraps its message over several lines), else its last lines.
 */
export function toolMessage(stderr: string): string {
  const lines = stderr.split("\n").map((l) => l.trim());
  const start = lines.findIndex((l) => /\b(error|warning)\b/i.test(l));
  if (start < 0) return lastLines(stderr);
  // The paragraph ends at a blank line or at the next heading (Lmod's "Try:").
  let end = start + 1;
  while (end < lines.length && lines[end] !== "" && !lines[end].endsWith(":")) end++;
  return lines.slice(start, end).join(" ");
}

/** Where a module's modulefile is, or why it was not found (the tool's own words). */
export async function modulePath(
  mi: ModulesInterface,
  module: string,
  signal?: AbortSignal,
): Promise<{ path?: string; reason: string }> {
  if (mi.variant === "lmod") {
    // Lmod has no `path` sub-command: the modulefile heads `show` output.
    const r = await runModuleCmd(mi, ["show", module], signal);
    const path = r.code === 0 ? await pathFromShow(r.stderr) : undefined;
    return { path, reason: toolMessage(r.stderr) };
  }
  const r = await runModuleCmd(mi, ["path", module], signal);
  let path = parsePathOutput(r.stdout) ?? parsePathOutput(r.stderr);
  if (path && mi.variant === "modules-3x" && basename(path).startsWith("modulescript_")) {
    // Some 3.x builds print a temp script that in turn names the modulefile.
    path = await pathFromModulescript(path) ??
      await pathFromShow((await runModuleCmd(mi, ["show", module], signal)).stderr);
  }
  const exists = path ? await Deno.stat(path).then(() => true, () => false) : false;
  return { path: exists ? path : undefined, reason: toolMessage(r.stderr) };
}

/** `show` output (stderr) of a module; a failing command is an error quoting it. */
export async function moduleShow(
  mi: ModulesInterface,
  module: string,
  signal?: AbortSignal,
): Promise<string> {
  const r = await runModuleCmd(mi, ["show", module], signal);
  if (r.code !== 0) {
    throw new IvpmError(
      `'${mi.cmd} python show ${module}' failed (exit ${r.code}): ${toolMessage(r.stderr)}`,
    );
  }
  return r.stderr;
}

/** A Tcl word as `show` prints it: `{a b}` and `"a b"` lose their quotes. */
function tclWord(text: string): string {
  const t = text.trim();
  if ((t.startsWith("{") && t.endsWith("}")) || (t.startsWith('"') && t.endsWith('"'))) return t.slice(1, -1);
  return t;
}

/**
 * Install-prefix candidates in `show` output, best first: `setenv <X>_HOME <dir>`, then
 * `prepend-path PATH <dir>/bin` (its parent), then `set root <dir>`. Both the Tcl form
 * (Environment Modules) and Lmod's Lua form (`setenv("X_HOME","dir")`) are read.
 */
export function rootCandidates(show: string): string[] {
  const homes: string[] = [], bins: string[] = [], roots: string[] = [];
  for (const line of show.split("\n")) {
    let m = /^\s*setenv\s+\w*_HOME\s+(.+?)\s*$/.exec(line) ??
      /^\s*setenv\(\s*"\w*_HOME"\s*,\s*"(.*)"\s*\)\s*$/.exec(line);
    if (m) {
      homes.push(tclWord(m[1]));
      continue;
    }
    m = /^\s*prepend-path\s+PATH\s+(.+?)\s*$/.exec(line) ??
      /^\s*prepend_path\(\s*"PATH"\s*,\s*"(.*?)"/.exec(line);
    if (m) {
      for (const p of tclWord(m[1]).split(/[\s:]+/)) {
        if (p.endsWith("/bin")) bins.push(dirname(p));
      }
      continue;
    }
    m = /^\s*set\s+root\s+(.+?)\s*$/.exec(line);
    if (m) roots.push(tclWord(m[1]));
  }
  return [...homes, ...bins, ...roots].filter((p) => isAbsolute(p));
}

/** The first {@link rootCandidates} entry that is an existing directory. */
export async function rootFromShow(show: string): Promise<string | undefined> {
  for (const c of rootCandidates(show)) {
    if (await Deno.stat(c).then((s) => s.isDirectory, () => false)) return c;
  }
  return undefined;
}
