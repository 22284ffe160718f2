/**
 * Helpers for `ivpm update` tests: temp projects with an `ivpm.yaml` written
 * from a plain object, a reporter that records what an update said, reading
 * the lock, and running the real CLI as a child process.
 *
 * @module
 */

import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import YAML from "yaml";
import {
  type Landed,
  runUpdate,
  type UpdateOptions,
  type UpdateReporter,
  type UpdateResult,
} from "../../core/update/update.ts";
import type { ResolvedPackage } from "../../core/update/resolver.ts";
import type { Diagnostic } from "../../core/base/diagnostics.ts";
import type { LockFile } from "../../core/update/lock/lock_file.ts";
import { NO_PY_INSTALL } from "./no_py_install.ts";

/** Temp dirs and `exists` live in temp.ts; re-exported for the many tests that import them from here. */
export { exists, tempRoot } from "./temp.ts";

/** Repository root (where `deno.json` and `main.ts` live). */
export const REPO_ROOT: string = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** A dependency entry as written in ivpm.yaml. */
export type DepEntry = Record<string, unknown> & { name: string };

/** Body of an `ivpm.yaml` `package:` section, with dep-sets given as name → entries (or a full list). */
export interface PackageBody {
  name: string;
  "dep-sets"?: Record<string, unknown>[];
  [key: string]: unknown;
}

/** YAML text of an ivpm.yaml with this package body. */
export function ivpmYaml(body: PackageBody): string {
  return YAML.stringify({ package: body });
}

/** Shorthand for a `dep-sets:` list: `{ default: [deps…] }` → `[{ name: "default", deps: […] }]`. */
export function depSets(sets: Record<string, DepEntry[]>): Record<string, unknown>[] {
  return Object.entries(sets).map(([name, deps]) => ({ name, deps }));
}

/** Writes `<dir>/ivpm.yaml` (creating `dir`) and returns `dir`. */
export async function writeIvpmYaml(dir: string, body: PackageBody): Promise<string> {
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(join(dir, "ivpm.yaml"), ivpmYaml(body));
  return dir;
}

/** Writes `<dir>/ivpm.yaml` of a project `proj` whose `default` dep-set is `deps`; returns `dir`. */
export function writeProjectDeps(dir: string, deps: DepEntry[]): Promise<string> {
  return writeIvpmYaml(dir, { name: "proj", "dep-sets": depSets({ default: deps }) });
}

/** What an update reported, for assertions. */
export interface Recorder extends UpdateReporter {
  diagnostics: Diagnostic[];
  started: string[];
  landed: Map<string, Landed>;
  /** Messages of diagnostics of one severity. */
  messages(severity?: Diagnostic["severity"]): string[];
}

/** A reporter that records everything; `onDone` is called after each package lands. */
export function recorder(onDone?: (pkg: ResolvedPackage, landed: Landed) => void): Recorder {
  const diagnostics: Diagnostic[] = [];
  const started: string[] = [];
  const landed = new Map<string, Landed>();
  return {
    diagnostics,
    started,
    landed,
    messages: (severity) =>
      diagnostics.filter((d) => !severity || d.severity === severity).map((d) => d.message),
    start: (pkg) => void started.push(pkg.name),
    done: (pkg, l) => {
      landed.set(pkg.name, l);
      onDone?.(pkg, l);
    },
    diagnostic: (d) => void diagnostics.push(d),
  };
}

/** An in-process update of `project` (no cache, no pip installs) recorded by a {@link recorder}; `opts` override. */
export async function updateRecorded(
  project: string,
  opts: Partial<UpdateOptions> = {},
): Promise<{ result: UpdateResult; rec: Recorder }> {
  const rec = recorder();
  const result = await runUpdate({
    handlerArgs: NO_PY_INSTALL,
    projectDir: project,
    cacheDir: null,
    reporter: rec,
    ...opts,
  });
  return { result, rec };
}

/** Parses `<project>/packages/package-lock.json`. */
export async function readLockJson(projectDir: string, depsDir = "packages"): Promise<LockFile> {
  return JSON.parse(await Deno.readTextFile(join(projectDir, depsDir, "package-lock.json")));
}

/** Names in a directory, sorted ([] when it does not exist). */
export async function listDir(dir: string): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) names.push(e.name);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return names.sort();
}

/** Environment for CLI runs: the given cache (or "" = disabled), no GitHub token, no colours. */
export function cliEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env = Deno.env.toObject();
  delete env.GITHUB_TOKEN;
  return { ...env, IVPM_CACHE: "", NO_COLOR: "1", ...extra };
}

/** Starts `ivpm <args>` (the real CLI, from this repository) in `cwd` with piped output. */
export function spawnIvpm(
  cwd: string,
  args: string[],
  env: Record<string, string> = cliEnv(),
): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", join(REPO_ROOT, "deno.json"), join(REPO_ROOT, "main.ts"), ...args],
    cwd,
    env,
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

/** Output of a finished CLI run. */
export interface CliResult {
  code: number;
  signal: Deno.Signal | null;
  stdout: string;
  stderr: string;
}

/** Waits for a spawned CLI and decodes its output. */
export async function cliResult(child: Deno.ChildProcess): Promise<CliResult> {
  const out = await child.output();
  const dec = new TextDecoder();
  return {
    code: out.code,
    signal: out.signal,
    stdout: dec.decode(out.stdout),
    stderr: dec.decode(out.stderr),
  };
}

/** Runs `ivpm <args>` in `cwd`, killed after `boundMs`: code that would hang fails the test instead. */
export async function runIvpmBounded(
  cwd: string,
  args: string[],
  env: Record<string, string> = cliEnv(),
  boundMs = 60_000,
): Promise<CliResult> {
  const child = spawnIvpm(cwd, args, env);
  const bound = setTimeout(() => child.kill("SIGKILL"), boundMs);
  try {
    return await cliResult(child);
  } finally {
    clearTimeout(bound);
  }
}

/** Runs `ivpm <args>` in `cwd` to completion. */
export function runIvpm(cwd: string, args: string[], env?: Record<string, string>): Promise<CliResult> {
  return cliResult(spawnIvpm(cwd, args, env));
}

/** A running CLI whose output is collected as it arrives (so a test can wait for a message). */
export interface WatchedCli {
  child: Deno.ChildProcess;
  /** Output so far. */
  stderr(): string;
  stdout(): string;
  /** Resolves when `pattern` appears on stderr; rejects if the process ends first. */
  waitForStderr(pattern: RegExp): Promise<void>;
  /** The finished run. */
  done: Promise<CliResult>;
}

/** Starts `ivpm <args>` in `cwd`, collecting its output incrementally. */
export function watchIvpm(cwd: string, args: string[], env: Record<string, string> = cliEnv()): WatchedCli {
  const child = spawnIvpm(cwd, args, env);
  let out = "", errText = "";
  let ended = false;
  const waiters: (() => void)[] = [];
  const pump = async (stream: ReadableStream<Uint8Array>, add: (s: string) => void) => {
    const dec = new TextDecoder();
    for await (const chunk of stream) {
      add(dec.decode(chunk, { stream: true }));
      waiters.splice(0).forEach((w) => w());
    }
  };
  const pumps = Promise.all([pump(child.stdout, (s) => out += s), pump(child.stderr, (s) => errText += s)]);
  const done = (async () => {
    const [status] = await Promise.all([child.status, pumps]);
    ended = true;
    waiters.splice(0).forEach((w) => w());
    return { code: status.code, signal: status.signal, stdout: out, stderr: errText };
  })();
  return {
    child,
    stderr: () => errText,
    stdout: () => out,
    async waitForStderr(pattern) {
      while (!pattern.test(errText)) {
        if (ended) throw new Error(`process ended without printing ${pattern}; stderr:\n${errText}`);
        await new Promise<void>((r) => waiters.push(r));
      }
    },
    done,
  };
}
